"""The stage rules, one transition at a time, without HTTP."""

from datetime import timedelta

import pytest

from rj import cases, entries, workflow
from rj.clock import today, utcnow
from rj.models import AuditRecord, Case, StageSetting
from rj.refusals import Refused, Stale
from tests.helpers import create_user, make_case


def fresh(case):
    return Case.get_by_id(case.id)


def move(case, to, by, reason=""):
    case = fresh(case)
    return workflow.move(case, to, by, case.version, reason)


def refused(case, to, by, reason=""):
    with pytest.raises(Refused) as denied:
        move(case, to, by, reason)
    return str(denied.value)


@pytest.fixture
def fac(app):
    return create_user("facilitator", display_name="Fen Facil")


def test_acknowledged_needs_an_acknowledgement(fac):
    case = make_case("filed", by=fac)
    assert refused(case, "acknowledged", fac) == "Needs an acknowledgement before Acknowledged."
    cases.acknowledge(case, fac, utcnow(), "phone")
    assert move(case, "acknowledged", fac).stage == "acknowledged"


def test_investigating_needs_a_lead_who_is_not_a_party(fac):
    case = make_case("acknowledged", by=fac)
    assert "Needs a lead facilitator who is not a party to the case before Investigating" in (
        refused(case, "investigating", fac)
    )
    cases.set_lead(case, fac, fac)
    assert move(case, "investigating", fac).stage == "investigating"


def test_a_party_or_conflicted_facilitator_cannot_lead(fac):
    other = create_user("facilitator", display_name="Olu Other")
    case = make_case("acknowledged", by=fac, parties=[("harmed", other, "Olu")])
    with pytest.raises(Refused, match="is a party to this case"):
        cases.set_lead(case, other, fac)
    third = create_user("facilitator", display_name="Tia Third")
    cases.declare_conflict(case, third, "Housemates")
    with pytest.raises(Refused, match="declared a conflict"):
        cases.set_lead(case, third, fac)
    volunteer = create_user("volunteer", display_name="Val")
    with pytest.raises(Refused, match="not an active facilitator"):
        cases.set_lead(case, volunteer, fac)


def test_hearing_needs_findings_and_a_scheduled_meeting(fac):
    case = make_case("investigating", by=fac)
    message = refused(case, "hearing", fac)
    assert "Needs findings recorded before Hearing" in message
    assert "Needs a meeting scheduled (when, where, who attends) before Hearing" in message
    entries.add_entry(case, fac, "finding", "What we found.")
    assert "findings" not in refused(case, "hearing", fac)
    cases.schedule_meeting(case, fac, utcnow() + timedelta(days=2), "Room 2", "Both parties")
    assert move(case, "hearing", fac).stage == "hearing"


def test_restoring_needs_an_outcome_and_a_decision_with_owned_dated_actions(fac):
    case = make_case("hearing", by=fac)
    message = refused(case, "restoring", fac)
    assert "Needs the meeting's outcome recorded before Restoring" in message
    assert "Needs a decision with at least one action before Restoring" in message
    meeting = fresh(case).meetings.first()
    with pytest.raises(Refused, match="has not happened yet"):
        cases.record_meeting_outcome(meeting, fac, "Minutes", "Agreed plan")
    meeting.scheduled_at = utcnow() - timedelta(hours=2)
    meeting.save()
    cases.record_meeting_outcome(meeting, fac, "Minutes", "Agreed plan")
    cases.add_action(case, fac, "support", "Weekly check-in", None, today())
    assert "an owner and a due date for every action" in refused(case, "restoring", fac)
    action = fresh(case).actions.first()
    action.owner = fac
    action.save()
    assert move(case, "restoring", fac).stage == "restoring"


def test_community_needs_an_assessment_which_may_be_none_with_a_reason(fac):
    case = make_case("restoring", by=fac)
    assert "Needs the community impact assessed" in refused(case, "community", fac)
    with pytest.raises(Refused):
        cases.assess_community(case, fac)
    cases.assess_community(case, fac, none_reason="Happened in private.")
    assert move(case, "community", fac).stage == "community"


def test_followup_needs_a_dated_checkin(fac):
    case = make_case("community", by=fac)
    assert refused(case, "followup", fac) == "Needs at least one dated check-in before Follow-up."
    cases.add_checkin(case, fac, today() + timedelta(days=7))
    assert move(case, "followup", fac).stage == "followup"


def test_closed_needs_actions_settled_a_reflection_and_no_appeal_possible(fac):
    case = make_case("followup", by=fac)
    cases.communicate_decision(case, fac, today())
    message = refused(case, "closed", fac)
    assert "every action done, or waived with a reason" in message
    assert "a closing reflection" in message
    assert "the appeal window to have passed" in message
    action = fresh(case).actions.first()
    with pytest.raises(Refused, match="needs a reason"):
        cases.set_action_status(action, fac, "waived")
    cases.set_action_status(action, fac, "waived", "The person moved away.")
    cases.record_reflection(case, fac, "Trust rebuilt.", "Better signage.")
    cases.communicate_decision(case, fac, today() - timedelta(days=30))
    closed = move(case, "closed", fac)
    assert closed.stage == "closed" and closed.close_kind == "resolved"


def test_forward_moves_check_every_rule_on_the_way(fac):
    case = make_case("filed", by=fac)
    message = refused(case, "hearing", fac)
    assert message.startswith("Needs an acknowledgement before Acknowledged.")
    assert "lead facilitator" in message and "findings" in message


def test_a_backward_move_needs_a_reason_and_keeps_it_in_the_record(fac):
    case = make_case("hearing", by=fac)
    assert refused(case, "investigating", fac) == "A move back to Investigating needs a reason."
    moved = move(case, "investigating", fac, reason="A new witness came forward.")
    assert moved.stage == "investigating"
    notes = [e for e in moved.entries if e.kind == "note"]
    assert [n.body for n in notes] == ["Moved back to Investigating: A new witness came forward."]
    assert notes[0].audience == "facilitators"


def test_a_forward_move_with_a_reason_is_noted_as_a_forward_move(fac):
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "letter")
    moved = move(case, "acknowledged", fac, reason="They asked us to go ahead.")
    notes = [e.body for e in moved.entries if e.kind == "note"]
    assert notes == ["Moved from Filed to Acknowledged: They asked us to go ahead."]


def test_every_move_is_audited_with_who_from_and_to(fac):
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "letter")
    move(case, "acknowledged", fac)
    record = (
        AuditRecord.select()
        .where(AuditRecord.action == "case.moved")
        .order_by(AuditRecord.id.desc())
        .first()
    )
    details = __import__("json").loads(record.details)
    assert (record.actor_id, record.case_id) == (fac.id, case.id)
    assert details["from"] == "filed" and details["to"] == "acknowledged"


def test_a_stale_version_is_refused_and_names_who_moved_it(fac):
    other = create_user("facilitator", display_name="Sam Second")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "phone")
    seen = fresh(case).version
    workflow.move(fresh(case), "acknowledged", other, seen)
    with pytest.raises(Stale) as stale:
        workflow.move(fresh(case), "filed", fac, seen, reason="oops")
    assert "changed by Sam Second" in str(stale.value)
    assert "now in Acknowledged" in str(stale.value)
    assert fresh(case).stage == "acknowledged"


def test_community_switched_off_is_skipped_and_refused_as_a_target(fac):
    StageSetting.create(stage="community", label="Community", enabled=False)
    case = make_case("restoring", by=fac)
    assert "switched off" in refused(case, "community", fac)
    cases.add_checkin(case, fac, today() + timedelta(days=3))
    assert move(case, "followup", fac).stage == "followup"


def test_stage_labels_come_from_settings(fac):
    StageSetting.create(stage="acknowledged", label="Received", help="", target_days=3)
    case = make_case("filed", by=fac)
    assert refused(case, "acknowledged", fac) == "Needs an acknowledgement before Received."


def test_appeal_opens_within_the_window_with_grounds_and_an_independent_reviewer(fac):
    reviewer = create_user("facilitator", display_name="Rev Iewer")
    case = make_case("restoring", by=fac)  # lead is fac
    assert "Needs the appeal's grounds recorded" in refused(case, "appeal", fac)
    with pytest.raises(Refused, match="they are the lead"):
        cases.file_appeal(fresh(case), fac, "Not heard", fac)
    cases.file_appeal(fresh(case), fac, "I was not heard at the meeting.", reviewer)
    moved = move(case, "appeal", fac)
    assert moved.stage == "appeal" and moved.appeal_return_stage == "restoring"
    assert "leaves Appeal when the reviewer records the outcome" in refused(moved, "restoring", fac)
    with pytest.raises(Refused, match="Only the appeal's reviewer"):
        workflow.record_appeal_outcome(fresh(case), "upheld", fac)
    back = workflow.record_appeal_outcome(fresh(case), "hearing", reviewer)
    assert back.stage == "hearing"


def test_upheld_appeal_returns_to_where_it_came_from(fac):
    reviewer = create_user("facilitator")
    case = make_case("community", by=fac)
    cases.file_appeal(fresh(case), fac, "Grounds", reviewer)
    move(case, "appeal", fac)
    assert workflow.record_appeal_outcome(fresh(case), "upheld", reviewer).stage == "community"


def test_appeal_is_refused_outside_its_window_or_stages(fac):
    reviewer = create_user("facilitator")
    case = make_case("restoring", by=fac)
    cases.file_appeal(fresh(case), fac, "Grounds", reviewer)
    cases.communicate_decision(case, fac, today() - timedelta(days=60))
    assert "The appeal window is closed" in refused(case, "appeal", fac)
    early = make_case("investigating", by=fac)
    assert "An appeal can only be filed while the case is in" in refused(early, "appeal", fac)


def test_close_early_and_reopen(fac):
    case = make_case("investigating", by=fac)
    with pytest.raises(Refused, match="needs a reason"):
        workflow.close_early(fresh(case), "withdrawn", " ", fac, fresh(case).version)
    closed = workflow.close_early(
        fresh(case), "withdrawn", "They asked us to stop.", fac, fresh(case).version
    )
    assert (closed.stage, closed.close_kind) == ("closed", "withdrawn")
    assert "needs a reason" in refused(closed, "filed", fac)
    reopened = move(closed, "investigating", fac, reason="They came back to us.")
    assert reopened.stage == "investigating" and reopened.close_kind is None


def test_duplicate_needs_the_other_reference(fac):
    first = make_case("filed", by=fac)
    second = make_case("filed", by=fac)
    with pytest.raises(Refused, match="no other case with that reference"):
        workflow.close_early(
            fresh(second), "duplicate", "Same event", fac, fresh(second).version, "RJ-1999-0001"
        )
    done = workflow.close_early(
        fresh(second),
        "duplicate",
        "Same event",
        fac,
        fresh(second).version,
        first.reference.lower(),
    )
    assert done.duplicate_of == first.reference


def test_references_count_up_per_year_and_are_never_reused(fac):
    a, b = make_case(by=fac), make_case(by=fac)
    year = today().year
    assert a.reference == f"RJ-{year}-0001" and b.reference == f"RJ-{year}-0002"


def test_unknown_stage_is_refused(fac):
    case = make_case(by=fac)
    assert refused(case, "limbo", fac) == "That is not a stage of the process."


def test_reordering_within_a_column_keeps_neighbours_order(fac):
    a, b, c = (make_case(by=fac, title=t) for t in ("A", "B", "C"))
    # Newest is at the top: C, B, A. Put A between C and B.
    workflow.move(fresh(a), "filed", fac, fresh(a).version, before_id=c.id, after_id=b.id)
    order = [x.title for x in Case.select().where(Case.stage == "filed").order_by(Case.rank)]
    assert order == ["C", "A", "B"]


def test_order_holds_after_many_drops_between_the_same_two_cards(fac):
    a, b = make_case(by=fac, title="A"), make_case(by=fac, title="B")  # order: B, A
    moved = [make_case(by=fac, title=f"M{i}") for i in range(60)]
    upper = b
    for card in moved:  # each lands right below the previous one, above A
        workflow.move(
            fresh(card), "filed", fac, fresh(card).version, before_id=upper.id, after_id=a.id
        )
        upper = card
    order = [
        x.title for x in Case.select().where(Case.stage == "filed").order_by(Case.rank, Case.id)
    ]
    assert order == ["B", *[f"M{i}" for i in range(60)], "A"]


# --- Rules the domain keeps, whoever calls it (routes, the CLI, the demo) ---------------


def test_an_action_must_suit_the_side_of_the_person_it_is_for(fac):
    harmed_user = create_user("participant")
    case = make_case("hearing", by=fac, parties=[("harmed", harmed_user, "Hana")])
    harmed = case.parties.first()
    with pytest.raises(Refused, match="For someone harmed, choose support or a service.") as no:
        cases.add_action(case, fac, "repair", "Fix the door", fac, today(), party=harmed)
    assert no.value.field == "kind"
    assert cases.add_action(case, fac, "support", "Weekly call", fac, today(), party=harmed)


def test_an_account_is_a_party_once_per_case_and_never_the_lead(fac):
    person = create_user("participant")
    case = make_case("investigating", by=fac, parties=[("harmed", person, "Pia")])
    with pytest.raises(Refused, match="already a party to this case") as twice:
        cases.add_party_person(case, fac, "Pia again", "impacted", user=person)
    assert twice.value.field == "account"
    with pytest.raises(Refused, match="leads this case"):
        cases.add_party_person(case, fac, "The lead", "impacted", user=fac)


def test_a_duplicate_must_be_a_case_the_closer_can_see(fac):
    hidden = make_case("filed", by=create_user("facilitator"))
    cases.declare_conflict(hidden, fac, "Neighbour")
    case = make_case("filed", by=fac)
    with pytest.raises(Refused, match="no other case with that reference"):
        workflow.close_early(case, "duplicate", "Same", fac, case.version, hidden.reference)
    assert fresh(case).stage == "filed"


def test_only_the_reviewer_decides_an_appeal_even_through_the_domain(fac):
    reviewer = create_user("facilitator")
    case = make_case("followup", by=fac, parties=[("harmed", None, "Ann")])
    cases.communicate_decision(case, fac, today())
    cases.appeal_case(fresh(case), fac, "Not heard", reviewer, party=case.parties.first())
    with pytest.raises(Refused, match="Only the appeal's reviewer") as no:
        workflow.record_appeal_outcome(fresh(case), "upheld", fac)
    assert no.value.status == 403
    assert workflow.record_appeal_outcome(fresh(case), "upheld", reviewer).stage == "followup"
