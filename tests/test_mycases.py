"""'My cases': participants and representatives, each seeing only their side."""

import pytest

from rj import cases, entries
from rj.models import AuditRecord, Entry, Party
from tests.helpers import create_user, make_case, sign_in_session


@pytest.fixture
def people(app):
    fac = create_user("facilitator", display_name="Fen Facil")
    harmed = create_user("participant", display_name="Hana Harmed")
    caused = create_user("participant", display_name="Cai Caused")
    rep = create_user("representative", display_name="Remy Rep")
    case = make_case(
        "investigating",
        by=fac,
        title="Words in the lounge",
        parties=[("harmed", harmed, "Hana"), ("caused", caused, "Cai")],
    )
    harmed_party = Party.get((Party.case == case) & (Party.side == "harmed"))
    caused_party = Party.get((Party.case == case) & (Party.side == "caused"))
    cases.add_representative(harmed_party, rep, fac)
    return dict(
        fac=fac,
        harmed=harmed,
        caused=caused,
        rep=rep,
        case=case,
        harmed_party=harmed_party,
        caused_party=caused_party,
    )


def test_participants_see_their_cases_and_the_stage_in_plain_words(client, people):
    sign_in_session(client, people["harmed"])
    listing = client.get("/my-cases/").get_data(as_text=True)
    assert people["case"].reference in listing and "Words in the lounge" in listing
    page = client.get(f"/my-cases/{people['case'].reference}").get_data(as_text=True)
    assert "A facilitator is finding out what happened" in page
    assert "Your representative: Remy Rep" in page
    assert (
        AuditRecord.select()
        .where((AuditRecord.action == "case.viewed") & (AuditRecord.actor == people["harmed"].id))
        .exists()
    )


def test_each_side_sees_only_what_is_shared_with_it(client, people):
    case, fac = people["case"], people["fac"]
    entries.add_entry(case, fac, "note", "FOR-EVERYONE", audience="everyone")
    entries.add_entry(case, fac, "note", "FOR-TEAM", audience="team")
    entries.add_entry(
        case, fac, "note", "FOR-HARMED", audience="party", party=people["harmed_party"]
    )
    entries.add_entry(
        case, fac, "note", "FOR-CAUSED", audience="party", party=people["caused_party"]
    )
    entries.add_entry(case, fac, "note", "FOR-FACILITATORS", audience="facilitators")
    seen = {}
    for who in ("harmed", "caused", "rep"):
        sign_in_session(client, people[who])
        seen[who] = client.get(f"/my-cases/{case.reference}").get_data(as_text=True)
    markers = ["FOR-EVERYONE", "FOR-TEAM", "FOR-HARMED", "FOR-CAUSED", "FOR-FACILITATORS"]
    assert [m for m in markers if m in seen["harmed"]] == ["FOR-EVERYONE", "FOR-HARMED"]
    assert [m for m in markers if m in seen["caused"]] == ["FOR-EVERYONE", "FOR-CAUSED"]
    assert [m for m in markers if m in seen["rep"]] == ["FOR-EVERYONE", "FOR-TEAM", "FOR-HARMED"]


def test_a_participant_adds_a_statement_for_their_side(client, people):
    sign_in_session(client, people["caused"])
    ref = people["case"].reference
    form = client.get(f"/my-cases/{ref}/add").get_data(as_text=True)
    assert '<label for="body">Your words</label>' in form
    response = client.post(
        f"/my-cases/{ref}/add",
        data={
            "kind": "statement",
            "party": str(people["caused_party"].id),
            "body": "My side of it.",
        },
    )
    assert response.status_code == 302
    entry = Entry.get(Entry.body == "My side of it.")
    assert (entry.audience, entry.audience_party_id, entry.author_id) == (
        "party",
        people["caused_party"].id,
        people["caused"].id,
    )
    sign_in_session(client, people["harmed"])
    assert "My side of it." not in client.get(f"/my-cases/{ref}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "statement", "body": ""}, "body", "Write something first."),
        ({"kind": "finding", "body": "x"}, "kind", "Not a valid choice."),
    ],
)
def test_bad_statements_are_refused_beside_the_field(client, people, data, field, message):
    sign_in_session(client, people["harmed"])
    data = {"party": str(people["harmed_party"].id), **data}
    response = client.post(f"/my-cases/{people['case'].reference}/add", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in response.get_data(as_text=True)
    assert not Entry.select().where(Entry.author == people["harmed"].id).exists()


def test_a_participant_cannot_write_for_the_other_side(client, people):
    sign_in_session(client, people["harmed"])
    response = client.post(
        f"/my-cases/{people['case'].reference}/add",
        data={"kind": "statement", "party": str(people["caused_party"].id), "body": "Sneaky"},
    )
    assert response.status_code == 422
    assert not Entry.select().where(Entry.body == "Sneaky").exists()


def test_other_cases_are_404_and_the_board_is_403(client, people):
    other = make_case("filed", title="Someone else's case")
    sign_in_session(client, people["harmed"])
    assert client.get(f"/my-cases/{other.reference}").status_code == 404
    assert client.get(f"/my-cases/{other.reference}/add").status_code == 404
    assert client.get("/board/").status_code == 403
    assert client.get(f"/cases/{people['case'].reference}").status_code == 403


def test_a_representative_may_add_a_note_for_the_party_they_represent(client, people):
    sign_in_session(client, people["rep"])
    ref = people["case"].reference
    response = client.post(
        f"/my-cases/{ref}/add",
        data={"kind": "note", "party": str(people["harmed_party"].id), "body": "Rep note."},
    )
    assert response.status_code == 302
    assert Entry.get(Entry.body == "Rep note.").audience_party_id == people["harmed_party"].id
