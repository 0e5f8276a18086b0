"""The restorative process: its stages, the rules for entering each, and moving a case.

Rules are data plus small functions, checked here and nowhere else: the board's
drag, the "Move to…" dialog, the CLI and the demo data all call ``move``.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import g
from flask_babel import gettext as _

from rj import audit, db, entries, i18n, policy
from rj.clock import to_utc, today, utcnow
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
    StageHistory,
    StageSetting,
    User,
)
from rj.refusals import Refused, Stale
from rj.vocabulary import EARLY_CLOSE_KINDS, STAGE_DEFAULTS


def stale(case):
    """The refusal of a change made on an old version of ``case`` (as it is now)."""
    who = case.updated_by.display_name if case.updated_by else _("someone")
    return Stale(
        _(
            "%(reference)s was changed by %(who)s a moment ago and is now in %(stage)s. "
            "Nothing was moved; check it and try again.",
            reference=case.reference,
            who=who,
            stage=stage(case.stage).label,
        ),
        current=case,
    )


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    help: str
    target_days: int | None
    enabled: bool = True


# Days a case may spend in each stage, until an organisation sets its own.
DEFAULT_TARGET_DAYS = {
    "filed": 2,
    "acknowledged": 7,
    "investigating": 14,
    "hearing": 14,
    "restoring": 30,
    "community": 30,
    "followup": 60,
    "closed": None,
    "appeal": 14,
}
DEFAULT_STAGES = tuple(
    Stage(key, label, help_text, DEFAULT_TARGET_DAYS[key])
    for key, (label, help_text) in STAGE_DEFAULTS.items()
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


def configure(by, stage_values, community_enabled, appeal_window_days):
    """The organisation's own stages: ``stage_values`` maps each stage to (label, help,
    target days or None); Community can be switched off; the appeal window in days.
    Takes effect at once, for every request from here on."""
    from rj import settings

    if not 1 <= appeal_window_days <= 365:
        raise Refused(_("Between 1 and 365 days."), "appeal_window_days")
    with db.write_tx():
        for key, (label, help_text, target_days) in stage_values.items():
            if key not in STAGE_KEYS:
                raise Refused(_("That is not a stage of the process."))
            label = (label or "").strip()
            if not label:
                raise Refused(_("Give the stage a label."), f"label_{key}")
            if target_days is not None and not 0 <= target_days <= 365:
                raise Refused(_("Between 0 and 365 days."), f"target_{key}")
            values = {
                "label": label,
                "help": (help_text or "").strip(),
                "target_days": None if key == "closed" else target_days,
                "enabled": community_enabled if key == "community" else True,
            }
            (
                StageSetting.insert(stage=key, **values)
                .on_conflict(conflict_target=[StageSetting.stage], update=values)
                .execute()
            )
        settings.put("appeal_window_days", appeal_window_days)
        audit.record("settings.changed", actor=by, stages=sorted(stage_values))
    g.pop("mend_stages", None)


def appeal_window_days():
    from rj import settings

    return settings.get("appeal_window_days", DEFAULT_APPEAL_WINDOW_DAYS)


# --- The rules ---------------------------------------------------------------


class Missing(str):
    """What a case lacks to enter a stage, in words ("Needs an acknowledgement before
    Acknowledged"), and ``step``: the record that supplies it (see casepage.STEPS), so
    the board's refusal, the move dialog and the case page's Next step say the same."""

    step: str

    def __new__(cls, text, step):
        missing = super().__new__(cls, text)
        missing.step = step
        return missing


def _label(key):
    return stage(key).label


def _rule_filed(case):
    ok = case.kind and case.what_happened.strip() and case.occurred_at and case.location.strip()
    if ok:
        return []
    return [
        Missing(
            _("Needs what happened, when and where before %(stage)s", stage=_label("filed")),
            "facts",
        )
    ]


def _rule_acknowledged(case):
    if Acknowledgement.select().where(Acknowledgement.case == case).exists():
        return []
    return [
        Missing(
            _("Needs an acknowledgement before %(stage)s", stage=_label("acknowledged")),
            "acknowledgement",
        )
    ]


def lead_problem(case, user):
    """Why ``user`` cannot lead (or review) this case, or None."""
    if user is None:
        return _("no lead facilitator is assigned")
    if user.role not in ("facilitator", "admin") or not user.is_active:
        return _("%(name)s is not an active facilitator", name=user.display_name)
    is_party = (
        Party.select().join(Person).where((Party.case == case) & (Person.user == user)).exists()
    )
    if is_party:
        return _("%(name)s is a party to this case", name=user.display_name)
    if Conflict.select().where((Conflict.case == case) & (Conflict.user == user)).exists():
        return _("%(name)s has declared a conflict in this case", name=user.display_name)
    return None


def _rule_investigating(case):
    lead = User.get_or_none(User.id == case.lead_id) if case.lead_id else None
    if lead_problem(case, lead) is None:
        return []
    return [
        Missing(
            _(
                "Needs a lead facilitator who is not a party to the case before %(stage)s",
                stage=_label("investigating"),
            ),
            "lead",
        )
    ]


def _rule_hearing(case):
    missing = []
    findings = Entry.select().where(
        (Entry.case == case) & (Entry.kind == "finding") & Entry.redacted_at.is_null()
    )
    if not findings.exists():
        missing.append(
            Missing(
                _("Needs findings recorded before %(stage)s", stage=_label("hearing")),
                "findings",
            )
        )
    if not Meeting.select().where(Meeting.case == case).exists():
        missing.append(
            Missing(
                _(
                    "Needs a meeting scheduled (when, where, who attends) before %(stage)s",
                    stage=_label("hearing"),
                ),
                "meeting",
            )
        )
    return missing


def _rule_restoring(case):
    missing = []
    held = Meeting.select().where(
        (Meeting.case == case) & Meeting.outcome_recorded_at.is_null(False)
    )
    if not held.exists():
        missing.append(
            Missing(
                _(
                    "Needs the meeting's outcome recorded before %(stage)s",
                    stage=_label("restoring"),
                ),
                "meeting_outcome",
            )
        )
    actions = list(Action.select().where(Action.case == case))
    if not actions:
        missing.append(
            Missing(
                _(
                    "Needs a decision with at least one action before %(stage)s",
                    stage=_label("restoring"),
                ),
                "action",
            )
        )
    elif any(a.owner_id is None or a.due_on is None for a in actions):
        missing.append(
            Missing(
                _(
                    "Needs an owner and a due date for every action before %(stage)s",
                    stage=_label("restoring"),
                ),
                "actions",
            )
        )
    return missing


def _rule_community(case):
    if CommunityAssessment.select().where(CommunityAssessment.case == case).exists():
        return []
    return [
        Missing(
            _(
                'Needs the community impact assessed (or "none" with a reason) before %(stage)s',
                stage=_label("community"),
            ),
            "community",
        )
    ]


def _rule_followup(case):
    if CheckIn.select().where(CheckIn.case == case).exists():
        return []
    return [
        Missing(
            _("Needs at least one dated check-in before %(stage)s", stage=_label("followup")),
            "checkin",
        )
    ]


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
    closed = _label("closed")
    if open_actions.exists():
        missing.append(
            Missing(
                _(
                    "Needs every action done, or waived with a reason before %(stage)s",
                    stage=closed,
                ),
                "actions",
            )
        )
    if not Reflection.select().where(Reflection.case == case).exists():
        missing.append(
            Missing(_("Needs a closing reflection before %(stage)s", stage=closed), "reflection")
        )
    if Appeal.select().where((Appeal.case == case) & Appeal.outcome.is_null()).exists():
        missing.append(
            Missing(
                _("Needs the open appeal decided before %(stage)s", stage=closed),
                "appeal_outcome",
            )
        )
    elif appeal_window_open(case):
        missing.append(
            Missing(
                _("Needs the appeal window to have passed before %(stage)s", stage=closed),
                "wait_for_appeals",
            )
        )
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


def _appeal_window_reason(case):
    """Why ``case`` is not where an appeal can be opened (its stage, the window), or None."""
    if case.stage not in APPEAL_FROM:
        labels = ", ".join(str(stage(k).label) for k in APPEAL_FROM)
        return _("An appeal can only be filed while the case is in %(stages)s.", stages=labels)
    if not appeal_window_open(case):
        if case.decision_communicated_on is None:
            return _("The decision has not been communicated yet, so there is nothing to appeal.")
        return _(
            "The appeal window is closed: it was %(days)s days from %(day)s, when the decision "
            "was communicated.",
            days=appeal_window_days(),
            day=i18n.day_text(case.decision_communicated_on),
        )
    return None


def appeal_closed_reason(case):
    """Why no appeal can be filed on ``case`` now, or None: the one rule the appeal page,
    the case page and a move into Appeal all follow."""
    if case.stage == "appeal" or open_appeal(case) is not None:
        return _("%(reference)s already has an appeal under review.", reference=case.reference)
    return _appeal_window_reason(case)


def _appeal_problems(case):
    """What entering Appeal still lacks, the appeal being filed."""
    reason = _appeal_window_reason(case)
    if reason:
        return [reason.rstrip(".")]
    appeal = open_appeal(case)
    if appeal is None or not appeal.grounds.strip():
        return [
            Missing(
                _("Needs the appeal's grounds recorded before %(stage)s", stage=_label("appeal")),
                "appeal",
            )
        ]
    if appeal.reviewer_id is None or appeal.reviewer_id == case.lead_id:
        return [
            Missing(
                _(
                    "Needs a reviewer who is not the lead facilitator before %(stage)s",
                    stage=_label("appeal"),
                ),
                "appeal",
            )
        ]
    return []


def open_appeal(case):
    return (
        Appeal.select()
        .where((Appeal.case == case) & Appeal.outcome.is_null())
        .order_by(Appeal.id.desc())
        .first()
    )


def check_move(case, to, reason=""):
    """Raise Refused unless ``case`` may move to ``to`` now."""
    if to not in STAGE_KEYS:
        raise Refused(_("That is not a stage of the process."))
    if to == case.stage:
        return
    if case.stage == "appeal":
        raise Refused(
            _(
                "A case leaves %(stage)s when the reviewer records the outcome.",
                stage=_label("appeal"),
            )
        )
    if to == "appeal":
        problems = _appeal_problems(case)
        if problems:
            raise Refused(
                ". ".join(problems) + ".", steps=[p for p in problems if hasattr(p, "step")]
            )
        return
    if not stage(to).enabled:
        raise Refused(_("%(stage)s is switched off for this organisation.", stage=_label(to)))
    backward = ORDER.index(to) < ORDER.index(case.stage)
    if backward:
        if not (reason or "").strip():
            raise Refused(_("A move back to %(stage)s needs a reason.", stage=_label(to)))
        return
    missing = missing_for(case, to)
    if missing:
        raise Refused(". ".join(missing) + ".", steps=missing)


@dataclass(frozen=True)
class MoveOption:
    """A stage a card could be moved to, as the move dialog shows it."""

    stage: Stage
    allowed: bool
    why_not: str = ""  # what stops it, in words
    backward: bool = False  # allowed with a reason
    current: bool = False


def move_options(case):
    """Every stage of the board for ``case``: may it move there now, and if not, why (the
    rules ``check_move`` applies, each stage's rule checked once)."""
    known = {}

    def lacks(target):
        found = []
        for key in ORDER[: ORDER.index(target) + 1]:
            if stage(key).enabled:
                if key not in known:
                    known[key] = RULES[key](case)
                found.extend(known[key])
        return found

    options = []
    for option in board_stages():
        key = option.key
        if key == case.stage:
            options.append(MoveOption(option, True, current=True))
        elif case.stage == "appeal":
            why = _("It leaves %(stage)s when the reviewer decides.", stage=option.label)
            options.append(MoveOption(option, False, why))
        elif key == "appeal":
            why = appeal_closed_reason(case) or _("File the appeal on the case page first.")
            options.append(MoveOption(option, False, why))
        elif not option.enabled:
            options.append(MoveOption(option, False, _("Switched off for this organisation.")))
        elif is_backward(case, key):
            options.append(MoveOption(option, True, backward=True))
        else:
            missing = lacks(key)
            options.append(MoveOption(option, not missing, ". ".join(missing)))
    return options


def move_summary(from_stage, to):
    """What a move did, in words: the start of the note that keeps its reason. The note is
    stored in the case record, so these words are not translated."""
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


def _locked(case, version):
    """The case row, locked for this write; Stale when it is no longer ``version``."""
    current = db.locked(Case.select().where(Case.id == case.id)).get()
    if version is not None and current.version != version:
        raise stale(current)
    return current


def due_at(due_on):
    """When a stage due on ``due_on`` (a date in the organisation's zone) runs out: the
    start of the next day there, as naive UTC. None for a stage without a target."""
    if due_on is None:
        return None
    return to_utc(datetime.combine(due_on + timedelta(days=1), datetime.min.time()))


def record_stage(case, stage_key, by, at, due_on, how):
    """The stage history's one writer: the case's open stay ends at ``at`` and a stay in
    ``stage_key`` begins, entered ``how``. Call inside the write transaction of the change
    (``_save`` does, for every change of stage; filing does, for the first). ``by`` is
    None for a concern raised publicly, with no account behind it."""
    by_id = by.id if by is not None else None
    StageHistory.update(left_at=at, left_by=by_id).where(
        (StageHistory.case_id == case.id) & StageHistory.left_at.is_null()
    ).execute()
    StageHistory.insert(
        case_id=case.id,
        reference=case.reference,
        stage=stage_key,
        how=how,
        entered_at=at,
        entered_by=by_id,
        due_at=due_at(due_on),
    ).execute()


def _how(current, changes):
    """How a change of stage brings the case in, for the stage history."""
    to = changes[Case.stage]
    if to == "closed":
        return changes.get(Case.close_kind) or "resolved"
    if current.stage == "closed":
        return "reopened"
    if to == "appeal":
        return "appealed"
    return "back" if is_backward(current, to) else "forward"


def _save(current, by, now, changes, how=None):
    """Write ``changes`` to the locked case row, as its next version: the one UPDATE every
    change of stage or place goes through, decided by its row count. A change of stage
    is written to the stage history too (``how`` the case came in, when the caller knows
    better than the change itself: an appeal's outcome)."""
    changes = {
        **changes,
        Case.version: current.version + 1,
        Case.updated_by: by.id,
        Case.updated_at: now,
    }
    updated = (
        Case.update(changes)
        .where((Case.id == current.id) & (Case.version == current.version))
        .execute()
    )
    if updated != 1:
        raise stale(Case.get_by_id(current.id))
    if Case.stage in changes and changes[Case.stage] != current.stage:
        due_on = changes.get(Case.stage_due_on)
        record_stage(current, changes[Case.stage], by, now, due_on, how or _how(current, changes))
    # The row now holds exactly these values; no need to read it back.
    for column, value in changes.items():
        setattr(current, column.name, value)
    return current


def _stage_changes(case, to, now, rank=None):
    """The columns that change when ``case`` enters stage ``to`` (at the top of its
    column, unless ``rank`` places it)."""
    changes = {
        Case.stage: to,
        Case.stage_entered_at: now,
        Case.stage_due_on: stage_due_on(to, today()),
        Case.rank: _rank_between(to, None, None, case.id) if rank is None else rank,
    }
    if to == "appeal":
        changes[Case.appeal_return_stage] = case.stage
    elif case.stage == "appeal":
        changes[Case.appeal_return_stage] = None
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


def move(case, to, by, version, reason="", before_id=None, after_id=None):
    """Move ``case`` to stage ``to`` (or reorder it within its column).

    ``version`` is the card version the mover saw; a stale one raises Stale and changes
    nothing. A refused move raises Refused. Returns the updated case.
    """
    reason = (reason or "").strip()
    with db.write_tx():
        current = _locked(case, version)
        check_move(current, to, reason)
        from_stage, backward = current.stage, is_backward(current, to)
        now = utcnow()
        rank = _rank_between(to, before_id, after_id, current.id)
        changes = _stage_changes(current, to, now, rank) if to != from_stage else {Case.rank: rank}
        _save(current, by, now, changes)
        if to != from_stage:
            audit.record(
                "case.moved",
                actor=by,
                case=current,
                **{"from": from_stage, "to": to, "reason": bool(reason), "backward": backward},
            )
            if reason:
                # The reason's text belongs in the case record, not the audit trail.
                _note(current, by, f"{move_summary(from_stage, to)}: {reason}")
        return current


def _note(case, by, text):
    entries.add_entry(case, by, "note", text, audience="facilitators")


def close_early(case, kind, reason, by, version, duplicate_of=None):
    """Close an open case as withdrawn, a duplicate of another case ``by`` can see, or
    referred elsewhere, with a reason. The full closing rules do not apply."""
    reason = (reason or "").strip()
    if kind not in EARLY_CLOSE_KINDS:
        raise Refused(_("Choose withdrawn, duplicate or referred."), "kind")
    if not reason:
        raise Refused(_("Closing a case early needs a reason."), "reason")
    with db.write_tx():
        current = _locked(case, version)
        if current.stage == "closed":
            raise Refused(_("%(reference)s is already closed.", reference=current.reference))
        original = None
        if kind == "duplicate":
            wanted = (duplicate_of or "").strip().upper()
            if not wanted:
                raise Refused(
                    _("Give the reference of the case this one duplicates."), "duplicate_of"
                )
            original = policy.board_cases(by).where(Case.reference == wanted).first()
            if original is None or original.id == current.id:
                raise Refused(_("There is no other case with that reference."), "duplicate_of")
        from_stage, now = current.stage, utcnow()
        changes = _stage_changes(current, "closed", now)
        changes.update(
            {
                Case.stage_due_on: None,
                Case.close_kind: kind,
                Case.close_reason: reason,
                Case.duplicate_of: original.reference if original else None,
            }
        )
        _save(current, by, now, changes)
        audit.record("case.closed_early", actor=by, case=current, kind=kind, **{"from": from_stage})
        return current


def record_appeal_outcome(case, outcome, by, note=""):
    """The reviewer's decision ends the appeal and moves the case out of Appeal."""
    if outcome not in APPEAL_OUTCOMES:
        raise Refused(_("Choose upheld, back to Hearing or back to Restoring."), "outcome")
    with db.write_tx():
        current = _locked(case, None)
        appeal = open_appeal(current)
        if current.stage != "appeal" or appeal is None:
            raise Refused(
                _("%(reference)s has no appeal under review.", reference=current.reference)
            )
        if not policy.may_decide_appeal(by, appeal):
            raise Refused(_("Only the appeal's reviewer records its outcome."), status=403)
        to = APPEAL_OUTCOMES[outcome] or current.appeal_return_stage or "restoring"
        now = utcnow()
        Appeal.update(outcome=outcome, outcome_note=note, decided_at=now).where(
            Appeal.id == appeal.id
        ).execute()
        _save(current, by, now, _stage_changes(current, to, now), how=f"appeal_{outcome}")
        audit.record(
            "appeal.decided",
            actor=by,
            case=current,
            outcome=outcome,
            **{"from": "appeal", "to": to},
        )
        return current
