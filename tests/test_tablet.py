"""The tablet: drafts kept on the server, one account per submission, nothing lost."""

import re
from datetime import timedelta

import pytest

from rj.clock import utcnow
from rj.models import Case, Entry, EntryRevision, User, WitnessDraft
from tests.helpers import create_user, make_case, sign_in_session

FIELDS = {
    "witness_name": "Wren Witness",
    "relation": "Was in the queue",
    "account": "Saw a cup thrown at the wall.",
    "when_where": "About 3pm, by the kitchen",
    "taken_by": "Val",
}


@pytest.fixture
def vol(app, login_as):
    return login_as("volunteer", display_name="Val Volunteer")


def start(client, case=None):
    response = client.post("/tablet/drafts", data={"case": case.reference if case else ""})
    assert response.status_code == 302
    key = response.headers["Location"].rsplit("/", 1)[1]
    return WitnessDraft.get(WitnessDraft.key == key)


def test_the_tablet_lists_only_cases_open_to_witness_accounts(client, vol):
    open_case = make_case("investigating", title="Cup thrown in the kitchen")
    later = make_case("hearing", title="Already at hearing")
    html = client.get("/tablet/").get_data(as_text=True)
    assert open_case.reference in html and "Cup thrown in the kitchen" in html
    assert later.reference not in html
    assert "Something happened." not in html  # nothing of the record itself


def test_a_draft_autosaves_and_comes_back_only_to_its_author(client, app, vol):
    draft = start(client, make_case("filed"))
    page = client.get(f"/tablet/drafts/{draft.key}").get_data(as_text=True)
    assert 'name="witness_name"' in page and 'autocomplete="off"' in page
    assert (
        client.post(
            f"/tablet/drafts/{draft.key}/autosave", data={**FIELDS, "account": "Half written"}
        ).status_code
        == 204
    )
    assert "Half written" in client.get(f"/tablet/drafts/{draft.key}").get_data(as_text=True)
    sign_in_session(client, create_user("volunteer"))
    assert client.get(f"/tablet/drafts/{draft.key}").status_code == 404
    assert client.post(f"/tablet/drafts/{draft.key}/autosave", data=FIELDS).status_code == 404


def test_sending_twice_saves_one_account(client, vol):
    case = make_case("investigating")
    draft = start(client, case)
    data = {**FIELDS, "token": draft.token}
    first = client.post(f"/tablet/drafts/{draft.key}/submit", data=data)
    second = client.post(f"/tablet/drafts/{draft.key}/submit", data=data)
    assert first.status_code == second.status_code == 200
    assert f"for {case.reference}" in first.get_data(as_text=True)
    assert "Log another" in first.get_data(as_text=True)
    witness = Entry.select().where((Entry.case == case) & (Entry.kind == "witness"))
    assert witness.count() == 1
    entry = witness.get()
    assert entry.audience == "facilitators" and entry.author_id == vol.id
    assert "Wren Witness" not in entry.body  # the identity stays in the revision's header
    revision = EntryRevision.get(EntryRevision.entry == entry)
    assert "Wren Witness" in revision.body


def test_a_resend_after_a_timeout_answers_the_same_receipt_as_json(client, vol):
    case = make_case("filed")
    draft = start(client, case)
    headers = {"Accept": "application/json"}
    data = {**FIELDS, "token": draft.token}
    one = client.post(f"/tablet/drafts/{draft.key}/submit", data=data, headers=headers).get_json()
    two = client.post(f"/tablet/drafts/{draft.key}/submit", data=data, headers=headers).get_json()
    assert one == two and one["reference"] == case.reference


def test_an_account_queued_offline_is_credited_after_a_sign_out(client, app, vol):
    draft = start(client, make_case("filed"))
    client.post("/signout")
    response = client.post(
        f"/tablet/drafts/{draft.key}/submit",
        data={**FIELDS, "token": draft.token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    entry = WitnessDraft.get_by_id(draft.id).entry
    assert entry.author_id == vol.id


def test_a_wrong_token_sends_nothing(client, app, vol):
    draft = start(client, make_case("filed"))
    client.post("/signout")
    response = client.post(
        f"/tablet/drafts/{draft.key}/submit",
        data={**FIELDS, "token": "guess"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert not Entry.select().where(Entry.kind == "witness").exists()
    unknown = client.post("/tablet/drafts/nope/submit", data={**FIELDS, "token": "x"})
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("witness_name", "Give the witness&#39;s name, or tick &#34;prefers not to say&#34;."),
        ("relation", "Say how they relate to what happened."),
        ("account", "Write what they saw and heard."),
        ("when_where", "Say when and where it happened."),
        ("taken_by", "Say who took this account."),
    ],
)
def test_missing_details_are_shown_beside_the_field_and_nothing_is_lost(
    client, vol, field, message
):
    draft = start(client, make_case("filed"))
    data = {**FIELDS, field: "", "token": draft.token}
    response = client.post(f"/tablet/drafts/{draft.key}/submit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in html
    assert "Saw a cup thrown at the wall." in html or field == "account"
    assert WitnessDraft.get_by_id(draft.id).status == "draft"
    assert not Entry.select().where(Entry.kind == "witness").exists()


def test_prefers_not_to_say_is_a_valid_answer(client, vol):
    draft = start(client, make_case("filed"))
    data = {**FIELDS, "witness_name": "", "prefers_not_to_say": "1", "token": draft.token}
    assert client.post(f"/tablet/drafts/{draft.key}/submit", data=data).status_code == 200


def test_a_quick_incident_report_files_a_case(client, vol):
    draft = start(client)
    response = client.post(
        f"/tablet/drafts/{draft.key}/submit", data={**FIELDS, "token": draft.token}
    )
    assert response.status_code == 200
    case = Case.get(Case.title == "Incident reported on the tablet")
    assert (case.kind, case.stage, case.created_by_id) == ("incident", "filed", vol.id)
    assert Entry.get(Entry.case == case).kind == "witness"


def test_a_discarded_draft_cannot_be_sent(client, vol):
    draft = start(client, make_case("filed"))
    client.post(f"/tablet/drafts/{draft.key}/discard")
    assert WitnessDraft.get_by_id(draft.id).status == "discarded"
    response = client.post(
        f"/tablet/drafts/{draft.key}/submit", data={**FIELDS, "token": draft.token}
    )
    assert response.status_code in (404, 422)
    assert not Entry.select().where(Entry.kind == "witness").exists()


def test_a_volunteer_corrects_their_account_for_a_short_while(client, vol):
    draft = start(client, make_case("filed"))
    client.post(f"/tablet/drafts/{draft.key}/submit", data={**FIELDS, "token": draft.token})
    response = client.post(
        f"/tablet/drafts/{draft.key}/correct",
        data={"account": "Saw a mug thrown.", "reason": "It was a mug"},
    )
    assert response.status_code == 302
    entry = WitnessDraft.get_by_id(draft.id).entry
    assert entry.revision == 2 and entry.body.startswith("Saw a mug thrown.")
    WitnessDraft.update(submitted_at=utcnow() - timedelta(minutes=20)).where(
        WitnessDraft.id == draft.id
    ).execute()
    late = client.post(f"/tablet/drafts/{draft.key}/correct", data={"account": "Again"})
    assert late.status_code == 302
    assert Entry.get_by_id(entry.id).revision == 2


def test_volunteers_cannot_browse_cases_or_accounts(client, vol):
    case = make_case("filed")
    assert client.get(f"/cases/{case.reference}").status_code == 403
    assert client.get("/board/").status_code == 403


def test_a_draft_untouched_for_a_day_shows_on_the_due_page(client, app, vol):
    case = make_case("filed")
    draft = start(client, case)
    WitnessDraft.update(updated_at=utcnow() - timedelta(hours=30), account="SECRET TEXT").where(
        WitnessDraft.id == draft.id
    ).execute()
    sign_in_session(client, create_user("facilitator"))
    html = client.get("/due/").get_data(as_text=True)
    assert case.reference in html and "Val Volunteer" in html
    assert "SECRET TEXT" not in html
    assert re.search(r"Witness accounts left unsent \(1\)", html)
    assert User.get_by_id(vol.id)
