"""Filing a case and the case page."""

import pytest

from rj import cases
from rj.clock import utcnow
from rj.models import AuditRecord, Case
from tests.helpers import create_user, make_case, sign_in_session

VALID = {
    "title": "Shouting near the lockers",
    "what_happened": "Two people argued loudly about a locker.",
    "occurred_at": "2026-01-05T14:30",
    "location": "Locker room",
    "people_involved": "Two regulars",
    "raised_by": "Sam, front desk volunteer",
    "severity": "medium",
    "safety_steps": "Separated them; offered water.",
}


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator", display_name="Fen Facil")


@pytest.mark.parametrize("kind", ["complaint", "incident"])
def test_filing_a_case_puts_it_in_filed_with_a_reference(client, fac, kind):
    response = client.post(f"/cases/new/{kind}", data=VALID)
    assert response.status_code == 302
    case = Case.get()
    assert response.headers["Location"] == f"/cases/{case.reference}"
    assert (case.kind, case.stage, case.severity) == (kind, "filed", "medium")
    assert case.raised_by == "Sam, front desk volunteer"
    assert case.created_by_id == fac.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shouting near the lockers" in page and "Separated them; offered water." in page
    assert f"{kind.title()} filed" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the case a short neutral title."),
        ("title", "x" * 121, "Use at most 120 characters: this has 121."),
        ("what_happened", " ", "Say what happened."),
        ("occurred_at", "", "Say when it happened."),
        ("occurred_at", "yesterday", "Not a valid datetime value."),
        ("occurred_at", "2999-01-01T10:00", "This cannot be in the future."),
        ("occurred_at", "1990-01-01T10:00", "Give a date after 2000."),
        ("location", "", "Say where it happened."),
        ("raised_by", "", "Say who raised it."),
        ("severity", "apocalyptic", "Not a valid choice."),
    ],
)
def test_each_bad_field_is_refused_beside_the_field_and_nothing_is_saved(
    client, fac, field, value, message
):
    response = client.post("/cases/new/complaint", data={**VALID, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in html
    assert not Case.select().exists()


def test_an_unknown_kind_of_case_is_a_404(client, fac):
    assert client.get("/cases/new/rumour").status_code == 404


def test_case_page_shows_the_timeline_in_order_and_records_the_view(client, fac):
    case = make_case("acknowledged", by=fac)
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    timeline = html[html.index('id="timeline-heading"') :]
    filed, acknowledged, moved = (
        timeline.index("Incident filed"),
        timeline.index('"item-kind">Acknowledged</span>'),
        timeline.index("Moved from Filed to Acknowledged"),
    )
    assert filed < acknowledged < moved
    assert "Fen Facil" in html
    assert (
        AuditRecord.select()
        .where((AuditRecord.action == "case.viewed") & (AuditRecord.case == case.id))
        .exists()
    )


def test_a_recused_facilitator_gets_a_404_and_other_roles_a_403(client, app, fac):
    case = make_case("filed")
    cases.declare_conflict(case, fac, "Flatmate")
    assert client.get(f"/cases/{case.reference}").status_code == 404
    assert client.get("/cases/RJ-1999-0001").status_code == 404
    volunteer = create_user("volunteer")
    sign_in_session(client, volunteer)
    assert client.get(f"/cases/{case.reference}").status_code == 403
    assert client.post("/cases/new/incident", data=VALID).status_code == 403


def test_cards_link_to_their_case_page(client, fac):
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "phone")
    html = client.get("/board/").get_data(as_text=True)
    assert f'<a class="ref" href="/cases/{case.reference}">{case.reference}</a>' in html


def test_facilitators_see_who_viewed_and_changed_a_case(client, fac, app):
    other = create_user("facilitator", display_name="Olu Other")
    case = make_case("acknowledged", by=fac)
    sign_in_session(client, other)
    client.get(f"/cases/{case.reference}")
    sign_in_session(client, fac)
    html = client.get(f"/cases/{case.reference}/audit").get_data(as_text=True)
    assert "Olu Other" in html and "case.viewed" in html and "case.moved" in html
    assert "audit.viewed" in client.get(f"/cases/{case.reference}/audit").get_data(as_text=True)


# --- The facts of a case ----------------------------------------------------------

FACTS = {k: v for k, v in VALID.items() if k != "severity"}


def test_correcting_the_facts_adds_a_revision_and_keeps_the_first(client, fac):
    client.post("/cases/new/complaint", data=VALID)
    case = Case.get()
    form = client.get(f"/cases/{case.reference}/facts").get_data(as_text=True)
    assert "Shouting near the lockers" in form and 'name="revision" type="hidden" value="1"' in form
    data = {**FACTS, "location": "The lockers by the door", "reason": "Place was vague"}
    response = client.post(f"/cases/{case.reference}/facts", data={**data, "revision": "1"})
    assert response.status_code == 302
    case = Case.get_by_id(case.id)
    assert (case.location, case.facts_revision) == ("The lockers by the door", 2)
    history = client.get(f"/cases/{case.reference}/facts/history").get_data(as_text=True)
    assert "Locker room" in history and "The lockers by the door" in history
    assert "Place was vague" in history
    record = AuditRecord.get(AuditRecord.action == "case.facts_corrected")
    assert "lockers" not in record.details and '"location"' in record.details


def test_a_facts_correction_on_a_stale_page_is_refused_with_409(client, fac):
    client.post("/cases/new/complaint", data=VALID)
    case = Case.get()
    other = create_user("facilitator")
    cases.correct_facts(case, other, {**cases.facts_of(case), "title": "Theirs"}, "x", 1)
    data = {**FACTS, "title": "Mine", "reason": "y", "revision": "1"}
    response = client.post(f"/cases/{case.reference}/facts", data=data)
    assert response.status_code == 409
    assert "corrected by someone else while you were editing" in response.get_data(as_text=True)
    assert Case.get_by_id(case.id).title == "Theirs"


def test_a_facts_correction_that_changes_nothing_is_refused(client, fac):
    client.post("/cases/new/complaint", data=VALID)
    case = Case.get()
    data = {**FACTS, "reason": "Just checking", "revision": "1"}
    response = client.post(f"/cases/{case.reference}/facts", data=data)
    assert response.status_code == 422
    assert 'id="what_happened-error">Nothing was changed.' in response.get_data(as_text=True)


def test_redacting_facts_blanks_them_in_every_revision_and_says_who_and_why(client, fac):
    client.post("/cases/new/complaint", data=VALID)
    case = Case.get()
    cases.correct_facts(case, fac, {**cases.facts_of(case), "people_involved": "Al, Bo"}, "x", 1)
    response = client.post(
        f"/cases/{case.reference}/facts/redact",
        data={"fields": ["people_involved", "raised_by"], "reason": "Named a child"},
    )
    assert response.status_code == 302
    history = client.get(f"/cases/{case.reference}/facts/history").get_data(as_text=True)
    assert "Al, Bo" not in history and "Two regulars" not in history and "Sam, front" not in history
    assert "Redacted by Fen Facil" in history and "Named a child" in history
    case = Case.get_by_id(case.id)
    assert (case.people_involved, case.raised_by) == ("[redacted]", "[redacted]")
    assert case.what_happened == VALID["what_happened"]  # only what was chosen
    redaction = cases.redactions(case).get()
    assert redaction.fields == "people_involved,raised_by" and len(redaction.digest) == 64


def test_a_facts_redaction_needs_a_choice_and_a_reason(client, fac):
    client.post("/cases/new/complaint", data=VALID)
    case = Case.get()
    response = client.post(f"/cases/{case.reference}/facts/redact", data={"reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="fields-error">Choose which facts to redact.' in html
    assert 'id="reason-error">Say why these facts are redacted.' in html
    assert Case.get_by_id(case.id).title == VALID["title"]
