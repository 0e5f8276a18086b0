"""The restorative process: its stages, the rules for entering each, and moving a case.

Rules are data plus small functions, checked here and nowhere else: the board's
drag, the "Move to…" dialog, the CLI and the demo data all call ``move``.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from flask import g

from rj import audit, db, entries
from rj.clock import today, utcnow
from rj.models import (
    Acknowledgement,
    Action,
    Appeal,
    Case,
    CheckIn,
    CommunityAssessment,
    Conflict,
    Entry,
    Meeting,
    Party,
    Person,
    Reflection,
    StageSetting,
    User,
)


class TransitionDenied(Exception):
    """A move the rules refuse; the message names what is missing."""


class StaleVersion(Exception):
    """The card changed since the mover loaded it."""

    def __init__(self, case):
        self.case = case
        who = case.updated_by.display_name if case.updated_by else "someone"
        super().__init__(
            f"{case.reference} was changed by {who} a moment ago and is now in "
            f"{stage(case.stage).label}. Nothing was moved; check it and try again."
        )


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    help: str
    target_days: int | None
    enabled: bool = True


DEFAULT_STAGES = (
    Stage("filed", "Filed", "A complaint or incident report has come in.", 2),
    Stage("acknowledged", "Acknowledged", "The concern was acknowledged to whoever raised it.", 7),
    Stage("investigating", "Investigating", "Impartial fact finding: statements, witnesses.", 14),
    Stage(
        "hearing", "Hearing", "A meeting with the people involved and their representatives.", 14
    ),
    Stage("restoring", "Restoring", "Restorative actions for each person, by the decision.", 30),
    Stage("community", "Community", "Restoring or transforming the community and the space.", 30),
    Stage("followup", "Follow-up", "Check-ins and reflection on the agreed timeline.", 60),
    Stage("closed", "Closed", "The record is complete.", None),
    Stage("appeal", "Appeal", "A participant asked for the decision to be reviewed.", 14),
)
STAGE_KEYS = tuple(s.key for s in DEFAULT_STAGES)
# The forward order of the process; Appeal stands beside it.
ORDER = STAGE_KEYS[:-1]
APPEAL_FROM = ("restoring", "community", "followup")
APPEAL_OUTCOMES = {"upheld": None, "hearing": "hearing", "restoring": "restoring"}
DEFAULT_APPEAL_WINDOW_DAYS = 14


def stages():
    """Every stage with the organisation's labels, help, targets and switches.

    Cached per request.
    """
    if "mend_stages" not in g:
        rows = {row.stage: row for row in StageSetting.select()}
        merged = []
        for default in DEFAULT_STAGES:
            row = rows.get(default.key)
            if row:
                default = replace(
                    default,
                    label=row.label or default.label,
                    help=row.help or default.help,
                    target_days=row.target_days,
                    enabled=row.enabled if default.key == "community" else True,
                )
            merged.append(default)
        g.mend_stages = {s.key: s for s in merged}
    return g.mend_stages


def stage(key):
    return stages()[key]


def board_stages():
    """The columns of the board, in order. A disabled Community column still shows its cards."""
    return list(stages().values())


def appeal_window_days():
    from rj import settings

    return settings.get("appeal_window_days", DEFAULT_APPEAL_WINDOW_DAYS)


# --- The rules ---------------------------------------------------------------


def _needs(text, key):
    return f"Needs {text} before {stage(key).label}"


def _rule_filed(case):
    ok = case.kind and case.what_happened.strip() and case.occurred_at and case.location.strip()
    return [] if ok else [_needs("what happened, when and where", "filed")]


def _rule_acknowledged(case):
    exists = Acknowledgement.select().where(Acknowledgement.case == case).exists()
    return [] if exists else [_needs("an acknowledgement", "acknowledged")]


def lead_problem(case, user):
    """Why ``user`` cannot lead (or review) this case, or None."""
    if user is None:
        return "no lead facilitator is assigned"
    if user.role not in ("facilitator", "admin") or not user.is_active:
        return f"{user.display_name} is not an active facilitator"
    is_party = (
        Party.select().join(Person).where((Party.case == case) & (Person.user == user)).exists()
    )
    if is_party:
        return f"{user.display_name} is a party to this case"
    if Conflict.select().where((Conflict.case == case) & (Conflict.user == user)).exists():
        return f"{user.display_name} has declared a conflict in this case"
    return None


def _rule_investigating(case):
    lead = User.get_or_none(User.id == case.lead_id) if case.lead_id else None
    return (
        []
        if lead_problem(case, lead) is None
        else [_needs("a lead facilitator who is not a party to the case", "investigating")]
    )


def _rule_hearing(case):
    missing = []
    findings = Entry.select().where(
        (Entry.case == case) & (Entry.kind == "finding") & Entry.redacted_at.is_null()
    )
    if not findings.exists():
        missing.append(_needs("findings recorded", "hearing"))
    if not Meeting.select().where(Meeting.case == case).exists():
        missing.append(_needs("a meeting scheduled (when, where, who attends)", "hearing"))
    return missing


def _rule_restoring(case):
    missing = []
    held = Meeting.select().where(
        (Meeting.case == case) & Meeting.outcome_recorded_at.is_null(False)
    )
    if not held.exists():
        missing.append(_needs("the meeting's outcome recorded", "restoring"))
    actions = list(Action.select().where(Action.case == case))
    if not actions:
        missing.append(_needs("a decision with at least one action", "restoring"))
    elif any(a.owner_id is None or a.due_on is None for a in actions):
        missing.append(_needs("an owner and a due date for every action", "restoring"))
    return missing


def _rule_community(case):
    if CommunityAssessment.select().where(CommunityAssessment.case == case).exists():
        return []
    return [_needs('the community impact assessed (or "none" with a reason)', "community")]


def _rule_followup(case):
    if CheckIn.select().where(CheckIn.case == case).exists():
        return []
    return [_needs("at least one dated check-in", "followup")]


def appeal_window_open(case):
    if case.decision_communicated_on is None:
        return False
    return today() <= case.decision_communicated_on + timedelta(days=appeal_window_days())


def _rule_closed(case):
    missing = []
    open_actions = Action.select().where(
        (Action.case == case)
        & ((Action.status == "open") | ((Action.status == "waived") & (Action.waived_reason == "")))
    )
    if open_actions.exists():
        missing.append(_needs("every action done, or waived with a reason", "closed"))
    if not Reflection.select().where(Reflection.case == case).exists():
        missing.append(_needs("a closing reflection", "closed"))
    if Appeal.select().where((Appeal.case == case) & Appeal.outcome.is_null()).exists():
        missing.append(_needs("the open appeal decided", "closed"))
    elif appeal_window_open(case):
        missing.append(_needs("the appeal window to have passed", "closed"))
    return missing


RULES = {
    "filed": _rule_filed,
    "acknowledged": _rule_acknowledged,
    "investigating": _rule_investigating,
    "hearing": _rule_hearing,
    "restoring": _rule_restoring,
    "community": _rule_community,
    "followup": _rule_followup,
    "closed": _rule_closed,
}


def missing_for(case, target):
    """What ``case`` lacks to enter ``target``: the rules of every enabled stage up to it."""
    missing = []
    for key in ORDER[: ORDER.index(target) + 1]:
        if stage(key).enabled:
            missing.extend(RULES[key](case))
    return missing


def _appeal_problems(case):
    if case.stage not in APPEAL_FROM:
        labels = ", ".join(stage(k).label for k in APPEAL_FROM)
        return [f"An appeal can only be opened from {labels}"]
    problems = []
    if not appeal_window_open(case):
        problems.append(
            "The appeal window is closed (it counts from when the decision was communicated)"
        )
    appeal = open_appeal(case)
    if appeal is None or not appeal.grounds.strip():
        problems.append(_needs("the appeal's grounds recorded", "appeal"))
    elif appeal.reviewer_id is None or appeal.reviewer_id == case.lead_id:
        problems.append(_needs("a reviewer who is not the lead facilitator", "appeal"))
    return problems


def open_appeal(case):
    return (
        Appeal.select()
        .where((Appeal.case == case) & Appeal.outcome.is_null())
        .order_by(Appeal.id.desc())
        .first()
    )


def check_move(case, to, reason=""):
    """Raise TransitionDenied unless ``case`` may move to ``to`` now."""
    if to not in STAGE_KEYS:
        raise TransitionDenied("That is not a stage of the process.")
    if to == case.stage:
        return
    if case.stage == "appeal":
        raise TransitionDenied(
            f"A case leaves {stage('appeal').label} when the reviewer records the outcome."
        )
    if to == "appeal":
        problems = _appeal_problems(case)
        if problems:
            raise TransitionDenied(". ".join(problems) + ".")
        return
    if not stage(to).enabled:
        raise TransitionDenied(f"{stage(to).label} is switched off for this organisation.")
    backward = ORDER.index(to) < ORDER.index(case.stage)
    if backward:
        if not (reason or "").strip():
            raise TransitionDenied(f"A move back to {stage(to).label} needs a reason.")
        return
    missing = missing_for(case, to)
    if missing:
        raise TransitionDenied(". ".join(missing) + ".")


def move_summary(from_stage, to):
    """What a move did, in words: the start of the note that keeps its reason."""
    if from_stage == "closed":
        return f"Reopened in {stage(to).label}"
    if to in ORDER and from_stage in ORDER and ORDER.index(to) < ORDER.index(from_stage):
        return f"Moved back to {stage(to).label}"
    return f"Moved from {stage(from_stage).label} to {stage(to).label}"


def is_backward(case, to):
    return to in ORDER and case.stage in ORDER and ORDER.index(to) < ORDER.index(case.stage)


# --- Moving ------------------------------------------------------------------


def _rank_between(to, before_id, after_id, case_id):
    """A rank that puts the card after ``before_id`` and before ``after_id`` in column ``to``."""
    neighbours = {
        c.id: c.rank
        for c in Case.select(Case.id, Case.rank).where(
            (Case.stage == to)
            & Case.id.in_([i for i in (before_id, after_id) if i])
            & (Case.id != case_id)
        )
    }
    above, below = neighbours.get(before_id), neighbours.get(after_id)
    if above is not None and below is not None and above < below:
        middle = (above + below) / 2
        if above < middle < below:
            return middle
        # Floats ran out of room between these two: space the column out again.
        _renumber(to, case_id)
        return _rank_between(to, before_id, after_id, case_id)
    if above is not None:
        return above + 1
    if below is not None:
        return below - 1
    top = Case.select(Case.rank).where((Case.stage == to) & (Case.id != case_id))
    top = top.order_by(Case.rank).first()
    return top.rank - 1 if top else 0.0


def _renumber(stage_key, case_id):
    """Give a column's cards whole-number ranks in their current order (rarely needed)."""
    column = (
        Case.select(Case.id)
        .where((Case.stage == stage_key) & (Case.id != case_id))
        .order_by(Case.rank, Case.id)
    )
    for position, row in enumerate(column.tuples()):
        Case.update(rank=float(position)).where(Case.id == row[0]).execute()


def stage_due_on(key, entered):
    target = stage(key).target_days
    if target is None:
        return None
    return entered + timedelta(days=target)


def move(case, to, by, version, reason="", before_id=None, after_id=None):
    """Move ``case`` to stage ``to`` (or reorder it within its column).

    ``version`` is the card version the mover saw; a stale one raises StaleVersion
    and changes nothing. A refused move raises TransitionDenied. Returns the
    updated case.
    """
    with db.write_tx():
        current = db.locked(Case.select().where(Case.id == case.id)).get()
        if current.version != version:
            raise StaleVersion(current)
        check_move(current, to, reason)
        now = utcnow()
        changes = {
            Case.rank: _rank_between(to, before_id, after_id, current.id),
            Case.version: version + 1,
            Case.updated_by: by.id,
            Case.updated_at: now,
        }
        from_stage = current.stage
        if to != from_stage:
            changes.update(_stage_changes(current, to, now))
        updated = (
            Case.update(changes)
            .where((Case.id == current.id) & (Case.version == version))
            .execute()
        )
        if updated != 1:
            raise StaleVersion(Case.get_by_id(current.id))
        if to != from_stage:
            audit.record(
                "case.moved",
                actor=by,
                case=current,
                **{
                    "from": from_stage,
                    "to": to,
                    "reason": bool(reason.strip()),
                    "backward": is_backward(current, to),
                },
            )
            if reason.strip():
                # The reason's text belongs in the case record, not the audit trail.
                _note(current, by, f"{move_summary(from_stage, to)}: {reason.strip()}")
        # The row now holds exactly these values; no need to read it back.
        for column, value in changes.items():
            setattr(current, column.name, value)
        return current


def _stage_changes(case, to, now):
    changes = {
        Case.stage: to,
        Case.stage_entered_at: now,
        Case.stage_due_on: stage_due_on(to, today()),
    }
    if to == "appeal":
        changes[Case.appeal_return_stage] = case.stage
    if to == "closed":
        changes.update({Case.closed_at: now, Case.close_kind: "resolved"})
    elif case.stage == "closed":  # reopened
        changes.update(
            {
                Case.closed_at: None,
                Case.close_kind: None,
                Case.close_reason: None,
                Case.duplicate_of: None,
            }
        )
    return changes


def _note(case, by, text):
    entries.add_entry(case, by, "note", text, audience="facilitators")


def close_early(case, kind, reason, by, version, duplicate_of=None):
    """Close an open case as withdrawn, a duplicate or referred elsewhere, with a reason."""
    if kind not in ("withdrawn", "duplicate", "referred"):
        raise TransitionDenied("Choose withdrawn, duplicate or referred.")
    if not (reason or "").strip():
        raise TransitionDenied("Closing a case early needs a reason.")
    with db.write_tx():
        current = db.locked(Case.select().where(Case.id == case.id)).get()
        if current.version != version:
            raise StaleVersion(current)
        if current.stage == "closed":
            raise TransitionDenied(f"{current.reference} is already closed.")
        if kind == "duplicate":
            other = Case.get_or_none(Case.reference == (duplicate_of or "").strip().upper())
            if other is None or other.id == current.id:
                raise TransitionDenied("Give the reference of the case this one duplicates.")
            duplicate_of = other.reference
        now = utcnow()
        Case.update(
            {
                Case.stage: "closed",
                Case.stage_entered_at: now,
                Case.stage_due_on: None,
                Case.closed_at: now,
                Case.close_kind: kind,
                Case.close_reason: reason.strip(),
                Case.duplicate_of: duplicate_of if kind == "duplicate" else None,
                Case.rank: _rank_between("closed", None, None, current.id),
                Case.version: Case.version + 1,
                Case.updated_by: by.id,
                Case.updated_at: now,
            }
        ).where((Case.id == current.id) & (Case.version == version)).execute()
        audit.record(
            "case.closed_early", actor=by, case=current, kind=kind, **{"from": current.stage}
        )
        return Case.get_by_id(current.id)


def record_appeal_outcome(case, outcome, by, note=""):
    """The reviewer's decision ends the appeal and moves the case out of Appeal."""
    if outcome not in APPEAL_OUTCOMES:
        raise TransitionDenied("Choose upheld, back to Hearing or back to Restoring.")
    with db.write_tx():
        current = db.locked(Case.select().where(Case.id == case.id)).get()
        appeal = open_appeal(current)
        if current.stage != "appeal" or appeal is None:
            raise TransitionDenied(f"{current.reference} has no appeal under review.")
        if appeal.reviewer_id != by.id:
            raise TransitionDenied("Only the appeal's reviewer records its outcome.")
        to = APPEAL_OUTCOMES[outcome] or current.appeal_return_stage or "restoring"
        now = utcnow()
        Appeal.update(outcome=outcome, outcome_note=note, decided_at=now).where(
            Appeal.id == appeal.id
        ).execute()
        Case.update(
            {
                Case.stage: to,
                Case.stage_entered_at: now,
                Case.stage_due_on: stage_due_on(to, today()),
                Case.appeal_return_stage: None,
                Case.rank: _rank_between(to, None, None, current.id),
                Case.version: Case.version + 1,
                Case.updated_by: by.id,
                Case.updated_at: now,
            }
        ).where(Case.id == current.id).execute()
        audit.record(
            "appeal.decided",
            actor=by,
            case=current,
            outcome=outcome,
            **{"from": "appeal", "to": to},
        )
        return Case.get_by_id(current.id)
