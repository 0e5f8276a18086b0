"""The case page says where a case is and what comes next: the progress line, the Next
step panel (the same rules the board checks), record actions grouped by stage, the
timeline's order, filter and visibility chips, and the item just saved."""

from datetime import timedelta

from rj import cases, entries, i18n, workflow
from rj.clock import today, utcnow
from rj.models import Case
from tests.helpers import create_user, make_case, visible_text

HX = {"HX-Request": "true"}


def show(client, case, query=""):
    response = client.get(f"/cases/{case.reference}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def next_step(html):
    return visible_text(html, "next-step-heading", "process")


# --- The progress line and the Next step panel ------------------------------------------


def test_a_new_case_is_marked_in_filed_and_its_next_step_links_to_the_acknowledgement(
    client, login_as
):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    html = show(client, case)
    assert '<li class="is-current" aria-current="step">' in html
    text = next_step(html)
    assert text.startswith("Where the case is Filed (now) Acknowledged Investigating")
    assert "Next step Before it moves to Acknowledged: Record the acknowledgement" in text
    assert f'href="/cases/{case.reference}/acknowledgement"' in html
    assert "Move to Acknowledged" not in text


def test_once_nothing_is_missing_the_panel_moves_the_case_and_comes_back_to_it(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "in person")
    html = show(client, case)
    assert "Everything Acknowledged needs is recorded. Move to Acknowledged" in next_step(html)
    case = Case.get_by_id(case.id)
    response = client.post(
        f"/board/cases/{case.reference}/move",
        data={"to": "acknowledged", "version": case.version, "back": "case"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.reference}"
    assert Case.get_by_id(case.id).stage == "acknowledged"
    html = show(client, case)
    assert f"{case.reference} moved to Acknowledged." in visible_text(html, "flash")
    text = next_step(html)
    assert "Filed (done) Acknowledged (now)" in text
    assert "Before it moves to Investigating: Set the lead facilitator" in text


def test_the_panel_names_every_missing_step_of_the_next_stage_with_its_form(client, login_as):
    fac = login_as("facilitator")
    case = make_case("investigating", by=fac)
    text = next_step(show(client, case))
    assert "Before it moves to Hearing: Record findings" in text


def test_an_appeal_under_review_links_its_outcome_only_for_its_reviewer(client, login_as):
    fac = login_as("facilitator")
    reviewer = create_user("facilitator", display_name="Rev Iewer")
    case = make_case("followup", by=fac)
    cases.communicate_decision(case, fac, today())
    cases.appeal_case(Case.get_by_id(case.id), fac, "Unfair.", reviewer)
    case = Case.get_by_id(case.id)
    assert "The appeal is with Rev Iewer, who records its outcome." in next_step(show(client, case))
    assert f"/cases/{case.reference}/appeal/outcome" not in show(client, case)
    client.post("/signout")
    login_as(reviewer)
    assert "You review this appeal. Record the appeal's outcome" in next_step(show(client, case))


def test_a_refused_move_and_the_move_page_link_to_the_same_missing_steps(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    link = f'<a href="/cases/{case.reference}/acknowledgement">Record the acknowledgement</a>'
    assert link in show(client, case)
    page = client.get(f"/board/cases/{case.reference}/move").get_data(as_text=True)
    assert link in page
    data = {"to": "acknowledged", "version": case.version}
    refused = client.post(f"/board/cases/{case.reference}/move", data=data, headers=HX)
    assert refused.status_code == 422
    assert link in refused.get_data(as_text=True)
    assert Case.get_by_id(case.id).stage == "filed"


def test_the_acknowledgement_is_due_by_filed_s_target_on_the_board_and_the_case_page(
    client, login_as
):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    target = workflow.stage("filed").target_days
    due = today() + timedelta(days=target)
    assert Case.get_by_id(case.id).stage_due_on == due
    board = client.get("/board/").get_data(as_text=True)
    assert f"Target: {target} days in this stage." in board
    html = show(client, case)
    head = visible_text(html, "main", "next-step-heading")
    assert f"Due in this stage {i18n.day_text(due)}" in head
    assert f"Record the acknowledgement (Due {i18n.day_text(due)})" in visible_text(
        html, "record-heading"
    )


def test_moving_from_the_case_page_without_script_cancels_back_to_it(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    page = client.get(f"/board/cases/{case.reference}/move?back=case").get_data(as_text=True)
    assert f'<a class="button" href="/cases/{case.reference}" data-move-cancel>Cancel</a>' in page
    assert '<input type="hidden" name="back" value="case">' in page
    board = client.get(f"/board/cases/{case.reference}/move").get_data(as_text=True)
    assert f'href="/board/#case-{case.id}" data-move-cancel>Cancel</a>' in board


# --- Record actions by stage ----------------------------------------------------------


def test_the_records_of_the_current_stage_come_first_and_the_rest_fold_away(client, login_as):
    fac = login_as("facilitator")
    case = make_case("investigating", by=fac)
    html = show(client, case)
    text = visible_text(html, "record-heading")
    assert text.startswith(
        "Add to the record For Investigating, the stage it is in Add a statement "
        "Add a witness account Add evidence Record findings "
        "At any stage Add a note Declare a conflict Close early"
    )
    later = html[html.index('<details class="other-stages">') :]
    assert "Records for other stages" in later and "Schedule a meeting" in later
    assert "Add a check-in" in later


def test_a_closed_case_offers_only_to_reopen_it(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    case = Case.get_by_id(case.id)
    workflow.close_early(case, "withdrawn", "They asked to stop.", fac, case.version)
    text = visible_text(show(client, case), "record-heading")
    assert text.startswith(
        "Add to the record This case is closed Reopen the case Declare a conflict"
    )
    assert "Add a note" not in text


# --- The timeline -----------------------------------------------------------------------


def _timeline(html):
    return visible_text(html, "timeline-heading")


def test_the_timeline_order_is_chosen_and_remembered(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    entries.add_entry(case, fac, "note", "The first note.")
    entries.add_entry(case, fac, "note", "The second note.")
    oldest = _timeline(show(client, case))
    assert oldest.index("Incident filed") < oldest.index("The first note.")
    assert oldest.index("The first note.") < oldest.index("The second note.")
    response = client.get(f"/cases/{case.reference}?order=newest")
    newest = _timeline(response.get_data(as_text=True))
    assert newest.index("The second note.") < newest.index("The first note.")
    assert newest.index("The first note.") < newest.index("Incident filed")
    assert "mend_timeline_order=newest" in response.headers["Set-Cookie"]
    again = _timeline(show(client, case))  # no choice in the address: the one remembered
    assert again.index("The second note.") < again.index("The first note.")
    assert 'aria-current="true">Newest first</a>' in show(client, case)


def test_an_unknown_order_or_filter_falls_back_without_an_error(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    response = client.get(f"/cases/{case.reference}?order=sideways&show=%00x" + "x" * 5000)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers or "mend_timeline" not in response.headers.get(
        "Set-Cookie", ""
    )
    assert "Incident filed" in _timeline(response.get_data(as_text=True))


def test_the_timeline_filter_shows_one_kind_and_says_how_many_are_hidden(client, login_as):
    fac = login_as("facilitator")
    case = make_case("acknowledged", by=fac)
    entries.add_entry(case, fac, "note", "A note for the team.", audience="team")
    entries.add_entry(case, fac, "statement", "What I saw.", audience="facilitators")
    text = _timeline(show(client, case, "?show=moves"))
    assert "Showing stage moves only: 1 of 5." in text
    assert "Moved from Filed to Acknowledged" in text
    assert "A note for the team." not in text and "What I saw." not in text
    accounts = _timeline(show(client, case, "?show=accounts"))
    assert "What I saw." in accounts and "Moved from" not in accounts


def test_every_item_says_who_can_read_it_in_words_and_a_lock_marks_facilitators_only(
    client, login_as
):
    fac = login_as("facilitator")
    case = make_case("acknowledged", by=fac)
    note = entries.add_entry(case, fac, "note", "Private.", audience="facilitators")
    shared = entries.add_entry(case, fac, "finding", "Shared.", audience="everyone")
    html = show(client, case)
    private = html[html.index(f'id="entry-{note.id}"') :]
    private = private[: private.index("</header>")]
    assert "Who can read it: Facilitators only" in visible_text(private)
    assert 'class="chip visibility vis-facilitators"' in private and "#lock" in private
    public = html[html.index(f'id="entry-{shared.id}"') :]
    assert "Who can read it: Everyone in the case" in visible_text(public[: public.index("</li>")])
    moves = html[html.index('class="timeline-item kind-move is-move"') :]
    assert "Who can read it: Facilitators only" in visible_text(moves[: moves.index("</li>")])


def test_a_saved_item_carries_its_confirmation_and_the_page_top_does_not(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac, parties=[("harmed", None, "Ash")])
    response = client.post(
        f"/cases/{case.reference}/checkins/new",
        data={"due_on": (today() + timedelta(days=3)).isoformat()},
    )
    location = response.headers["Location"]
    checkin = case.checkins.get()
    assert location == f"/cases/{case.reference}?saved=checkin-{checkin.id}#checkin-{checkin.id}"
    html = client.get(location).get_data(as_text=True)
    item = html[html.index(f'id="checkin-{checkin.id}"') :]
    assert item.startswith(f'id="checkin-{checkin.id}">')
    assert "The check-in is added." in visible_text(item[: item.index("</li>")])
    anchor = html.index(f'id="checkin-{checkin.id}"')
    assert "is-saved" in html[html.rindex("<li", 0, anchor) : anchor]
    assert visible_text(html, "flash", "page-alert") == ""


def test_a_saved_person_is_confirmed_beside_them(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    response = client.post(
        f"/cases/{case.reference}/parties/new", data={"name": "Pat", "side": "harmed"}
    )
    party = case.parties.get()
    assert response.headers["Location"].endswith(f"?saved=party-{party.id}#party-{party.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert visible_text(html, f"party-{party.id}").startswith("Pat is added as harmed. Pat Harmed")
