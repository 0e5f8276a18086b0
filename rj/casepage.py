"""What the case page shows beside its timeline: the people, the lead, what to record
next, open actions and check-ins. A fixed number of queries, whatever the case holds."""

from rj import workflow
from rj.clock import today
from rj.models import (
    Acknowledgement,
    Action,
    CheckIn,
    CommunityAssessment,
    Meeting,
    Party,
    Person,
    Reflection,
    Representative,
    User,
)
from rj.vocabulary import SIDE_LABELS, action_label


def parties(case):
    """The parties of ``case`` with their person records, in the order they were added."""
    return list(
        Party.select(Party, Person).join(Person).where(Party.case == case).order_by(Party.id)
    )


def panel(case):
    """What the process panel on the case page shows."""
    now = today()
    people = parties(case)
    reps = {}
    for rep in (
        Representative.select(Representative, User)
        .join(User)
        .where(Representative.party.in_([p.id for p in people] or [0]))
        .order_by(User.display_name)
    ):
        reps.setdefault(rep.party_id, []).append(rep.user)
    acknowledged = Acknowledgement.select().where(Acknowledgement.case == case).exists()
    meetings = list(
        Meeting.select()
        .where((Meeting.case == case) & Meeting.outcome_recorded_at.is_null())
        .order_by(Meeting.scheduled_at)
    )
    actions = list(Action.select().where(Action.case == case).order_by(Action.due_on, Action.id))
    by_party = {p.id: p for p in people}
    checkins = list(
        CheckIn.select()
        .where(CheckIn.case == case)
        .order_by(CheckIn.held_at.is_null(False), CheckIn.due_on, CheckIn.id)
    )
    appeal = workflow.open_appeal(case)
    return {
        "parties": [(p, SIDE_LABELS.get(p.side, p.side), reps.get(p.id, [])) for p in people],
        "lead": case.lead if case.lead_id else None,
        "is_open": case.stage != "closed",
        "acknowledged": acknowledged,
        "ack_target_days": workflow.stage("filed").target_days,
        "ack_overdue": (
            not acknowledged and case.stage_due_on is not None and case.stage_due_on < now
        ),
        "pending_meetings": meetings,
        "has_actions": bool(actions),
        "open_actions": [
            {
                "action": a,
                "kind": action_label(a.kind),
                "for": by_party[a.party_id].person.name if a.party_id in by_party else "",
                "overdue": a.due_on < now,
            }
            for a in actions
            if a.status == "open"
        ],
        "checkins": [
            {"checkin": c, "overdue": c.held_at is None and c.due_on < now} for c in checkins
        ],
        "assessed": CommunityAssessment.select().where(CommunityAssessment.case == case).exists(),
        "community_enabled": workflow.stage("community").enabled,
        "reflected": Reflection.select().where(Reflection.case == case).exists(),
        "can_appeal": workflow.appeal_closed_reason(case) is None,
        "appeal_under_review": appeal if case.stage == "appeal" else None,
    }
