"""The tablet: drafts kept on the server, one account per submission, nothing lost."""

import json
import re
from datetime import timedelta

import pytest

from rj import accounts, cases, entries, tablet
from rj.clock import utcnow
from rj.models import AuditRecord, Case, Entry, EntryRevision, WitnessDraft
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
        f"/tablet/drafts/{draft.key}/submit",
        data={**FIELDS, "token": draft.token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.get_json() == {
        "errors": {"form": "This account was discarded, so it was not sent."}
    }
    assert not Entry.select().where(Entry.kind == "witness").exists()


def sent(client, case=None, **changes):
    draft = start(client, case)
    data = {**FIELDS, **changes, "token": draft.token}
    assert client.post(f"/tablet/drafts/{draft.key}/submit", data=data).status_code == 200
    return WitnessDraft.get_by_id(draft.id)


def test_a_volunteer_corrects_their_account_for_a_short_while(client, vol):
    draft = sent(client, make_case("filed"))
    page = client.get(f"/tablet/drafts/{draft.key}/correct").get_data(as_text=True)
    assert "Saw a cup thrown at the wall." in page and 'name="revision" value="1"' in page
    response = client.post(
        f"/tablet/drafts/{draft.key}/correct",
        data={"account": "Saw a mug thrown.", "reason": "It was a mug", "revision": "1"},
    )
    assert response.status_code == 302
    entry = WitnessDraft.get_by_id(draft.id).entry
    assert entry.revision == 2 and entry.body.startswith("Saw a mug thrown.")
    assert "Wren Witness" in entries.latest_revision(entry).body  # the witness is kept
    WitnessDraft.update(submitted_at=utcnow() - timedelta(minutes=20)).where(
        WitnessDraft.id == draft.id
    ).execute()
    late = client.post(
        f"/tablet/drafts/{draft.key}/correct", data={"account": "Again", "revision": "2"}
    )
    assert late.status_code == 302
    assert Entry.get_by_id(entry.id).revision == 2


def test_a_submitted_draft_keeps_no_copy_of_the_account(client, vol):
    draft = sent(client, make_case("filed"))
    assert (draft.status, draft.entry_id) != ("draft", None)
    for name in ("witness_name", "relation", "account", "when_where", "taken_by"):
        assert getattr(draft, name) == "", name
    assert draft.key and draft.author_id == vol.id and draft.submitted_at


def test_a_correction_with_no_change_is_refused_beside_the_field(client, vol):
    draft = sent(client, make_case("filed"))
    body = draft.entry.body
    response = client.post(
        f"/tablet/drafts/{draft.key}/correct",
        data={"account": body, "reason": "", "revision": "1"},
    )
    assert response.status_code == 422
    assert 'id="account-error">Nothing was changed.' in response.get_data(as_text=True)


def test_the_correction_page_shows_a_facilitators_correction_and_refuses_a_stale_one(client, vol):
    draft = sent(client, make_case("filed"))
    facilitator = create_user("facilitator")
    witness = entries.witness_of(entries.latest_revision(draft.entry).body)
    entries.correct_entry(
        draft.entry, facilitator, "A facilitator's wording.", "Clarified", 1, witness=witness
    )
    response = client.post(
        f"/tablet/drafts/{draft.key}/correct",
        data={"account": "My late change.", "reason": "x", "revision": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "A facilitator changed this account a moment ago." in html
    assert "A facilitator&#39;s wording." in html and 'name="revision" value="2"' in html
    assert Entry.get_by_id(draft.entry_id).body == "A facilitator's wording."


def test_a_redacted_account_shows_the_placeholder_and_cannot_be_corrected(client, vol):
    draft = sent(client, make_case("filed"))
    entries.redact_entry(draft.entry, create_user("facilitator"), "Named a third person")
    page = client.get(f"/tablet/drafts/{draft.key}/correct").get_data(as_text=True)
    assert "[redacted]" in page and "Saw a cup thrown" not in page
    assert "can no longer be corrected" in page and 'name="account"' not in page
    response = client.post(
        f"/tablet/drafts/{draft.key}/correct",
        data={"account": "Saw a cup thrown again.", "reason": "x", "revision": "1"},
    )
    assert response.status_code == 409
    assert Entry.get_by_id(draft.entry_id).body == "[redacted]"


def test_a_quick_report_files_neutral_facts_and_keeps_the_account_in_the_entry(client, vol):
    draft = sent(client)
    case = draft.case
    assert case.title == "Incident reported on the tablet"
    assert (case.what_happened, case.location) == ("", "")
    assert "cup" not in " ".join(str(v) for v in cases.facts_of(case).values())
    assert Entry.get(Entry.case == case).body.startswith("Saw a cup thrown")


def test_an_over_long_account_is_refused_whole_and_kept_whole(client, vol):
    draft = start(client, make_case("filed"))
    long_account = "x" * 25_014
    response = client.post(
        f"/tablet/drafts/{draft.key}/submit",
        data={**FIELDS, "account": long_account, "token": draft.token},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="account-error">What they saw and heard can be at most 20,000 characters: ' in html
    assert "this has 25,014" in html and long_account in html
    kept = WitnessDraft.get_by_id(draft.id)
    assert kept.status == "draft" and kept.account == long_account
    assert not Entry.select().where(Entry.kind == "witness").exists()


def test_a_queued_account_refused_on_sending_is_kept_in_its_draft(client, app, vol):
    draft = start(client, make_case("filed"))
    client.post("/signout")
    response = client.post(
        f"/tablet/drafts/{draft.key}/submit",
        data={**FIELDS, "taken_by": "", "token": draft.token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"taken_by": "Say who took this account."}}
    kept = WitnessDraft.get_by_id(draft.id)
    assert (kept.status, kept.account, kept.witness_name) == (
        "draft",
        FIELDS["account"],
        FIELDS["witness_name"],
    )


def test_a_turned_off_volunteers_account_is_kept_and_sent_by_a_facilitator(client, vol):
    case = make_case("filed")
    draft = start(client, case)
    accounts.deactivate(vol)
    response = client.post(
        f"/tablet/drafts/{draft.key}/submit",
        data={**FIELDS, "token": draft.token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.get_json()["errors"]["form"].startswith(
        "This account was turned off; ask a facilitator."
    )
    assert not Entry.select().where(Entry.kind == "witness").exists()
    kept = WitnessDraft.get_by_id(draft.id)
    assert kept.status == "draft" and kept.account == FIELDS["account"]

    facilitator = create_user("facilitator", display_name="Fay Facil")
    sign_in_session(client, facilitator)
    due_page = client.get("/due/").get_data(as_text=True)
    assert f"/due/drafts/{draft.key}" in due_page  # at once, not after a day
    assert FIELDS["account"] not in due_page
    assert FIELDS["account"] in client.get(f"/due/drafts/{draft.key}").get_data(as_text=True)
    response = client.post(f"/due/drafts/{draft.key}", data=FIELDS)
    assert response.status_code == 302
    entry = Entry.get((Entry.case == case) & (Entry.kind == "witness"))
    assert entry.author_id == vol.id and entry.body.startswith(FIELDS["account"])
    record = AuditRecord.get(AuditRecord.action == "draft.submitted")
    assert record.actor_id == facilitator.id
    assert json.loads(record.details)["for_account"] == vol.id
    assert client.get(f"/due/drafts/{draft.key}").status_code == 404  # sent: gone from Due


def test_only_drafts_of_turned_off_accounts_can_be_sent_by_a_facilitator(client, vol):
    draft = start(client, make_case("filed"))
    sign_in_session(client, create_user("facilitator"))
    assert client.get(f"/due/drafts/{draft.key}").status_code == 404
    assert client.post(f"/due/drafts/{draft.key}", data=FIELDS).status_code == 404


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
    # A draft touched today is somebody's work in progress, not listed.
    fresh = tablet.start(vol, case)
    html = client.get("/due/").get_data(as_text=True)
    assert re.search(r"Witness accounts left unsent \(1\)", html)
    assert f"/due/drafts/{fresh.key}" not in html
