"""Giving the people in a case access from the case page: a new account with a set-up
slip, or, for someone who has an account already, a one-time case code they enter under
"My cases". Nobody is ever linked by picking an account from a list."""

import html as htmllib
import re
from datetime import timedelta

import pytest

from rj import cases
from rj.clock import utcnow
from rj.models import CaseCode, Party, Person, Representative, User
from tests.helpers import create_user, make_case, sign_in_session

URL = "https://mend.example.org"


@pytest.fixture
def app_overrides():
    return {"PUBLIC_URL": URL}


@pytest.fixture
def fac(login_as):
    return login_as("facilitator", display_name="Fen Facil")


def slip_code(response):
    return re.search(r"data-slip-code>([^<]+)<", response.get_data(as_text=True)).group(1)


def test_a_new_account_for_a_person_in_the_case_sees_that_case_and_nothing_else(client, app, fac):
    case = make_case("investigating", by=fac, parties=[("harmed", None, "Pat Person")])
    other = make_case("investigating", by=fac, title="Something else entirely")
    party = Party.get(Party.case == case)
    response = client.post(
        f"/cases/{case.reference}/parties/{party.id}/access",
        data={"how": "new", "username": "pat", "display_name": "Pat"},
    )
    assert response.status_code == 200
    code = slip_code(response)
    user = User.named("pat")
    assert user.role == "participant" and Person.get_by_id(party.person_id).user_id == user.id
    person = app.test_client()
    assert person.post("/signin", data={"username": "pat", "password": code}).status_code == 302
    person.post(
        "/account/password",
        data={"new_password": "my own long phrase", "confirm": "my own long phrase"},
    )
    mine = person.get("/my-cases/").get_data(as_text=True)
    assert case.reference in mine and other.reference not in mine
    assert person.get(f"/my-cases/{other.reference}").status_code == 404


def test_someone_with_an_account_gets_a_case_code_and_joins_under_my_cases(client, app, fac):
    case = make_case("investigating", by=fac, parties=[("caused", None, "Sam Someone")])
    party = Party.get(Party.case == case)
    existing = create_user("participant", display_name="Sam")
    response = client.post(
        f"/cases/{case.reference}/parties/{party.id}/access", data={"how": "existing"}
    )
    html = htmllib.unescape(response.get_data(as_text=True))
    code = slip_code(response)
    assert "Join a case with a code" in html and f"{URL}/signin" in html
    assert not CaseCode.select().where(CaseCode.code_hash == code).exists()  # only a hash
    assert Person.get_by_id(party.person_id).user_id is None  # not linked yet

    sign_in_session(client, existing)
    joined = client.post("/my-cases/join", data={"code": code.lower().replace("-", " ")})
    assert joined.status_code == 302 and joined.headers["Location"] == f"/my-cases/{case.reference}"
    assert Person.get_by_id(party.person_id).user_id == existing.id
    again = client.post("/my-cases/join", data={"code": code})
    assert again.status_code == 422  # a code works once
    assert "That code does not work" in htmllib.unescape(again.get_data(as_text=True))


def test_a_representative_without_an_account_gets_one_and_represents_the_party(client, fac):
    case = make_case("investigating", by=fac, parties=[("harmed", None, "Pat")])
    party = Party.get(Party.case == case)
    response = client.post(
        f"/cases/{case.reference}/parties/{party.id}/representatives/access",
        data={"how": "new", "username": "remy", "display_name": "Remy Rep"},
    )
    assert response.status_code == 200 and slip_code(response)
    user = User.named("remy")
    assert user.role == "representative"
    assert Representative.get(Representative.party == party).user_id == user.id


def test_a_representative_case_code_needs_a_representative_account(client, fac):
    case = make_case("investigating", by=fac, parties=[("harmed", None, "Pat")])
    party = Party.get(Party.case == case)
    code = cases.issue_case_code(party, fac, "representative")
    sign_in_session(client, create_user("participant"))
    refused = client.post("/my-cases/join", data={"code": code})
    assert refused.status_code == 422
    assert "for a representative's account" in htmllib.unescape(refused.get_data(as_text=True))
    rep = create_user("representative")
    sign_in_session(client, rep)
    assert client.post("/my-cases/join", data={"code": code}).status_code == 302
    assert Representative.get(Representative.party == party).user_id == rep.id


@pytest.mark.parametrize("why", ["wrong", "expired", "lead"])
def test_a_code_that_does_not_work_links_nothing(client, fac, why):
    case = make_case("investigating", by=fac, parties=[("harmed", None, "Pat")])
    party = Party.get(Party.case == case)
    code = cases.issue_case_code(party, fac, "party")
    user = fac if why == "lead" else create_user("participant")
    if why == "wrong":
        code = "AAAA-BBBB-CCCC"
    if why == "expired":
        CaseCode.update(expires_at=utcnow() - timedelta(days=1)).execute()
    sign_in_session(client, user)
    response = client.post("/my-cases/join", data={"code": code})
    assert response.status_code == 422
    assert Person.get_by_id(party.person_id).user_id is None


def test_a_person_who_has_access_is_not_offered_it_again(client, fac):
    person = create_user("participant")
    case = make_case("investigating", by=fac, parties=[("harmed", person, "Pat")])
    party = Party.get(Party.case == case)
    response = client.get(f"/cases/{case.reference}/parties/{party.id}/access")
    assert response.status_code == 302
    panel = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"/parties/{party.id}/access" not in panel and "has access" in panel


def test_no_slip_without_the_public_address(client, app, fac):
    app.config["PUBLIC_URL"] = None
    case = make_case("investigating", by=fac, parties=[("harmed", None, "Pat")])
    party = Party.get(Party.case == case)
    page = client.get(f"/cases/{case.reference}/parties/{party.id}/access")
    assert page.status_code == 200 and "Set MEND_PUBLIC_URL" in page.get_data(as_text=True)
    response = client.post(
        f"/cases/{case.reference}/parties/{party.id}/access",
        data={"how": "new", "username": "pat", "display_name": "Pat"},
    )
    assert response.status_code == 422 and User.named("pat") is None


def test_the_demo_links_its_participant_and_representative_to_cases(cli, client):
    assert cli.invoke(args=["demo"]).exit_code == 0
    participant = User.named("participant")
    sign_in_session(client, participant)
    mine = client.get("/my-cases/").get_data(as_text=True)
    assert mine.count('href="/my-cases/RJ-') == 2
    sign_in_session(client, User.named("rep"))
    assert client.get("/my-cases/").get_data(as_text=True).count('href="/my-cases/RJ-') == 1
