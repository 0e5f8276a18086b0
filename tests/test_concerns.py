"""Raising a concern from "My cases", the severity a concern arrives with and how a
facilitator sets it, and the board's notice of new, unassessed concerns."""

import pytest

from rj import cases, concerns, settings, tablet
from rj.clock import utcnow
from rj.models import AuditRecord, Case, Entry, Party
from rj.refusals import Refused
from tests.helpers import count_queries, create_user, make_case, visible_text


@pytest.fixture
def fac(app):
    return create_user("facilitator")


# --- A participant raises a complaint ---------------------------------------------------


def test_a_participant_raises_a_complaint_from_my_cases(client, login_as, fac):
    pat = login_as("participant", display_name="Pat Person")
    page = client.get("/my-cases/")
    assert "Raise a concern" in page.get_data(as_text=True)
    response = client.post(
        "/my-cases/raise",
        data={"what_happened": "Kim took my bag and laughed.", "when_where": "Monday, lounge"},
    )
    case = Case.get()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/my-cases/{case.reference}")
    assert case.stage == "filed" and case.kind == "complaint"
    assert case.severity == "unassessed" and case.raised_via == "participant"
    assert case.title.startswith("Concern raised on ") and "Kim" not in case.title
    assert case.what_happened == "" and case.created_by_id == pat.id
    party = Party.get(Party.case == case)
    assert party.side == "harmed" and party.person.user_id == pat.id
    statement = Entry.get(Entry.case == case)
    assert statement.kind == "statement" and statement.audience == "party"
    assert statement.audience_party_id == party.id and statement.author_id == pat.id
    assert "Kim took my bag" in statement.body and "Monday, lounge" in statement.body
    mine = client.get("/my-cases/").get_data(as_text=True)
    assert case.reference in mine
    shown = client.get(f"/my-cases/{case.reference}").get_data(as_text=True)
    assert "Kim took my bag" in shown  # their own words, shared with their side


def test_the_other_side_never_sees_the_account_in_the_title_or_facts(client, login_as, fac):
    login_as("participant")
    client.post("/my-cases/raise", data={"what_happened": "Kim took my bag."})
    case = Case.get()
    kim = create_user("participant")
    cases.add_party(case, cases.add_person("Kim", user=kim), "caused", fac)
    login_as(kim)
    html = client.get(f"/my-cases/{case.reference}").get_data(as_text=True)
    assert "took my bag" not in html


def test_a_participant_s_complaint_is_on_the_board_in_filed_not_yet_assessed(client, login_as, fac):
    login_as("participant")
    client.post("/my-cases/raise", data={"what_happened": "Something happened."})
    login_as(fac)
    html = client.get("/board/").get_data(as_text=True)
    column = html[html.index('id="cards-filed"') : html.index('id="cards-acknowledged"')]
    assert Case.get().reference in column and "Not yet assessed" in column


def test_an_empty_or_too_long_complaint_is_refused_beside_the_field(client, login_as):
    login_as("participant")
    empty = client.post("/my-cases/raise", data={"what_happened": ""})
    assert empty.status_code == 422 and "Tell us what happened." in empty.get_data(as_text=True)
    long = client.post("/my-cases/raise", data={"what_happened": "x" * 5001})
    assert long.status_code == 422 and "5,000" in long.get_data(as_text=True)
    assert Case.select().count() == 0


# --- Severity -------------------------------------------------------------------------------


def test_filing_offers_no_not_yet_assessed_and_no_default(client, login_as):
    login_as("facilitator")
    html = client.get("/cases/new/incident").get_data(as_text=True)
    start = html.index('name="severity"')
    select = html[start : html.index("</select>", start)]
    assert "Not yet assessed" not in select and 'value="unassessed"' not in select
    assert '<option value="">Choose…</option><option value="low">' in select
    assert "selected" not in select  # nothing chosen until the facilitator chooses


def test_staff_cannot_file_a_case_not_yet_assessed(fac):
    with pytest.raises(Refused) as refused:
        cases.file_case(fac, "incident", "A title", "x", utcnow(), "here", "unassessed")
    assert refused.value.field == "severity"


def test_a_quick_report_from_the_tablet_arrives_not_yet_assessed(app):
    volunteer = create_user("volunteer")
    draft = tablet.start(volunteer)
    tablet.submit(
        draft.key,
        draft.token,
        tablet.Fields("Wren", False, "In the queue", "Saw it.", "3pm, kitchen", "Val"),
    )
    case = Case.get()
    assert case.severity == "unassessed" and case.raised_via == "tablet"
    assert case.opened_at is None


def test_a_facilitator_sets_the_severity_from_the_case_page(client, login_as):
    fac = login_as("facilitator")
    settings.put(concerns.PUBLIC_FILING, True)
    case, _ = concerns.raise_publicly(concerns.Concern("Something happened."), "k")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    head = visible_text(page, "main", "next-step-heading")
    assert "Severity Not yet assessed Severity Choose… Low" in head
    assert "Set the severity" in head and "Came in Raised publicly" in head
    response = client.post(f"/cases/{case.reference}/severity", data={"severity": "urgent"})
    assert response.status_code == 302
    assert Case.get_by_id(case.id).severity == "urgent"
    record = AuditRecord.get(AuditRecord.action == "case.severity_set")
    assert record.actor_id == fac.id and '"to": "urgent"' in record.details
    back = client.post(f"/cases/{case.reference}/severity", data={"severity": "unassessed"})
    assert back.status_code == 422 and Case.get_by_id(case.id).severity == "urgent"


def test_the_board_filters_on_not_yet_assessed(client, login_as):
    fac = login_as("facilitator")
    make_case("filed", by=fac, title="Assessed one")
    settings.put(concerns.PUBLIC_FILING, True)
    raised, _ = concerns.raise_publicly(concerns.Concern("Something happened."), "k")
    html = client.get("/board/?severity=unassessed").get_data(as_text=True)
    assert raised.reference in html and "Assessed one" not in html
    assert '<option value="unassessed" selected>Not yet assessed</option>' in html


# --- The board's notice ---------------------------------------------------------------------


def test_the_board_shows_new_unassessed_concerns_until_a_facilitator_opens_them(client, login_as):
    fac = login_as("facilitator")
    settings.put(concerns.PUBLIC_FILING, True)
    for i in range(30):
        make_case("filed", by=fac, title=f"Older case {i}")
    raised, _ = concerns.raise_publicly(concerns.Concern("Someone is threatening me."), "k")
    html = client.get("/board/").get_data(as_text=True)
    notice = html[html.index('id="new-concerns"') : html.index('id="board-message"')]
    assert "1 new concern not yet assessed" in notice
    assert raised.reference in notice and "Raised publicly" in notice
    card = html[html.index(f'id="case-{raised.id}"') :][:1200]
    assert "Raised publicly" in card and "Not yet assessed" in card
    first = client.get("/board/")
    tag = first.headers["ETag"].strip('"')
    client.get(f"/cases/{raised.reference}")  # opened: it leaves the notice
    poll = {"X-Mend-Background": "1", "If-None-Match": tag, "HX-Request": "true"}
    assert client.get("/board/", headers=poll).status_code == 200  # the board changed
    html = client.get("/board/").get_data(as_text=True)
    assert "not yet assessed</h2>" not in html


def test_the_notice_costs_one_query_whatever_the_number_of_concerns(client, login_as):
    login_as("facilitator")
    settings.put(concerns.PUBLIC_FILING, True)
    concerns.raise_publicly(concerns.Concern("One."), "k1")
    with_one = count_queries(client, "/board/")
    for i in range(12):
        concerns.raise_publicly(concerns.Concern(f"More {i}."), f"m{i}")
    html = client.get("/board/").get_data(as_text=True)
    assert "13 new concerns not yet assessed" in html and "And 8 more in Filed." in html
    assert count_queries(client, "/board/") == with_one


def test_a_concern_the_facilitator_may_not_see_is_not_in_their_notice(client, login_as):
    fac = login_as("facilitator")
    settings.put(concerns.PUBLIC_FILING, True)
    hidden, _ = concerns.raise_publicly(concerns.Concern("Hidden."), "k")
    cases.declare_conflict(hidden, fac)
    html = client.get("/board/").get_data(as_text=True)
    assert hidden.reference not in html
