"""Who sees what, read off the rendered pages: one case full of unique marker strings,
and for each person every page they can reach, with exactly the markers DESIGN.md
("Who sees what") lets them read, and none of the others, anywhere.
"""

import io
import re
import zipfile
from datetime import timedelta

import pytest

from rj import cases, entries
from rj.clock import today
from tests.helpers import create_user, make_case, sign_in_session

# Entries, by audience.
FACILITATORS_ONLY = "zq-facilitators-only-note"
TEAM = "zq-case-team-note"
P1_SIDE = "zq-shared-with-the-harmed-side"
P2_SIDE = "zq-shared-with-the-side-that-caused-harm"
EVERYONE = "zq-shared-with-everyone"
P1_OWN = "zq-statement-written-by-p1"
P2_STATEMENT = "zq-statement-written-by-p2"
# Witness accounts: one for facilitators (the default), one shared with everyone.
# The witness's name and relation are facilitators-only whatever the audience.
WITNESS_NAME = "Zq Witnessname Private"
WITNESS_RELATION = "zq-witness-relation-private"
WITNESS_ACCOUNT = "zq-witness-account-facilitators"
SHARED_WITNESS_NAME = "Zq Sharedwitness Private"
SHARED_WITNESS_RELATION = "zq-shared-witness-relation"
SHARED_WITNESS_ACCOUNT = "zq-witness-account-for-everyone"
# Contact details of a person record.
P1_CONTACT = "zq-p1-contact-0771234567"
P2_CONTACT = "zq-p2-contact-0779876543"
# A decision's actions: for the party they are for; agreed boundaries for everyone.
P1_ACTION = "zq-support-action-for-p1"
P2_ACTION = "zq-repair-action-for-p2"
BOUNDARIES = "zq-agreed-boundaries-for-everyone"
# Another case nobody but facilitators takes part in.
OTHER_CASE = "zq-entry-of-another-case"

ENTRY_MARKERS = {
    FACILITATORS_ONLY,
    TEAM,
    P1_SIDE,
    P2_SIDE,
    EVERYONE,
    P1_OWN,
    P2_STATEMENT,
    WITNESS_ACCOUNT,
    SHARED_WITNESS_ACCOUNT,
}
WITNESS_IDENTITY = {WITNESS_NAME, WITNESS_RELATION, SHARED_WITNESS_NAME, SHARED_WITNESS_RELATION}
CONTACTS = {P1_CONTACT, P2_CONTACT}
ACTIONS = {P1_ACTION, P2_ACTION, BOUNDARIES}
ALL = ENTRY_MARKERS | WITNESS_IDENTITY | CONTACTS | ACTIONS | {OTHER_CASE}

SHARED_WITH_ALL = {EVERYONE, SHARED_WITNESS_ACCOUNT, BOUNDARIES}
EXPECTED = {
    "p1": SHARED_WITH_ALL | {P1_SIDE, P1_OWN, P1_ACTION},
    "p2": SHARED_WITH_ALL | {P2_SIDE, P2_STATEMENT, P2_ACTION},
    "r1": SHARED_WITH_ALL | {TEAM, P1_SIDE, P1_OWN, P1_ACTION},
    "r2": SHARED_WITH_ALL | {TEAM, P2_SIDE, P2_STATEMENT, P2_ACTION},
    "volunteer": set(),
    # An impacted party who happens to be a facilitator: a participant in this case.
    "staff_party": SHARED_WITH_ALL,
    "recused": set(),
}


@pytest.fixture
def world(app):
    lead = create_user("facilitator", display_name="Lena Lead")
    people = {
        "lead": lead,
        "admin": create_user("admin"),
        "p1": create_user("participant", display_name="Pat One"),
        "p2": create_user("participant", display_name="Pip Two"),
        "r1": create_user("representative", display_name="Rae One"),
        "r2": create_user("representative", display_name="Rex Two"),
        "volunteer": create_user("volunteer"),
        "staff_party": create_user("facilitator", display_name="Fern Impacted"),
        "recused": create_user("facilitator", display_name="Rory Recused"),
    }
    case = make_case("followup", by=lead, title="Disagreement in the lounge")
    p1 = cases.add_party(
        case, cases.add_person("Pat", contact=P1_CONTACT, user=people["p1"]), "harmed", lead
    )
    p2 = cases.add_party(
        case, cases.add_person("Pip", contact=P2_CONTACT, user=people["p2"]), "caused", lead
    )
    cases.add_party(case, cases.add_person("Fern", user=people["staff_party"]), "impacted", lead)
    cases.add_representative(p1, people["r1"], lead)
    cases.add_representative(p2, people["r2"], lead)
    cases.declare_conflict(case, people["recused"], "Housemate of a party")

    def note(body, audience, party=None):
        entries.add_entry(case, lead, "note", body, audience=audience, party=party)

    note(FACILITATORS_ONLY, "facilitators")
    note(TEAM, "team")
    note(P1_SIDE, "party", p1)
    note(P2_SIDE, "party", p2)
    note(EVERYONE, "everyone")
    entries.add_entry(
        case,
        lead,
        "witness",
        WITNESS_ACCOUNT,
        witness=entries.Witness(WITNESS_NAME, WITNESS_RELATION),
    )
    entries.add_entry(
        case,
        lead,
        "witness",
        SHARED_WITNESS_ACCOUNT,
        audience="everyone",
        witness=entries.Witness(SHARED_WITNESS_NAME, SHARED_WITNESS_RELATION),
    )
    entries.add_entry(case, people["p1"], "statement", P1_OWN, party=p1)
    entries.add_entry(case, people["p2"], "statement", P2_STATEMENT, party=p2)
    soon = today() + timedelta(days=2)  # on the Due page
    cases.add_action(case, lead, "support", P1_ACTION, lead, soon, party=p1)
    cases.add_action(case, lead, "repair", P2_ACTION, lead, soon, party=p2)
    cases.add_action(case, lead, "boundaries", BOUNDARIES, lead, soon, party=p2)

    other = make_case("investigating", by=lead, title="Another matter")
    entries.add_entry(other, lead, "note", OTHER_CASE, audience="everyone")
    return people, case, other


def _fetch(client, user, path):
    sign_in_session(client, user)
    return client.get(path)


def _without_tokens(html):
    """A page with its CSRF tokens masked: they carry the second they were made in."""
    return re.sub(r"Im[\w.-]{40,}", "TOKEN", html)


def _text(response):
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return response.get_data(as_text=True)


def _markers(text):
    return {marker for marker in ALL if marker in text}


def _participant_pages(case):
    ref = case.reference
    return [
        ("/my-cases/", 200),
        (f"/my-cases/{ref}", 200),
        (f"/my-cases/{ref}/add", 200),
    ]


def _forbidden_pages(case):
    """Pages of the board and the case record: never a participant's."""
    ref = case.reference
    first_entry = case.entries.first().id
    return [
        ("/board/", 403),
        ("/board/closed", 403),
        ("/due/", 403),
        (f"/cases/{ref}", 403),
        (f"/cases/{ref}/record", 403),
        (f"/cases/{ref}/export.zip", 403),
        (f"/cases/{ref}/audit", 403),
        (f"/cases/{ref}/entries/{first_entry}/history", 403),
    ]


def _seen(client, user, pages):
    """Markers on each page, after checking its status."""
    seen = {}
    for path, status in pages:
        response = _fetch(client, user, path)
        assert response.status_code == status, f"{path} as {user.username}"
        seen[path] = _markers(_text(response))
    return seen


def _check(who, seen):
    everything = set().union(*seen.values())
    expected = EXPECTED[who]
    leaked = {path: sorted(found - expected) for path, found in seen.items() if found - expected}
    assert not leaked, f"{who} can read what is not shared with them: {leaked}"
    assert everything == expected, f"{who} cannot read {sorted(expected - everything)}"


@pytest.mark.parametrize("who", ["p1", "p2", "r1", "r2"])
def test_people_in_the_case_read_only_what_is_shared_with_their_side(app, client, world, who):
    people, case, _ = world
    pages = _participant_pages(case) + _forbidden_pages(case)
    seen = _seen(client, people[who], pages)
    _check(who, seen)
    for path, status in _forbidden_pages(case):
        assert not seen[path], f"{path} ({status}) shows {sorted(seen[path])} to {who}"


def test_a_participant_reads_their_own_side_and_never_the_other(app, client, world):
    """The same as the table above, said plainly for P1."""
    people, case, _ = world
    page = _text(_fetch(client, people["p1"], f"/my-cases/{case.reference}"))
    for marker in (EVERYONE, P1_SIDE, P1_OWN, SHARED_WITNESS_ACCOUNT):
        assert marker in page
    for marker in (P2_SIDE, P2_STATEMENT, FACILITATORS_ONLY, TEAM, *WITNESS_IDENTITY, *CONTACTS):
        assert marker not in page


def test_a_volunteer_reads_nothing_of_the_case(app, client, world):
    people, case, _ = world
    pages = [
        ("/tablet/", 200),
        ("/my-cases/", 200),
        (f"/my-cases/{case.reference}", 404),
        (f"/my-cases/{case.reference}/add", 404),
        ("/board/", 403),
        ("/due/", 403),
        (f"/cases/{case.reference}", 403),
        (f"/cases/{case.reference}/record", 403),
    ]
    _check("volunteer", _seen(client, people["volunteer"], pages))


def test_a_facilitator_who_is_a_party_reads_the_case_as_a_participant(app, client, world):
    people, case, _ = world
    user = people["staff_party"]
    pages = [
        *_participant_pages(case),
        ("/board/", 200),
        ("/board/closed", 200),
        ("/due/", 200),
        (f"/cases/{case.reference}", 404),
        (f"/cases/{case.reference}/record", 404),
        (f"/cases/{case.reference}/export.zip", 404),
    ]
    _check("staff_party", _seen(client, user, pages))
    for path in ("/board/", "/due/"):
        assert case.reference not in _text(_fetch(client, user, path)), path


def test_a_recused_facilitator_reads_nothing_of_the_case(app, client, world):
    people, case, _ = world
    user = people["recused"]
    pages = [
        ("/board/", 200),
        ("/due/", 200),
        (f"/my-cases/{case.reference}", 404),
        (f"/cases/{case.reference}", 404),
        (f"/cases/{case.reference}/record", 404),
        (f"/cases/{case.reference}/export.zip", 404),
        (f"/cases/{case.reference}/audit", 404),
    ]
    _check("recused", _seen(client, user, pages))
    for path in ("/board/", "/due/"):
        assert case.reference not in _text(_fetch(client, user, path)), path


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_a_facilitator_reads_everything_including_the_witness(app, client, world, who):
    people, case, _ = world
    ref = case.reference
    witness_entry = case.entries.where(entries.Entry.kind == "witness").first()
    pages = [
        ("/board/", 200),
        ("/due/", 200),
        (f"/cases/{ref}", 200),
        (f"/cases/{ref}/record", 200),
        (f"/cases/{ref}/export.zip", 200),
        (f"/cases/{ref}/entries/{witness_entry.id}/history", 200),
    ]
    seen = _seen(client, people[who], pages)
    case_page = seen[f"/cases/{ref}"]
    assert case_page >= ENTRY_MARKERS | WITNESS_IDENTITY | ACTIONS | CONTACTS
    # The contact details that "Add a person" took: on every copy of the case file.
    assert seen[f"/cases/{ref}/record"] >= CONTACTS
    assert seen[f"/cases/{ref}/export.zip"] >= CONTACTS
    assert {WITNESS_NAME, WITNESS_RELATION} <= seen[
        f"/cases/{ref}/entries/{witness_entry.id}/history"
    ]
    assert seen["/due/"] >= ACTIONS
    # Only this case's record: never another case's entries.
    assert all(OTHER_CASE not in found for found in seen.values())


def test_a_participants_board_is_refused_and_shows_nothing(app, client, world):
    people, _, _ = world
    response = _fetch(client, people["p1"], "/board/")
    assert response.status_code == 403
    text = _text(response)
    assert "Not available to you" in text
    assert not _markers(text)


def test_guessing_another_cases_reference_finds_nothing(app, client, world):
    people, case, other = world
    guessed = _fetch(client, people["p1"], f"/my-cases/{other.reference}")
    assert guessed.status_code == 404
    text = _text(guessed)
    assert not _markers(text)
    assert other.title not in text
    assert other.reference not in text
    # A case that exists answers exactly like one that does not.
    missing = _fetch(client, people["p1"], "/my-cases/RJ-1999-9999")
    assert missing.status_code == 404
    assert _without_tokens(text) == _without_tokens(_text(missing))
    assert _fetch(client, people["p1"], f"/my-cases/{other.reference}/add").status_code == 404
