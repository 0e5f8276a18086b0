"""Coordinators run accounts from the browser: the list, new accounts with set-up slips,
roles, turning accounts off with their work handed over, new codes, and each account's
history. Every refusal says why and changes nothing."""

import html as htmllib
import re

import pytest

from rj import accounts, cases
from rj.models import Action, Appeal, AuditRecord, Case, User
from tests.helpers import PASSWORD, create_user, make_case

URL = "https://mend.example.org"


@pytest.fixture
def app_overrides():
    return {"PUBLIC_URL": URL}


@pytest.fixture
def admin(login_as):
    return login_as("admin", display_name="Cora Ordinator", username="cora")


def test_the_list_shows_role_status_last_sign_in_and_two_factor_and_filters(client, admin):
    create_user("facilitator", display_name="Fen Facil", username="fen")
    create_user("participant", display_name="Pat Part", username="pat")
    accounts.create_with_code("newbie", "volunteer", "Nia New", admin)
    page = client.get("/admin/users/").get_data(as_text=True)
    assert "Fen Facil" in page and "Pat Part" in page and "Waiting for set-up" in page
    only = client.get("/admin/users/?role=participant").get_data(as_text=True)
    assert "Pat Part" in only and "Fen Facil" not in only
    found = client.get("/admin/users/?q=FEN").get_data(as_text=True)
    assert "Fen Facil" in found and "Pat Part" not in found


def test_a_new_account_gets_a_one_time_set_up_slip_that_signs_in_once(client, app, admin):
    response = client.post(
        "/admin/users/new",
        data={"username": "Vic", "display_name": "Vic Volunteer", "role": "volunteer"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    code = re.search(r"data-slip-code>([0-9a-f-]+)<", html).group(1)
    assert f"{URL}/signin" in html and "<svg" in html and "within 7 days" in html
    user = User.named("vic")
    assert user.must_change_password and user.password_hash != code
    assert code not in "".join(r.details for r in AuditRecord.select())
    newcomer = app.test_client()
    signed = newcomer.post("/signin", data={"username": "VIC", "password": code})
    assert signed.headers["Location"] == "/account/password"
    again = app.test_client().post("/signin", data={"username": "vic", "password": code})
    assert again.status_code == 200  # the code worked once


def test_no_slip_without_the_public_address(client, app, admin):
    app.config["PUBLIC_URL"] = None
    data = {"username": "vic", "display_name": "Vic", "role": "volunteer"}
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert "Set MEND_PUBLIC_URL" in response.get_data(as_text=True)
    assert User.named("vic") is None


def test_a_plain_http_address_is_warned_about(client, app, admin):
    app.config["PUBLIC_URL"] = "http://10.0.0.5:5000"
    assert "not HTTPS" in client.get("/admin/users/new").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "a b"}, "username", "A username is 1 to 64 characters with no spaces."),
        ({"username": "CORA"}, "username", "A user named 'CORA' already exists."),
        ({"role": "wizard"}, "role", "Not a valid choice."),
        ({"display_name": ""}, "display_name", "Give the name to show."),
    ],
)
def test_a_bad_new_account_is_refused_beside_the_field(client, admin, data, field, message):
    before = User.select().count()
    response = client.post(
        "/admin/users/new",
        data={"username": "nia", "display_name": "Nia", "role": "volunteer", **data},
    )
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in htmllib.unescape(response.get_data(as_text=True))
    assert User.select().count() == before


def test_nobody_removes_the_last_admin_or_turns_themselves_off(client, admin):
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "facilitator"})
    assert response.status_code == 422
    assert "You cannot remove the coordinator role from yourself" in response.get_data(True)
    response = client.post(f"/admin/users/{admin.id}/deactivate", data={})
    assert "You cannot turn off yourself" in response.get_data(as_text=True)
    with pytest.raises(Exception, match="last active coordinator"):
        accounts.deactivate(User.get_by_id(admin.id), None)
    assert User.get_by_id(admin.id).role == "admin" and User.get_by_id(admin.id).is_active


def test_turning_a_facilitator_off_hands_their_work_over(client, admin):
    leaving = create_user("facilitator", display_name="Lee Leaving")
    staying = create_user("facilitator", display_name="Sam Staying")
    third = create_user("facilitator", display_name="Tia Third")
    reviewer_case = make_case("followup", by=third, parties=[("harmed", None, "Ann")])
    cases.communicate_decision(reviewer_case, third, reviewer_case.created_at.date())
    led = make_case("restoring", by=leaving)
    cases.appeal_case(
        Case.get_by_id(reviewer_case.id), third, "Grounds", leaving,
        party=reviewer_case.parties.first(),
    )  # fmt: skip
    page = client.get(f"/admin/users/{leaving.id}/deactivate").get_data(as_text=True)
    assert f"New lead for {led.reference}" in page
    assert f"New reviewer of the appeal on {reviewer_case.reference}" in page
    response = client.post(
        f"/admin/users/{leaving.id}/deactivate", data={"everything_to": str(staying.id)}
    )
    assert response.status_code == 302
    assert not User.get_by_id(leaving.id).is_active
    assert Case.get_by_id(led.id).lead_id == staying.id
    assert all(a.owner_id == staying.id for a in Action.select().where(Action.case == led.id))
    assert Appeal.get(Appeal.case == reviewer_case.id).reviewer_id == staying.id
    history = client.get(f"/admin/users/{leaving.id}").get_data(as_text=True)
    assert "Turned off" in history and "Cora Ordinator" in history


def test_work_left_with_a_turned_off_account_is_flagged_on_the_board_and_due_page(client, admin):
    leaving = create_user("facilitator", display_name="Lee Leaving")
    led = make_case("investigating", by=leaving)
    accounts.deactivate(leaving)  # from the command line: nothing handed over
    board = client.get("/board/").get_data(as_text=True)
    card = board.split(f'id="case-{led.id}"', 1)[1].split("</li>", 1)[0]
    assert "Needs a new lead" in card
    due = client.get("/due/").get_data(as_text=True)
    assert "Needs a new lead" in due and led.reference in due and "Lee Leaving" in due


def test_a_handover_to_someone_who_may_not_take_it_changes_nothing(client, admin):
    leaving = create_user("facilitator")
    conflicted = create_user("facilitator", display_name="Cal")
    led = make_case("investigating", by=leaving)
    cases.declare_conflict(led, conflicted, "Friend")
    response = client.post(
        f"/admin/users/{leaving.id}/deactivate", data={f"case_{led.id}": str(conflicted.id)}
    )
    assert response.status_code == 422
    assert f'id="case_{led.id}-error">Cal cannot lead this case' in response.get_data(True)
    assert User.get_by_id(leaving.id).is_active and Case.get_by_id(led.id).lead_id == leaving.id


def test_a_new_code_instead_of_a_password_reset(client, app, admin):
    user = create_user("facilitator", username="fen")
    response = client.post(f"/admin/users/{user.id}/code")
    code = re.search(r"data-slip-code>([0-9a-f-]+)<", response.get_data(as_text=True)).group(1)
    old = app.test_client().post("/signin", data={"username": "fen", "password": PASSWORD})
    assert old.status_code == 200  # the old password no longer works
    new = app.test_client().post("/signin", data={"username": "fen", "password": code})
    assert new.headers["Location"] == "/account/password"


def test_role_changes_and_reactivation_are_in_the_accounts_history(client, admin):
    user = create_user("volunteer", display_name="Val")
    assert (
        client.post(f"/admin/users/{user.id}/role", data={"role": "facilitator"}).status_code == 302
    )
    create_user("admin")
    accounts.deactivate(User.get_by_id(user.id))  # from the command line
    client.post(f"/admin/users/{user.id}/reactivate")
    history = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    for action in ("Role changed", "Turned off", "Turned on again"):
        assert action in history
    assert "the server" in history  # the command line's change
    records = AuditRecord.select().where(AuditRecord.account_id == user.id)
    assert {r.action for r in records} >= {"account.role_changed", "account.reactivated"}


def test_other_roles_cannot_manage_accounts(client, login_as):
    login_as("facilitator")
    assert client.get("/admin/users/").status_code == 403
    assert client.post("/admin/users/new", data={"username": "x"}).status_code == 403
