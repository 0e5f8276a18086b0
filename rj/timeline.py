"""A case's whole record as one timeline, in order: what the case page, the printable file
and the export show.

Built in a fixed number of queries whatever the case holds: one per kind of record,
then the names, files, parties and witnesses they point at, each in one query.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from rj import entries, workflow
from rj.models import (
    Acknowledgement,
    Action,
    Appeal,
    AuditRecord,
    CheckIn,
    CommunityAssessment,
    Entry,
    EntryFile,
    EntryRevision,
    Meeting,
    Party,
    Person,
    Reflection,
    User,
)
from rj.vocabulary import (
    ACK_METHOD_LABELS,
    ACTION_STATUS_LABELS,
    APPEAL_OUTCOME_LABELS,
    AUDIENCE_LABELS,
    CASE_KIND_LABELS,
    ENTRY_KIND_LABELS,
    SEVERITY_LABELS,
    action_label,
    label,
)

UNKNOWN = _l("Unknown account")
# The author of what was written publicly: no account stands behind it.
PUBLIC_AUTHOR = _l("Raised publicly (no account)")


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
    # For an entry: its files, its witness (facilitators only), whom a side entry is
    # shared with, who redacted it.
    files: list = field(default_factory=list)
    witness: entries.Witness | None = None
    shared_with: str = ""
    redacted_by: str = ""
    # Who may read it (an AUDIENCE_LABELS key), for its chip on the case page.
    visibility: str = "team"

    @property
    def group(self):
        """The kind of record it is, for the case page's filter (TIMELINE_GROUPS)."""
        return KIND_GROUP.get(self.kind, "process")


# The case page's filter of the timeline: its choices, and which kinds each shows.
TIMELINE_GROUPS = {
    "accounts": _l("Statements and accounts"),
    "evidence": _l("Evidence and findings"),
    "notes": _l("Notes"),
    "process": _l("Process"),
    "moves": _l("Stage moves"),
}
KIND_GROUP = {
    "statement": "accounts",
    "witness": "accounts",
    "evidence": "evidence",
    "finding": "evidence",
    "note": "notes",
    "move": "moves",
}


class _Names:
    """Display names of the accounts a timeline mentions, read in one query."""

    def __init__(self, ids):
        ids = sorted({i for i in ids if i is not None})
        self.names = {
            u.id: u.display_name
            for u in User.select(User.id, User.display_name).where(User.id.in_(ids or [0]))
        }

    def __call__(self, user_id):
        if user_id is None:
            return ""
        return self.names[user_id] if user_id in self.names else str(UNKNOWN)


def _witnesses(entry_rows):
    """The witness of each witness account, from its latest revision: one query."""
    ids = [e.id for e in entry_rows if e.kind == "witness" and not e.redacted_at]
    latest = {}
    query = EntryRevision.select(EntryRevision.entry, EntryRevision.number, EntryRevision.body)
    for revision in query.where(EntryRevision.entry.in_(ids or [0])).order_by(EntryRevision.number):
        latest[revision.entry_id] = revision.body
    return {entry_id: entries.witness_of(body) for entry_id, body in latest.items()}


class _Words:
    """The words of one timeline, each looked up once however many items use it: a case
    of 300 items asks for "When" or "Case team" hundreds of times."""

    def __init__(self):
        self.seen = {}

    def __call__(self, message, **values):
        if message not in self.seen:
            self.seen[message] = gettext(message)
        return self.seen[message] % values if values else self.seen[message]

    def label(self, labels, value):
        """``label(labels, value)`` as a plain string, the same lookup once."""
        key = (id(labels), value)
        if key not in self.seen:
            self.seen[key] = str(label(labels, value))
        return self.seen[key]


def build(case):
    """Every item of the record, oldest first."""
    _ = _Words()  # the same messages as gettext's, found by the extractor as _()
    acks = list(Acknowledgement.select().where(Acknowledgement.case == case))
    entry_rows = list(Entry.select().where(Entry.case == case).order_by(Entry.created_at))
    meetings = list(Meeting.select().where(Meeting.case == case))
    actions = list(Action.select().where(Action.case == case))
    assessments = list(CommunityAssessment.select().where(CommunityAssessment.case == case))
    checkins = list(CheckIn.select().where(CheckIn.case == case))
    reflections = list(Reflection.select().where(Reflection.case == case))
    appeals = list(Appeal.select().where(Appeal.case == case))
    moves = list(
        AuditRecord.select().where(
            (AuditRecord.case == case) & (AuditRecord.action == "case.moved")
        )
    )
    name = _Names(
        [case.created_by_id]
        + [a.by_id for a in acks]
        + [e.author_id for e in entry_rows]
        + [e.redacted_by_id for e in entry_rows]
        + [m.created_by_id for m in meetings]
        + [a.owner_id for a in actions]
        + [a.by_id for a in assessments]
        + [r.by_id for r in reflections]
        + [a.reviewer_id for a in appeals]
        + [r.actor_id for r in moves]
    )
    files = {}
    for stored in EntryFile.select().where(EntryFile.entry.in_([e.id for e in entry_rows] or [0])):
        files.setdefault(stored.entry_id, []).append(stored)
    party_names = dict(
        Party.select(Party.id, Person.name).join(Person).where(Party.case == case).tuples()
    )
    witnesses = _witnesses(entry_rows)
    # An item's words are plain strings: the export writes them as JSON.
    public_author = str(PUBLIC_AUTHOR)
    team = _("Case team")

    items = [
        Item(
            case.created_at,
            "filed",
            _("%(kind)s filed", kind=label(CASE_KIND_LABELS, case.kind)),
            name(case.created_by_id) if case.created_by_id else public_author,
            team,
            case.what_happened,
            [
                (_("When"), case.occurred_at),
                (_("Where"), case.location),
                (_("Raised by"), case.raised_by),
                (_("People involved"), case.people_involved),
                (_("Severity"), _.label(SEVERITY_LABELS, case.severity)),
                (_("Immediate safety steps"), case.safety_steps),
            ],
            anchor="filed",
        )
    ]
    for ack in acks:
        items.append(
            Item(
                ack.created_at,
                "acknowledgement",
                _("Acknowledged"),
                name(ack.by_id),
                team,
                ack.note,
                [
                    (_("Acknowledged on"), ack.at),
                    (_("How"), _.label(ACK_METHOD_LABELS, ack.method)),
                ],
                anchor=f"ack-{ack.id}",
            )
        )
    for entry in entry_rows:
        items.append(
            Item(
                entry.created_at,
                entry.kind,
                _.label(ENTRY_KIND_LABELS, entry.kind),
                name(entry.author_id) if entry.author_id else public_author,
                _.label(AUDIENCE_LABELS, entry.audience),
                entry.body,
                entry=entry,
                anchor=f"entry-{entry.id}",
                files=files.get(entry.id, []),
                witness=witnesses.get(entry.id),
                shared_with=party_names.get(entry.audience_party_id, "")
                if entry.audience == "party"
                else "",
                redacted_by=name(entry.redacted_by_id),
                visibility=entry.audience,
            )
        )
    for meeting in meetings:
        items.append(
            Item(
                meeting.created_at,
                "meeting",
                _("Meeting scheduled"),
                name(meeting.created_by_id),
                team,
                "",
                [
                    (_("When"), meeting.scheduled_at),
                    (_("Where"), meeting.place),
                    (_("Who attends"), meeting.attendees),
                ],
                anchor=f"meeting-{meeting.id}",
            )
        )
        if meeting.outcome_recorded_at:
            items.append(
                Item(
                    meeting.outcome_recorded_at,
                    "meeting-outcome",
                    _("Meeting held"),
                    name(meeting.created_by_id),
                    team,
                    meeting.outcome,
                    [(_("Minutes"), meeting.minutes)],
                    anchor=f"meeting-{meeting.id}-outcome",
                )
            )
    for action in actions:
        items.append(
            Item(
                action.created_at,
                "action",
                _("Action: %(kind)s", kind=action_label(action.kind)),
                name(action.owner_id),
                team,
                action.description,
                [
                    (_("For"), party_names.get(action.party_id, "")),
                    (_("Owner"), name(action.owner_id)),
                    (_("Due"), action.due_on),
                    (_("Status"), _.label(ACTION_STATUS_LABELS, action.status)),
                    (_("Waived because"), action.waived_reason),
                ],
                anchor=f"action-{action.id}",
            )
        )
    for assessment in assessments:
        items.append(
            Item(
                assessment.at,
                "community",
                _("Community impact assessed"),
                name(assessment.by_id),
                team,
                assessment.impacted,
                [
                    (_("Community actions"), assessment.actions),
                    (_("None, because"), assessment.none_reason),
                ],
                anchor=f"community-{assessment.id}",
            )
        )
    for checkin in checkins:
        items.append(
            Item(
                checkin.created_at,
                "checkin",
                _("Check-in scheduled"),
                "",
                team,
                checkin.notes,
                [(_("Due"), checkin.due_on), (_("Held"), checkin.held_at)],
                anchor=f"checkin-{checkin.id}",
            )
        )
    for reflection in reflections:
        items.append(
            Item(
                reflection.at,
                "reflection",
                _("Closing reflection"),
                name(reflection.by_id),
                team,
                reflection.repaired,
                [(_("What the community learned"), reflection.learned)],
                anchor=f"reflection-{reflection.id}",
            )
        )
    for appeal in appeals:
        items.append(
            Item(
                appeal.filed_at,
                "appeal",
                _("Appeal"),
                "",
                team,
                appeal.grounds,
                [
                    (_("Reviewer"), name(appeal.reviewer_id)),
                    (_("Outcome"), _.label(APPEAL_OUTCOME_LABELS, appeal.outcome or "")),
                    (_("Decided"), appeal.decided_at),
                ],
                anchor=f"appeal-{appeal.id}",
            )
        )
    for record in moves:
        details = json.loads(record.details)
        items.append(
            Item(
                record.at,
                "move",
                _(
                    "Moved from %(from_stage)s to %(to_stage)s",
                    from_stage=workflow.stage(details["from"]).label,
                    to_stage=workflow.stage(details["to"]).label,
                ),
                name(record.actor_id),
                _("Facilitators only"),
                anchor=f"move-{record.id}",
                visibility="facilitators",
            )
        )
    items.sort(key=lambda item: item.at)
    for item in items:
        item.details = [(key, value) for key, value in item.details if value]
    return items


def trail(case):
    """The case's audit trail, oldest first, with who did each thing: one query."""
    who = User.alias("who")
    return list(
        AuditRecord.select(AuditRecord, who.display_name.alias("actor_name"))
        .join(who, JOIN.LEFT_OUTER, on=(AuditRecord.actor == who.id))
        .where(AuditRecord.case == case)
        .order_by(AuditRecord.id)
        .objects()
    )
