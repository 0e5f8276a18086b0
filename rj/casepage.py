"""What the case page shows beside its timeline: the people, the lead, what to record
next, open actions and check-ins. A fixed number of queries, whatever the case holds."""

from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rj import i18n, policy, timeline, workflow
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


# --- Where the case is, and what comes next --------------------------------------------

# What records each step a stage may lack (workflow.Missing.step): the words of its link
# and the form it opens. None: nothing to record, only to wait.
STEPS = {
    "facts": (_l("Write what happened, when and where"), "cases.correct_facts", {}),
    "acknowledgement": (_l("Record the acknowledgement"), "process.acknowledge", {}),
    "lead": (_l("Set the lead facilitator"), "process.set_lead", {}),
    "findings": (_l("Record findings"), "entries.new", {"kind": "finding"}),
    "meeting": (_l("Schedule a meeting"), "process.schedule_meeting", {}),
    "meeting_outcome": (_l("Record the meeting's outcome"), "process.meeting_outcome", {}),
    "action": (_l("Add a restorative action"), "process.add_action", {}),
    "actions": (_l("Mark every action done, or waived with a reason"), "cases.show", {}),
    "community": (_l("Assess the impact on the community"), "process.assess_community", {}),
    "checkin": (_l("Add a check-in"), "process.add_checkin", {}),
    "reflection": (_l("Record the closing reflection"), "process.reflection", {}),
    "appeal": (_l("File the appeal, with its grounds and reviewer"), "process.file_appeal", {}),
    "appeal_outcome": (_l("Record the appeal's outcome"), "process.appeal_outcome", {}),
    "wait_for_appeals": (_l("Wait until the appeal window has passed"), None, {}),
}


@dataclass
class Step:
    """One thing to do for the next stage: its words and where it is done (or None)."""

    label: str
    endpoint: str | None
    args: dict


def step_of(case, missing):
    """The Step that records what ``missing`` (a workflow.Missing) names, for ``case``."""
    label, endpoint, args = STEPS.get(missing.step, (str(missing), None, {}))
    args = dict(args, reference=case.reference)
    if missing.step == "meeting_outcome":
        pending = case.meetings.where(Meeting.outcome_recorded_at.is_null()).first()
        if pending is None:
            label, endpoint = STEPS["meeting"][:2]
        else:
            args["meeting_id"] = pending.id
    if missing.step == "actions":
        args["_anchor"] = "open-actions"
    if missing.step == "wait_for_appeals" and case.decision_communicated_on:
        until = case.decision_communicated_on + timedelta(days=workflow.appeal_window_days())
        label = _("Wait until the appeal window has passed (%(day)s)", day=i18n.day_text(until))
    return Step(label, endpoint, args)


@dataclass
class Progress:
    """A stage on the progress line: done, current, or still to come."""

    key: str
    label: str
    state: str  # "done", "current", "todo", or "possible" (an appeal that may come)


def progress(case, can_appeal):
    """The enabled stages as a line, the current one marked. Appeal shows only while the
    case is in it (after the stage it came from) or could enter it (``can_appeal``, from
    the panel: "possible"); a switched-off Community only while a case is in it."""
    stages = workflow.stages()
    order = [k for k in workflow.ORDER if stages[k].enabled or k == case.stage]
    appeal = None
    if case.stage == "appeal":
        appeal = "current"
        came_from = case.appeal_return_stage
        order.insert(order.index(came_from if came_from in order else "restoring") + 1, "appeal")
    elif can_appeal:
        appeal = "possible"
        order.insert(order.index(case.stage) + 1, "appeal")
    current = order.index(case.stage)
    line = []
    for i, key in enumerate(order):
        if key == "appeal" and appeal == "possible":
            state = "possible"
        else:
            state = "current" if i == current else ("done" if i < current else "todo")
        line.append(Progress(key, stages[key].label, state))
    return line


@dataclass
class NextStep:
    """What comes next for a case: the stage, what it still lacks, or why nothing."""

    to: object  # a workflow.Stage, or None
    steps: list
    note: str = ""


def next_step(case, user):
    """The next stage and the steps it lacks, from the same rules the board checks; for
    an appeal, its outcome (a step only for its reviewer, ``user`` or not)."""
    if case.stage == "closed":
        return NextStep(None, [], _("This case is closed. Reopen it to add to the record."))
    if case.stage == "appeal":
        reviewer = policy.open_appeal_reviewer(case)
        if reviewer is not None and reviewer.id == user.id:
            missing = workflow.Missing("", "appeal_outcome")
            return NextStep(None, [step_of(case, missing)], _("You review this appeal."))
        who = reviewer.display_name if reviewer else _("its reviewer")
        return NextStep(
            None, [], _("The appeal is with %(who)s, who records its outcome.", who=who)
        )
    stages = workflow.stages()
    later = workflow.ORDER[workflow.ORDER.index(case.stage) + 1 :]
    to = next((k for k in later if stages[k].enabled), None)
    missing = workflow.missing_for(case, to)
    return NextStep(stages[to], [step_of(case, m) for m in missing])


# --- What can be recorded, by stage -------------------------------------------------------


@dataclass
class Link:
    """One thing to record: its words, its form, and a note beside it."""

    label: str
    endpoint: str
    args: dict
    note: str = ""
    overdue: bool = False


@dataclass
class Group:
    """The records that belong to one stage (or to any time), for the case page."""

    key: str
    heading: str
    links: list


def record_actions(case, p, user):
    """The record's forms grouped by the stage they belong to, for an open case; the
    current stage's group first, then what fits any stage, then the rest in order."""
    ref = {"reference": case.reference}
    if case.stage == "closed":
        return [
            Group(
                "closed",
                _("This case is closed"),
                [
                    Link(_("Reopen the case"), "process.reopen", ref),
                    Link(_("Declare a conflict"), "process.declare_conflict", ref),
                ],
            )
        ]
    stages = workflow.stages()
    groups = {
        "filed": [
            Link(
                _("Correct the facts")
                if case.what_happened and case.location
                else _("Write what happened, when and where"),
                "cases.correct_facts",
                ref,
            ),
        ],
        "acknowledged": [
            Link(_("Add a person"), "process.add_party", ref),
            Link(
                _("Change the lead facilitator") if p["lead"] else _("Set the lead facilitator"),
                "process.set_lead",
                ref,
            ),
        ],
        "investigating": [
            Link(_("Add a statement"), "entries.new", dict(ref, kind="statement")),
            Link(_("Add a witness account"), "entries.new", dict(ref, kind="witness")),
            Link(_("Add evidence"), "entries.new", dict(ref, kind="evidence")),
            Link(_("Record findings"), "entries.new", dict(ref, kind="finding")),
        ],
        "hearing": [Link(_("Schedule a meeting"), "process.schedule_meeting", ref)]
        + [
            Link(
                _("Record the meeting's outcome"),
                "process.meeting_outcome",
                dict(ref, meeting_id=meeting.id),
                i18n.when_text(meeting.scheduled_at),
            )
            for meeting in p["pending_meetings"]
        ],
        "restoring": [],
        "community": [],
        "followup": [Link(_("Add a check-in"), "process.add_checkin", ref)],
        "appeal": [],
    }
    if not p["acknowledged"]:
        target = stages["filed"].target_days
        groups["filed"].insert(
            0,
            Link(
                _("Record the acknowledgement"),
                "process.acknowledge",
                ref,
                _("Due %(day)s", day=i18n.day_text(case.stage_due_on))
                if target and case.stage_due_on
                else "",
                p["ack_overdue"],
            ),
        )
    if p["parties"]:
        groups["restoring"].append(Link(_("Add a restorative action"), "process.add_action", ref))
    if p["has_actions"]:
        note = (
            _("Recorded: %(day)s", day=i18n.day_text(case.decision_communicated_on))
            if case.decision_communicated_on
            else ""
        )
        groups["restoring"].append(
            Link(
                _("Record when the decision was communicated"),
                "process.communicate_decision",
                ref,
                note,
            )
        )
    if p["community_enabled"] and not p["assessed"]:
        groups["community"].append(
            Link(_("Assess the impact on the community"), "process.assess_community", ref)
        )
    if not p["reflected"]:
        groups["followup"].append(
            Link(_("Record the closing reflection"), "process.reflection", ref)
        )
    if p["can_appeal"]:
        groups["appeal"].append(Link(_("File an appeal"), "process.file_appeal", ref))
    if policy.may_decide_appeal(user, p["appeal_under_review"]):
        groups["appeal"].append(
            Link(_("Record the appeal's outcome"), "process.appeal_outcome", ref)
        )
    by_stage = [Group(key, stages[key].label, links) for key, links in groups.items() if links]
    current = [g for g in by_stage if g.key == case.stage]
    anytime = Group(
        "anytime",
        _("At any stage"),
        [
            Link(_("Add a note"), "entries.new", dict(ref, kind="note")),
            Link(_("Declare a conflict"), "process.declare_conflict", ref),
            Link(_("Close early"), "process.close_early", ref),
        ],
    )
    return current + [anytime] + [g for g in by_stage if g.key != case.stage]


# --- The timeline as the reader asked for it -----------------------------------------------

ORDERS = {"oldest": _l("Oldest first"), "newest": _l("Newest first")}
ORDER_COOKIE = "mend_timeline_order"


@dataclass
class TimelineView:
    """The items shown, in the order asked for, and what the controls show."""

    items: list
    order: str
    show: str  # a timeline.TIMELINE_GROUPS key, or "" for everything
    hidden: int  # how many items the filter leaves out
    saved: str  # the anchor of the item just saved, when it is shown


def timeline_view(items, order, show, saved, elsewhere=()):
    """``items`` (oldest first) filtered to one group and in the order asked for. Unknown
    values fall back to the defaults; a saved item is marked only when it is shown (in
    the timeline, or at one of the anchors ``elsewhere`` on the page)."""
    order = order if order in ORDERS else "oldest"
    show = show if show in timeline.TIMELINE_GROUPS else ""
    shown = [item for item in items if not show or item.group == show]
    if order == "newest":
        shown.reverse()
    anchors = {item.anchor for item in shown} | set(elsewhere)
    return TimelineView(
        shown, order, show, len(items) - len(shown), saved if saved in anchors else ""
    )


def saved_url(case, anchor):
    """The case page after a save: scrolled to the new item, which says it was saved."""
    return url_for("cases.show", reference=case.reference, saved=anchor, _anchor=anchor)
