"""Recording each step of the restorative process on a case."""

import html as htmllib
import json
from datetime import timedelta

import pytest

from rj import cases, i18n
from rj.clock import local, today, utcnow
from rj.models import (
    Acknowledgement,
    Action,
    Appeal,
    AuditRecord,
    Case,
    CheckIn,
    CommunityAssessment,
    Conflict,
    Meeting,
    Party,
    Person,
    Reflection,
    Representative,
)
from rj.refusals import Stale
from tests.helpers import create_user, make_case, sign_in_session, visible_text

PARTIES = [("harmed", None, "Ash Example"), ("caused", None, "Bay Sample")]


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator", display_name="Fen Facil")


def page(client, case):
    """The case page as the signed-in user sees it, with HTML entities decoded."""
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 200
    return htmllib.unescape(response.get_data(as_text=True))


def panel(client, case):
    """The words beside the timeline: people, what is open, what can be recorded."""
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 200
    return visible_text(response.get_data(as_text=True), "process", "timeline-heading")


def post(client, case, path, data, **kwargs):
    return client.post(f"/cases/{case.reference}/{path}", data=data, **kwargs)


def error_beside(response, field, message):
    body = htmllib.unescape(response.get_data(as_text=True))
    return f'id="{field}-error">{message}' in body


def local_input(dt):
    """A stored UTC time as a datetime-local input value in the organisation's zone."""
    return local(dt).strftime("%Y-%m-%dT%H:%M")


def party_of(case, side):
    return Party.get((Party.case == case) & (Party.side == side))


# --- 1. Acknowledgement ------------------------------------------------------


def test_acknowledgement_by_the_signed_in_facilitator_is_recorded_and_shown(client, fac):
    case = make_case("filed", by=fac)
    form = client.get(f"/cases/{case.reference}/acknowledgement").get_data(as_text=True)
    assert f'<option selected value="{fac.id}">' in form
    assert "within 2 days of filing" in form  # the Filed stage's target
    at = utcnow() - timedelta(hours=2)
    response = post(
        client,
        case,
        "acknowledgement",
        {"by": fac.id, "at": local_input(at), "method": "phone", "note": "Called them back."},
    )
    assert response.status_code == 302
    ack = Acknowledgement.get(Acknowledgement.case == case)
    assert response.headers["Location"] == (
        f"/cases/{case.reference}?saved=ack-{ack.id}#ack-{ack.id}"
    )
    assert (ack.by_id, ack.method, ack.note) == (fac.id, "phone", "Called them back.")
    assert ack.at == at.replace(second=0, microsecond=0)
    text = page(client, case)
    assert "The acknowledgement is recorded." in text and "Called them back." in text
    assert "Record the acknowledgement" not in text
    record = AuditRecord.get(AuditRecord.action == "acknowledgement.created")
    assert record.actor_id == fac.id and "Called them back" not in record.details


def test_acknowledgement_given_by_a_colleague_is_credited_to_them_and_audited_as_ours(client, fac):
    colleague = create_user("facilitator", display_name="Cole League")
    case = make_case("filed", by=fac)
    response = post(
        client,
        case,
        "acknowledgement",
        {"by": colleague.id, "at": local_input(utcnow()), "method": "in person"},
    )
    assert response.status_code == 302
    assert Acknowledgement.get(Acknowledgement.case == case).by_id == colleague.id
    record = AuditRecord.get(AuditRecord.action == "acknowledgement.created")
    assert record.actor_id == fac.id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("at", "", "Say when it was acknowledged."),
        ("at", "2999-01-01T10:00", "This cannot be in the future."),
        ("at", "soon", "Not a valid datetime value."),
        ("method", "carrier pigeon", "Not a valid choice."),
        ("by", "", "Say who acknowledged it."),
        ("by", "999999", "Not a valid choice."),
    ],
)
def test_a_bad_acknowledgement_is_refused_beside_the_field_and_nothing_is_saved(
    client, fac, field, value, message
):
    case = make_case("filed", by=fac)
    data = {"by": fac.id, "at": local_input(utcnow()), "method": "phone", field: value}
    response = post(client, case, "acknowledgement", data)
    assert response.status_code == 422
    assert error_beside(response, field, message)
    assert not Acknowledgement.select().exists()


def test_a_participant_account_cannot_be_named_as_who_acknowledged(client, fac):
    participant = create_user("participant")
    case = make_case("filed", by=fac)
    data = {"by": participant.id, "at": local_input(utcnow()), "method": "phone"}
    response = post(client, case, "acknowledgement", data)
    assert response.status_code == 422
    assert error_beside(response, "by", "Not a valid choice.")
    assert not Acknowledgement.select().exists()


def test_the_panel_marks_a_missing_acknowledgement_overdue_after_the_target(client, fac):
    case = make_case("filed", by=fac)
    text = panel(client, case)
    due = Case.get_by_id(case.id).stage_due_on
    assert due == today() + timedelta(days=2)  # Filed's target
    assert f"Record the acknowledgement (Due {i18n.day_text(due)})" in text
    assert "Overdue" not in text
    Case.update(stage_due_on=today() - timedelta(days=1)).where(Case.id == case.id).execute()
    assert "Overdue" in panel(client, case)
    cases.acknowledge(case, fac, utcnow(), "phone")
    assert "Overdue" not in panel(client, case)


def test_the_board_moves_a_card_to_acknowledged_only_after_the_acknowledgement_form(client, fac):
    case = make_case("filed", by=fac)
    move = f"/board/cases/{case.reference}/move"
    headers = {"HX-Request": "true"}
    refused = client.post(
        move, data={"to": "acknowledged", "version": case.version}, headers=headers
    )
    assert refused.status_code == 422
    assert "Needs an acknowledgement before Acknowledged." in refused.get_data(as_text=True)
    assert Case.get_by_id(case.id).stage == "filed"

    data = {"by": fac.id, "at": local_input(utcnow()), "method": "letter"}
    assert post(client, case, "acknowledgement", data).status_code == 302
    version = Case.get_by_id(case.id).version
    moved = client.post(move, data={"to": "acknowledged", "version": version}, headers=headers)
    assert moved.status_code == 200
    assert Case.get_by_id(case.id).stage == "acknowledged"


# --- 2. People in the case ---------------------------------------------------


def test_adding_a_person_never_links_an_account_picked_from_a_list(client, fac):
    participant = create_user("participant", display_name="Pat Part")
    case = make_case("filed", by=fac)
    form = client.get(f"/cases/{case.reference}/parties/new").get_data(as_text=True)
    assert 'name="account"' not in form and "Pat Part" not in form
    data = {"name": "Pat", "pronouns": "they/them", "side": "harmed", "account": participant.id}
    response = post(client, case, "parties/new", data)
    assert response.status_code == 302
    party = Party.get(Party.case == case)
    assert (party.side, party.person.name, party.person.pronouns) == ("harmed", "Pat", "they/them")
    assert party.person.user_id is None
    text = page(client, case)
    assert "Pat is added as harmed." in text
    assert "Pat (they/them) Harmed" in visible_text(text, "process", "timeline-heading")


def test_a_person_without_contact_or_account_can_be_added(client, fac):
    case = make_case("filed", by=fac)
    response = post(client, case, "parties/new", {"name": "Someone", "side": "impacted"})
    assert response.status_code == 302
    person = Party.get(Party.case == case).person
    assert (person.contact, person.user_id) == ("", None)
    assert "Someone Impacted community member" in panel(client, case)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", " ", "Give a name or chosen name."),
        ("side", "bystander", "Not a valid choice."),
        ("side", "", "Choose a side."),
    ],
)
def test_a_bad_person_is_refused_beside_the_field_and_nothing_is_saved(
    client, fac, field, value, message
):
    case = make_case("filed", by=fac)
    data = {"name": "Pat", "side": "harmed", field: value}
    response = post(client, case, "parties/new", data)
    assert response.status_code == 422
    assert error_beside(response, field, message)
    assert not Party.select().exists() and not Person.select().exists()


def test_representatives_are_added_to_a_party_and_shown_beside_it(client, fac):
    case = make_case("filed", by=fac, parties=PARTIES)
    rep1 = create_user("representative", display_name="Remy Rep")
    rep2 = create_user("representative", display_name="Rae Rep")
    party = party_of(case, "harmed")
    path = f"parties/{party.id}/representatives"
    response = post(client, case, path, {"users": [rep1.id, rep2.id]})
    assert response.status_code == 302
    assert {r.user_id for r in Representative.select()} == {rep1.id, rep2.id}
    assert "Ash Example Harmed Represented by Rae Rep, Remy Rep" in panel(client, case)


@pytest.mark.parametrize("kind", ["nobody", "participant", "twice"])
def test_a_bad_representative_is_refused_beside_the_field(client, fac, kind):
    case = make_case("filed", by=fac, parties=PARTIES)
    party = party_of(case, "harmed")
    rep = create_user("representative")
    if kind == "twice":
        cases.add_representative(party, rep, fac)
    users = {"nobody": [], "participant": [create_user("participant").id], "twice": [rep.id]}
    response = post(client, case, f"parties/{party.id}/representatives", {"users": users[kind]})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    if kind == "nobody":
        assert error_beside(response, "users", "Choose at least one representative.")
    else:
        assert 'id="users-error">' in body and "is not a valid choice" in body
    assert Representative.select().count() == (1 if kind == "twice" else 0)


def test_representatives_of_a_party_of_another_case_are_a_404(client, fac):
    case = make_case("filed", by=fac, parties=PARTIES)
    other = make_case("filed", by=fac, parties=PARTIES)
    party = party_of(other, "harmed")
    response = client.get(f"/cases/{case.reference}/parties/{party.id}/representatives")
    assert response.status_code == 404


def test_setting_the_lead_facilitator_shows_them_on_the_case(client, fac):
    case = make_case("acknowledged", by=fac)
    lead = create_user("facilitator", display_name="Lea Lead")
    response = post(client, case, "lead", {"lead": lead.id})
    assert response.status_code == 302
    assert Case.get_by_id(case.id).lead_id == lead.id
    assert "Lead facilitator: Lea Lead" in panel(client, case)


@pytest.mark.parametrize("why", ["party", "conflict"])
def test_a_party_or_conflicted_facilitator_cannot_lead(client, fac, why):
    other = create_user("facilitator", display_name="Cal Conflicted")
    parties = [("caused", other, "Cal")] if why == "party" else []
    case = make_case("acknowledged", by=fac, parties=parties)
    Case.update(lead=None).where(Case.id == case.id).execute()
    if why == "conflict":
        cases.declare_conflict(case, other, "Friends")
    response = post(client, case, "lead", {"lead": other.id})
    assert response.status_code == 422
    expected = {
        "party": "Cal Conflicted cannot lead this case: Cal Conflicted is a party to this case.",
        "conflict": "Cal Conflicted cannot lead this case: "
        "Cal Conflicted has declared a conflict in this case.",
    }[why]
    assert error_beside(response, "lead", expected)
    assert Case.get_by_id(case.id).lead_id is None


def test_declaring_a_conflict_recuses_the_facilitator(client, fac):
    case = make_case("filed", by=create_user("facilitator"))
    response = post(client, case, "conflict", {"note": "My cousin"})
    assert response.status_code == 302 and response.headers["Location"] == "/board/"
    board = htmllib.unescape(client.get("/board/").get_data(as_text=True))
    assert f"Your conflict in {case.reference} is recorded." in board
    assert Conflict.get(Conflict.case == case).user_id == fac.id
    assert client.get(f"/cases/{case.reference}").status_code == 404
    assert client.get(f"/cases/{case.reference}/acknowledgement").status_code == 404
    record = AuditRecord.get(AuditRecord.action == "conflict.declared")
    assert "cousin" not in record.details


# --- 3. Meetings -------------------------------------------------------------


def test_scheduling_a_meeting_shows_it_and_offers_to_record_its_outcome(client, fac):
    case = make_case("investigating", by=fac)
    when = utcnow() + timedelta(days=2)
    response = post(
        client,
        case,
        "meetings/new",
        {"scheduled_at": local_input(when), "place": "Garden room", "attendees": "Both sides"},
    )
    assert response.status_code == 302
    meeting = Meeting.get(Meeting.case == case)
    assert (meeting.place, meeting.attendees) == ("Garden room", "Both sides")
    assert "Garden room" in page(client, case)
    assert f"/meetings/{meeting.id}/outcome" in page(client, case)
    when_text = i18n.when_text(meeting.scheduled_at)
    assert f"Meetings without an outcome {when_text} · Garden room · Record the outcome" in (
        panel(client, case)
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("scheduled_at", "", "Say when the meeting is."),
        ("scheduled_at", "2001-01-01T10:00", "A meeting cannot be before the case was filed."),
        ("scheduled_at", "2999-01-01T10:00", "Choose a time within the next two years."),
        ("place", "", "Say where the meeting is."),
        ("attendees", " ", "Say who attends."),
    ],
)
def test_a_bad_meeting_is_refused_beside_the_field_and_nothing_is_saved(
    client, fac, field, value, message
):
    case = make_case("investigating", by=fac)
    data = {
        "scheduled_at": local_input(utcnow() + timedelta(days=1)),
        "place": "Garden room",
        "attendees": "Both sides",
        field: value,
    }
    response = post(client, case, "meetings/new", data)
    assert response.status_code == 422
    assert error_beside(response, field, message)
    assert not Meeting.select().exists()


def test_recording_a_held_meetings_outcome(client, fac):
    case = make_case("investigating", by=fac)
    meeting = cases.schedule_meeting(case, fac, utcnow() - timedelta(hours=3), "Room", "All")
    response = post(
        client,
        case,
        f"meetings/{meeting.id}/outcome",
        {"minutes": "Everyone spoke.", "outcome": "A plan was agreed."},
    )
    assert response.status_code == 302
    meeting = Meeting.get_by_id(meeting.id)
    assert meeting.outcome == "A plan was agreed." and meeting.outcome_recorded_at
    assert "Meeting held" in page(client, case)
    assert "Record the meeting's outcome" not in panel(client, case)


def test_a_meeting_still_to_come_has_no_outcome_yet(client, fac):
    case = make_case("investigating", by=fac)
    meeting = cases.schedule_meeting(case, fac, utcnow() + timedelta(days=3), "Room", "All")
    data = {"minutes": "Everyone spoke.", "outcome": "A plan was agreed."}
    response = post(client, case, f"meetings/{meeting.id}/outcome", data)
    assert response.status_code == 422
    assert "This meeting has not happened yet" in response.get_data(as_text=True)
    assert Meeting.get_by_id(meeting.id).outcome_recorded_at is None


def test_two_outcomes_for_one_meeting_save_the_first_and_refuse_the_second(fac):
    case = make_case("investigating", by=fac)
    meeting = cases.schedule_meeting(case, fac, utcnow() - timedelta(hours=3), "Room", "All")
    first, second = Meeting.get_by_id(meeting.id), Meeting.get_by_id(meeting.id)
    cases.record_meeting_outcome(first, fac, "Minutes one.", "Outcome one.")
    with pytest.raises(Stale, match="recorded by someone else"):
        cases.record_meeting_outcome(second, fac, "Minutes two.", "Outcome two.")
    assert Meeting.get_by_id(meeting.id).outcome == "Outcome one."
    recorded = AuditRecord.select().where(AuditRecord.action == "meeting.outcome_recorded")
    assert recorded.count() == 1


def test_an_outcome_posted_while_another_lands_answers_409_and_keeps_the_first(
    client, fac, monkeypatch
):
    case = make_case("investigating", by=fac)
    meeting = cases.schedule_meeting(case, fac, utcnow() - timedelta(hours=3), "Room", "All")
    real = cases.record_meeting_outcome

    def the_other_post_lands_first(meeting_, by, minutes, outcome):
        real(Meeting.get_by_id(meeting_.id), by, "Their minutes.", "Their outcome.")
        return real(meeting_, by, minutes, outcome)

    monkeypatch.setattr(cases, "record_meeting_outcome", the_other_post_lands_first)
    data = {"minutes": "Everyone spoke.", "outcome": "A plan was agreed."}
    response = post(client, case, f"meetings/{meeting.id}/outcome", data)
    assert response.status_code == 409
    assert "recorded by someone else a moment ago" in htmllib.unescape(response.get_data(True))
    assert Meeting.get_by_id(meeting.id).outcome == "Their outcome."


def test_the_lead_rule_is_checked_inside_the_write_transaction(fac, monkeypatch):
    from rj import db

    case = make_case("acknowledged", by=fac)
    seen = []
    real = cases.lead_problem

    def observed(case_, user):
        seen.append(db.database.in_transaction())
        return real(case_, user)

    monkeypatch.setattr(cases, "lead_problem", observed)
    cases.set_lead(case, create_user("facilitator"), fac)
    assert seen == [True]


@pytest.mark.parametrize(
    ("field", "message"),
    [("minutes", "Write the minutes of the meeting."), ("outcome", "Say what the outcome was.")],
)
def test_a_meeting_outcome_needs_minutes_and_an_outcome(client, fac, field, message):
    case = make_case("investigating", by=fac)
    meeting = cases.schedule_meeting(case, fac, utcnow() - timedelta(hours=1), "Room", "All")
    data = {"minutes": "Everyone spoke.", "outcome": "Agreed.", field: ""}
    response = post(client, case, f"meetings/{meeting.id}/outcome", data)
    assert response.status_code == 422
    assert error_beside(response, field, message)
    assert Meeting.get_by_id(meeting.id).outcome_recorded_at is None


# --- 4. Decision -------------------------------------------------------------


def action_data(case, fac, **changes):
    return {
        "party": party_of(case, "caused").id,
        "kind": "repair",
        "description": "Replace the broken mug",
        "owner": fac.id,
        "due_on": (today() + timedelta(days=10)).isoformat(),
        **changes,
    }


def test_adding_a_restorative_action_shows_it_as_open_with_its_due_date(client, fac):
    case = make_case("hearing", by=fac, parties=PARTIES)
    response = post(client, case, "actions/new", action_data(case, fac))
    assert response.status_code == 302
    action = Action.get(Action.case == case)
    assert (action.kind, action.owner_id, action.status) == ("repair", fac.id, "open")
    assert action.party_id == party_of(case, "caused").id
    due = i18n.day_text(today() + timedelta(days=10))
    assert f"Repair for Bay Sample: Replace the broken mug — due {due}" in panel(client, case)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_on", "", "Give a due date."),
        ("due_on", "2001-01-01", "This date has already passed: choose today or a later date."),
        ("description", "", "Describe the action."),
        ("party", "", "Choose who it is for."),
        ("owner", "999999", "Not a valid choice."),
        ("kind", "punishment", "Not a valid choice."),
        (
            "kind",
            "support",
            "For the person who caused harm, choose repair, learning, agreed boundaries, "
            "time away from the space or other.",
        ),
    ],
)
def test_a_bad_action_is_refused_beside_the_field_and_nothing_is_saved(
    client, fac, field, value, message
):
    case = make_case("hearing", by=fac, parties=PARTIES)
    response = post(client, case, "actions/new", action_data(case, fac, **{field: value}))
    assert response.status_code == 422
    assert error_beside(response, field, message)
    assert not Action.select().exists()


def test_repair_is_not_an_action_for_the_person_harmed(client, fac):
    case = make_case("hearing", by=fac, parties=PARTIES)
    data = action_data(case, fac, party=party_of(case, "harmed").id)
    response = post(client, case, "actions/new", data)
    assert response.status_code == 422
    assert error_beside(response, "kind", "For someone harmed, choose support or a service.")
    assert not Action.select().exists()


def test_an_action_of_another_cases_party_is_refused(client, fac):
    case = make_case("hearing", by=fac, parties=PARTIES)
    other = make_case("hearing", by=fac, parties=PARTIES)
    data = action_data(case, fac, party=party_of(other, "caused").id)
    response = post(client, case, "actions/new", data)
    assert response.status_code == 422
    assert error_beside(response, "party", "Not a valid choice.")


def test_an_action_is_marked_done_and_leaves_the_open_list(client, fac):
    case = make_case("restoring", by=fac)
    action = Action.get(Action.case == case)
    response = post(client, case, f"actions/{action.id}/status", {"status": "done"})
    assert response.status_code == 302
    assert Action.get_by_id(action.id).status == "done"
    assert "Open actions" not in panel(client, case)


def test_waiving_an_action_needs_a_reason(client, fac):
    case = make_case("restoring", by=fac)
    action = Action.get(Action.case == case)
    path = f"actions/{action.id}/status"
    response = post(client, case, path, {"status": "waived", "waived_reason": " "})
    assert response.status_code == 422
    assert error_beside(response, "waived_reason", "Waiving an action needs a reason.")
    assert Action.get_by_id(action.id).status == "open"
    response = post(client, case, path, {"status": "waived", "waived_reason": "They moved away."})
    assert response.status_code == 302
    action = Action.get_by_id(action.id)
    assert (action.status, action.waived_reason) == ("waived", "They moved away.")
    assert "They moved away." in page(client, case)


def test_recording_when_the_decision_was_communicated(client, fac):
    case = make_case("hearing", by=fac, parties=PARTIES)
    cases.add_action(case, fac, "repair", "Fix it", fac, today(), party=party_of(case, "caused"))
    assert "Record when the decision was communicated" in panel(client, case)
    response = post(client, case, "decision/communicated", {"on": today().isoformat()})
    assert response.status_code == 302
    assert Case.get_by_id(case.id).decision_communicated_on == today()
    assert f"(Recorded: {i18n.day_text(today())})" in panel(client, case)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Give the date."),
        ("2999-01-01", "This cannot be in the future."),
        ("2001-01-01", "The decision cannot be before the case was filed."),
    ],
)
def test_a_bad_decision_date_is_refused(client, fac, value, message):
    case = make_case("hearing", by=fac)
    response = post(client, case, "decision/communicated", {"on": value})
    assert response.status_code == 422
    assert error_beside(response, "on", message)
    assert Case.get_by_id(case.id).decision_communicated_on is None


# --- 5. Community ------------------------------------------------------------


def test_community_impact_none_with_a_reason_is_recorded(client, fac):
    case = make_case("restoring", by=fac)
    assert "Assess the impact on the community" in panel(client, case)
    data = {"none_reason": "It happened when the space was empty."}
    response = post(client, case, "community", data)
    assert response.status_code == 302
    assessment = CommunityAssessment.get(CommunityAssessment.case == case)
    assert assessment.none_reason == "It happened when the space was empty."
    assert "Community impact assessed" in page(client, case)
    assert "Assess the impact on the community" not in panel(client, case)


def test_community_impact_with_actions_is_recorded(client, fac):
    case = make_case("restoring", by=fac)
    data = {"impacted": "Two witnesses", "actions": "A circle on Friday"}
    assert post(client, case, "community", data).status_code == 302
    assessment = CommunityAssessment.get(CommunityAssessment.case == case)
    assert (assessment.impacted, assessment.actions) == ("Two witnesses", "A circle on Friday")


def test_an_empty_community_assessment_is_refused(client, fac):
    case = make_case("restoring", by=fac)
    data = {"impacted": " ", "actions": "", "none_reason": ""}
    response = post(client, case, "community", data)
    assert response.status_code == 422
    assert error_beside(
        response, "impacted", 'Describe who was impacted, or say "none" with a reason.'
    )
    assert not CommunityAssessment.select().exists()


# --- 6. Appeal ---------------------------------------------------------------


@pytest.fixture
def appealable(fac):
    """A case in Follow-up led by ``fac``, decision communicated yesterday."""
    return make_case("followup", by=fac, parties=PARTIES)


def appeal_data(case, reviewer_user, **changes):
    return {
        "party": party_of(case, "caused").id,
        "grounds": "The decision was not explained to me.",
        "reviewer": reviewer_user.id,
        **changes,
    }


def test_filing_an_appeal_puts_the_case_under_review(client, fac, appealable):
    reviewer = create_user("facilitator", display_name="Rev Iewer")
    assert "File an appeal" in panel(client, appealable)
    response = post(client, appealable, "appeal", appeal_data(appealable, reviewer))
    assert response.status_code == 302
    appeal = Appeal.get(Appeal.case == appealable)
    assert (appeal.reviewer_id, appeal.from_stage, appeal.outcome) == (
        reviewer.id,
        "followup",
        None,
    )
    assert appeal.party_id == party_of(appealable, "caused").id
    assert Case.get_by_id(appealable.id).stage == "appeal"
    text = panel(client, appealable)
    assert "File an appeal" not in text
    # Only its reviewer records the outcome: the page says who, and links it for them.
    assert "Record the appeal's outcome" not in text
    assert f"The appeal is with {reviewer.display_name}" in page(client, appealable)


@pytest.mark.parametrize("who", ["lead", "party", "conflict"])
def test_the_lead_a_party_or_a_conflicted_facilitator_cannot_review_an_appeal(client, fac, who):
    other = create_user("facilitator", display_name="Oz Other")
    parties = [*PARTIES, ("impacted", other, "Oz")] if who == "party" else PARTIES
    case = make_case("followup", by=fac, parties=parties)
    if who == "conflict":
        cases.declare_conflict(case, other)
    reviewer = fac if who == "lead" else other
    response = post(client, case, "appeal", appeal_data(case, reviewer))
    assert response.status_code == 422
    problem = {
        "lead": "they are the lead facilitator",
        "party": "Oz Other is a party to this case",
        "conflict": "Oz Other has declared a conflict in this case",
    }[who]
    name = reviewer.display_name
    assert error_beside(response, "reviewer", f"{name} cannot review this appeal: {problem}.")
    assert not Appeal.select().exists()
    assert Case.get_by_id(case.id).stage == "followup"


def test_an_appeal_after_the_window_is_refused(client, fac, appealable):
    cases.communicate_decision(appealable, fac, today() - timedelta(days=60))
    reviewer = create_user("facilitator")
    assert "File an appeal" not in panel(client, appealable)
    response = post(client, appealable, "appeal", appeal_data(appealable, reviewer))
    assert response.status_code == 422
    body = htmllib.unescape(response.get_data(as_text=True))
    assert 'id="form-error">The appeal window is closed' in body
    assert not Appeal.select().exists()
    assert Case.get_by_id(appealable.id).stage == "followup"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("grounds", " ", "Give the grounds of the appeal."),
        ("party", "", "Choose who appeals."),
        ("reviewer", "", "Choose a reviewing facilitator."),
    ],
)
def test_a_bad_appeal_is_refused_beside_the_field(client, fac, appealable, field, value, message):
    reviewer = create_user("facilitator")
    data = appeal_data(appealable, reviewer, **{field: value})
    response = post(client, appealable, "appeal", data)
    assert response.status_code == 422
    assert error_beside(response, field, message)
    assert not Appeal.select().exists()


def file_appeal_as(client, case, reviewer):
    response = post(client, case, "appeal", appeal_data(case, reviewer))
    assert response.status_code == 302
    return Appeal.get(Appeal.case == case)


def test_only_the_reviewer_records_the_appeals_outcome(client, fac, appealable):
    reviewer = create_user("facilitator", display_name="Rev Iewer")
    appeal = file_appeal_as(client, appealable, reviewer)
    response = post(client, appealable, "appeal/outcome", {"outcome": "upheld"})
    assert response.status_code == 403
    message = "Only the appeal's reviewer, Rev Iewer, records its outcome."
    assert message in htmllib.unescape(response.get_data(as_text=True))
    shown = client.get(f"/cases/{appealable.reference}/appeal/outcome")
    assert shown.status_code == 403 and message in htmllib.unescape(shown.get_data(as_text=True))
    assert Appeal.get_by_id(appeal.id).outcome is None
    assert Case.get_by_id(appealable.id).stage == "appeal"


@pytest.mark.parametrize(
    ("outcome", "stage"),
    [("upheld", "followup"), ("hearing", "hearing"), ("restoring", "restoring")],
)
def test_the_reviewers_outcome_ends_the_appeal(client, fac, appealable, outcome, stage):
    reviewer = create_user("facilitator", display_name="Rev Iewer")
    appeal = file_appeal_as(client, appealable, reviewer)
    sign_in_session(client, reviewer)
    response = post(
        client, appealable, "appeal/outcome", {"outcome": outcome, "note": "Reviewed carefully."}
    )
    assert response.status_code == 302
    appeal = Appeal.get_by_id(appeal.id)
    assert (appeal.outcome, appeal.outcome_note) == (outcome, "Reviewed carefully.")
    assert Case.get_by_id(appealable.id).stage == stage
    assert "Record appeal outcome" not in panel(client, appealable)


def test_an_appeal_outcome_must_be_one_of_the_three(client, fac, appealable):
    reviewer = create_user("facilitator")
    appeal = file_appeal_as(client, appealable, reviewer)
    sign_in_session(client, reviewer)
    response = post(client, appealable, "appeal/outcome", {"outcome": "overturned"})
    assert response.status_code == 422
    assert error_beside(response, "outcome", "Not a valid choice.")
    assert Appeal.get_by_id(appeal.id).outcome is None


# --- 7. Follow-up ------------------------------------------------------------


def test_adding_a_check_in_shows_it_with_its_date(client, fac):
    case = make_case("community", by=fac)
    due = today() + timedelta(days=14)
    response = post(client, case, "checkins/new", {"due_on": due.isoformat()})
    assert response.status_code == 302
    assert CheckIn.get(CheckIn.case == case).due_on == due
    assert f"Due {i18n.day_text(due)}" in panel(client, case)


def test_a_check_in_past_its_date_is_marked_overdue(client, fac):
    case = make_case("community", by=fac)
    cases.add_checkin(case, fac, today() - timedelta(days=1))
    assert "Overdue" in panel(client, case)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Give the date of the check-in."),
        ("2001-01-01", "A check-in cannot be before the case was filed."),
        ("2999-01-01", "Choose a date within the next two years."),
        ("someday", "Not a valid date value."),
    ],
)
def test_a_bad_check_in_date_is_refused(client, fac, value, message):
    case = make_case("community", by=fac)
    response = post(client, case, "checkins/new", {"due_on": value})
    assert response.status_code == 422
    assert error_beside(response, "due_on", message)
    assert not CheckIn.select().exists()


def test_a_check_in_is_marked_as_held_with_notes(client, fac):
    case = make_case("followup", by=fac)
    checkin = CheckIn.get(CheckIn.case == case)
    path = f"checkins/{checkin.id}/held"
    response = post(client, case, path, {"notes": " "})
    assert response.status_code == 422
    assert error_beside(response, "notes", "Say how the check-in went.")
    assert CheckIn.get_by_id(checkin.id).held_at is None
    response = post(client, case, path, {"notes": "Both doing well."})
    assert response.status_code == 302
    checkin = CheckIn.get_by_id(checkin.id)
    assert checkin.held_at is not None and checkin.notes == "Both doing well."
    text = panel(client, case)
    assert "— held" in text and "Mark as held" not in text


def test_the_closing_reflection_is_recorded(client, fac):
    case = make_case("followup", by=fac)
    response = post(client, case, "reflection", {"repaired": "Trust, mostly.", "learned": ""})
    assert response.status_code == 422
    assert error_beside(response, "learned", "Say what the community learned.")
    assert not Reflection.select().exists()
    data = {"repaired": "Trust, mostly.", "learned": "Quiet hours help."}
    assert post(client, case, "reflection", data).status_code == 302
    reflection = Reflection.get(Reflection.case == case)
    assert (reflection.repaired, reflection.learned, reflection.by_id) == (
        "Trust, mostly.",
        "Quiet hours help.",
        fac.id,
    )
    text = page(client, case)
    assert "Closing reflection" in text and "Record the closing reflection" not in text


# --- 8. Closing early and reopening ------------------------------------------


def test_closing_a_case_early_as_withdrawn_uses_the_loaded_version(client, fac):
    case = make_case("investigating", by=fac)
    data = {"kind": "withdrawn", "reason": "They asked us to stop.", "version": 999}
    response = post(client, case, "close", data)
    assert response.status_code == 302
    closed = Case.get_by_id(case.id)
    assert (closed.stage, closed.close_kind, closed.close_reason) == (
        "closed",
        "withdrawn",
        "They asked us to stop.",
    )
    text = page(client, case)
    assert "Withdrawn: They asked us to stop." in text
    assert "Reopen the case" in text and "Close early" not in text


def test_closing_as_a_duplicate_names_the_other_case(client, fac):
    case = make_case("filed", by=fac)
    other = make_case("filed", by=fac)
    data = {"kind": "duplicate", "duplicate_of": other.reference.lower(), "reason": "Same night"}
    assert post(client, case, "close", data).status_code == 302
    assert Case.get_by_id(case.id).duplicate_of == other.reference


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "withdrawn", "reason": ""}, "reason", "Closing a case early needs a reason."),
        (
            {"kind": "duplicate", "reason": "Same"},
            "duplicate_of",
            "Give the reference of the case this one duplicates.",
        ),
        (
            {"kind": "duplicate", "duplicate_of": "RJ-1999-0001", "reason": "Same"},
            "duplicate_of",
            "There is no other case with that reference.",
        ),
        ({"kind": "resolved", "reason": "Done"}, "kind", "Not a valid choice."),
    ],
)
def test_a_bad_early_close_is_refused_beside_the_field(client, fac, data, field, message):
    case = make_case("filed", by=fac)
    response = post(client, case, "close", data)
    assert response.status_code == 422
    assert error_beside(response, field, message)
    assert Case.get_by_id(case.id).stage == "filed"


def test_a_case_cannot_be_closed_as_a_duplicate_of_one_we_are_recused_from(client, fac):
    case = make_case("filed", by=fac)
    hidden = make_case("filed", by=create_user("facilitator"))
    cases.declare_conflict(hidden, fac)
    data = {"kind": "duplicate", "duplicate_of": hidden.reference, "reason": "Same"}
    response = post(client, case, "close", data)
    assert response.status_code == 422
    assert error_beside(response, "duplicate_of", "There is no other case with that reference.")


def test_reopening_a_closed_case_moves_it_back_with_the_reason(client, fac):
    case = make_case("investigating", by=fac)
    post(client, case, "close", {"kind": "referred", "reason": "Sent to the housing team."})
    response = post(client, case, "reopen", {"to": "hearing", "reason": ""})
    assert response.status_code == 422
    assert error_beside(response, "reason", "Reopening a case needs a reason.")
    assert Case.get_by_id(case.id).stage == "closed"
    response = post(client, case, "reopen", {"to": "hearing", "reason": "They came back."})
    assert response.status_code == 302
    reopened = Case.get_by_id(case.id)
    assert (reopened.stage, reopened.close_kind, reopened.closed_at) == ("hearing", None, None)
    text = page(client, case)
    assert "Reopened in Hearing: They came back." in text and "Close early" in text


def test_a_closed_case_takes_no_new_record_until_reopened(client, fac):
    case = make_case("filed", by=fac)
    post(client, case, "close", {"kind": "withdrawn", "reason": "No longer wanted."})
    response = post(client, case, "checkins/new", {"due_on": today().isoformat()})
    assert response.status_code == 302
    assert not CheckIn.select().exists()
    assert "is closed: reopen it to add to the record." in page(client, case)


# --- Access ------------------------------------------------------------------

FORM_PATHS = [
    "acknowledgement",
    "parties/new",
    "lead",
    "conflict",
    "meetings/new",
    "actions/new",
    "decision/communicated",
    "community",
    "appeal",
    "checkins/new",
    "reflection",
    "close",
]


@pytest.mark.parametrize("path", FORM_PATHS)
def test_each_form_shows_labelled_fields_to_a_facilitator(client, fac, path):
    case = make_case("followup", by=fac, parties=PARTIES)
    response = client.get(f"/cases/{case.reference}/{path}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<label" in body and '<form method="post"' in body


@pytest.mark.parametrize("path", FORM_PATHS)
def test_a_recused_facilitator_gets_a_404_and_a_volunteer_a_403(client, fac, path):
    case = make_case("followup", by=create_user("facilitator"), parties=PARTIES)
    cases.declare_conflict(case, fac)
    assert client.get(f"/cases/{case.reference}/{path}").status_code == 404
    assert client.post(f"/cases/{case.reference}/{path}", data={}).status_code == 404
    sign_in_session(client, create_user("volunteer"))
    assert client.get(f"/cases/{case.reference}/{path}").status_code == 403


def test_a_party_facilitator_cannot_open_the_forms_of_their_own_case(client, fac):
    case = make_case("filed", by=create_user("facilitator"), parties=[("harmed", fac, "Fen")])
    data = {"by": fac.id, "at": local_input(utcnow()), "method": "phone"}
    assert post(client, case, "acknowledgement", data).status_code == 404
    assert not Acknowledgement.select().exists()


def test_the_audit_trail_holds_field_names_never_the_text(client, fac, appealable):
    reviewer = create_user("facilitator")
    file_appeal_as(client, appealable, reviewer)
    post(client, appealable, "checkins/new", {"due_on": today().isoformat()})
    details = " ".join(r.details for r in AuditRecord.select())
    assert "not explained" not in details
    actions = {r.action for r in AuditRecord.select()}
    assert {"appeal.filed", "case.moved", "checkin.scheduled"} <= actions
    assert all(isinstance(json.loads(r.details), dict) for r in AuditRecord.select())
