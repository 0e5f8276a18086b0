"""A case's whole record as one timeline, in order: what the case page and the export show."""

import json
from dataclasses import dataclass, field
from datetime import datetime

from rj import workflow
from rj.models import (
    Acknowledgement,
    Action,
    Appeal,
    AuditRecord,
    CheckIn,
    CommunityAssessment,
    Entry,
    Meeting,
    Reflection,
    User,
)
from rj.vocabulary import AUDIENCE_LABELS, ENTRY_KIND_LABELS, action_label


@dataclass
class Item:
    at: datetime
    kind: str
    title: str
    author: str
    audience: str
    body: str = ""
    details: list = field(default_factory=list)
    entry: Entry | None = None
    anchor: str = ""


def _name(users, user_id):
    user = users.get(user_id)
    return user.display_name if user else "—"


def build(case):
    """Every item of the record, oldest first."""
    users = {u.id: u for u in User.select(User.id, User.display_name)}
    items = [
        Item(
            case.created_at,
            "filed",
            f"{case.kind.title()} filed",
            _name(users, case.created_by_id),
            "Case team",
            case.what_happened,
            [
                ("When", case.occurred_at),
                ("Where", case.location),
                ("Raised by", case.raised_by),
                ("People involved", case.people_involved),
                ("Severity", case.severity.title()),
                ("Immediate safety steps", case.safety_steps),
            ],
            anchor="filed",
        )
    ]
    for ack in Acknowledgement.select().where(Acknowledgement.case == case):
        items.append(
            Item(
                ack.created_at,
                "acknowledgement",
                "Acknowledged",
                _name(users, ack.by_id),
                "Case team",
                ack.note,
                [("Acknowledged on", ack.at), ("How", ack.method)],
                anchor=f"ack-{ack.id}",
            )
        )
    for entry in Entry.select().where(Entry.case == case).order_by(Entry.created_at):
        items.append(
            Item(
                entry.created_at,
                entry.kind,
                ENTRY_KIND_LABELS.get(entry.kind, entry.kind),
                _name(users, entry.author_id),
                AUDIENCE_LABELS.get(entry.audience, entry.audience),
                entry.body,
                entry=entry,
                anchor=f"entry-{entry.id}",
            )
        )
    for meeting in Meeting.select().where(Meeting.case == case):
        items.append(
            Item(
                meeting.created_at,
                "meeting",
                "Meeting scheduled",
                _name(users, meeting.created_by_id),
                "Case team",
                "",
                [
                    ("When", meeting.scheduled_at),
                    ("Where", meeting.place),
                    ("Who attends", meeting.attendees),
                ],
                anchor=f"meeting-{meeting.id}",
            )
        )
        if meeting.outcome_recorded_at:
            items.append(
                Item(
                    meeting.outcome_recorded_at,
                    "meeting-outcome",
                    "Meeting held",
                    _name(users, meeting.created_by_id),
                    "Case team",
                    meeting.outcome,
                    [("Minutes", meeting.minutes)],
                )
            )
    for action in Action.select().where(Action.case == case):
        items.append(
            Item(
                action.created_at,
                "action",
                f"Action: {action_label(action.kind)}",
                _name(users, action.owner_id),
                "Case team",
                action.description,
                [
                    ("Owner", _name(users, action.owner_id)),
                    ("Due", action.due_on),
                    ("Status", action.status),
                    ("Waived because", action.waived_reason),
                ],
                anchor=f"action-{action.id}",
            )
        )
    for assessment in CommunityAssessment.select().where(CommunityAssessment.case == case):
        items.append(
            Item(
                assessment.at,
                "community",
                "Community impact assessed",
                _name(users, assessment.by_id),
                "Case team",
                assessment.impacted,
                [
                    ("Community actions", assessment.actions),
                    ("None, because", assessment.none_reason),
                ],
            )
        )
    for checkin in CheckIn.select().where(CheckIn.case == case):
        items.append(
            Item(
                checkin.created_at,
                "checkin",
                "Check-in scheduled",
                "—",
                "Case team",
                checkin.notes,
                [("Due", checkin.due_on), ("Held", checkin.held_at)],
                anchor=f"checkin-{checkin.id}",
            )
        )
    for reflection in Reflection.select().where(Reflection.case == case):
        items.append(
            Item(
                reflection.at,
                "reflection",
                "Closing reflection",
                _name(users, reflection.by_id),
                "Case team",
                reflection.repaired,
                [("What the community learned", reflection.learned)],
            )
        )
    for appeal in Appeal.select().where(Appeal.case == case):
        items.append(
            Item(
                appeal.filed_at,
                "appeal",
                "Appeal",
                "—",
                "Case team",
                appeal.grounds,
                [
                    ("Reviewer", _name(users, appeal.reviewer_id)),
                    ("Outcome", appeal.outcome),
                    ("Decided", appeal.decided_at),
                ],
            )
        )
    moves = AuditRecord.select().where(
        (AuditRecord.case == case) & (AuditRecord.action == "case.moved")
    )
    for record in moves:
        details = json.loads(record.details)
        items.append(
            Item(
                record.at,
                "move",
                f"Moved from {workflow.stage(details['from']).label} to "
                f"{workflow.stage(details['to']).label}",
                _name(users, record.actor_id),
                "Facilitators only",
            )
        )
    items.sort(key=lambda item: item.at)
    for item in items:
        item.details = [(label, value) for label, value in item.details if value]
    return items
