"""The stage history: one row per stay of a case in a stage, for reports on time in stage.

Filled for existing cases from the audit trail, which recorded every change of stage:
``case.filed`` (or ``case.raised_publicly``), ``case.moved`` (from, to, backward),
``case.closed_early`` (kind, from) and ``appeal.decided`` (outcome, to). Each stay ends
when the next begins. A stay's time target is worked out from the targets set now (the
one a case is in keeps the due date it was given), in the organisation's zone. A case
whose record does not reach its present stage gets a stay for it, from when it entered.
"""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from peewee import *

# The targets when none are set (rj/workflow.py DEFAULT_TARGET_DAYS, as they were).
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
ORDER = ("filed", "acknowledged", "investigating", "hearing", "restoring", "community")
ORDER += ("followup", "closed")
BATCH = 500


def models(db):
    class BaseModel(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(BaseModel):
        class Meta:
            table_name = "account"

    class StageHistory(BaseModel):
        case_id = IntegerField(index=True)
        reference = CharField(max_length=20)
        stage = CharField(max_length=20)
        how = CharField(max_length=20)
        entered_at = DateTimeField()
        entered_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
        due_at = DateTimeField(null=True)
        left_at = DateTimeField(null=True)
        left_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

        class Meta:
            table_name = "stage_history"
            indexes = (
                (("how", "entered_at"), False),
                (("left_at", "stage", "entered_at", "due_at", "case_id"), False),
            )

    return StageHistory


def up(migrator, db):
    StageHistory = models(db)
    db.create_tables([StageHistory])
    fill(db, StageHistory, _zone())


def _zone():
    try:
        from flask import current_app

        return ZoneInfo(current_app.config["TIMEZONE"])
    except RuntimeError:  # outside the app: the default zone
        return ZoneInfo("UTC")


def _as_datetime(value):
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _as_date(value):
    if isinstance(value, str):
        return datetime.strptime(value[:10], "%Y-%m-%d").date()
    return value


def _due_at(due_on, zone):
    if due_on is None:
        return None
    start = datetime.combine(due_on + timedelta(days=1), time())
    return start.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _targets(db):
    targets = dict(DEFAULT_TARGET_DAYS)
    for stage, days in db.execute_sql("SELECT stage, target_days FROM stage_setting"):
        targets[stage] = days
    return targets


def _how(details, action):
    to, came_from = details.get("to"), details.get("from")
    if action == "case.closed_early":
        return "closed", details.get("kind") or "withdrawn"
    if action == "appeal.decided":
        return to, f"appeal_{details.get('outcome')}"
    if to == "closed":
        return to, "resolved"
    if came_from == "closed":
        return to, "reopened"
    if to == "appeal":
        return to, "appealed"
    return to, "back" if details.get("backward") else "forward"


def _stays(records):
    """The stays of one case, from its audit records in order: dicts without due dates."""
    stays = []
    for at, actor, action, details in records:
        try:
            details = json.loads(details)
        except ValueError:
            continue  # a damaged record tells nothing (verify reports it)
        if action in ("case.filed", "case.raised_publicly"):
            stage, how = "filed", "filed"
        else:
            stage, how = _how(details, action)
        if not stage:
            continue
        at = _as_datetime(at)
        if stays:
            stays[-1].update(left_at=at, left_by=actor)
        stays.append(_stay(stage, how, at, actor))
    return stays


def _stay(stage, how, entered_at, entered_by):
    return dict(
        stage=stage,
        how=how,
        entered_at=entered_at,
        entered_by=entered_by,
        due_at=None,
        left_at=None,
        left_by=None,
    )


def fill(db, StageHistory, zone):
    """A history for every case that has none, from its audit records."""
    targets = _targets(db)
    have = {row[0] for row in db.execute_sql("SELECT DISTINCT case_id FROM stage_history")}
    cases = db.execute_sql(
        "SELECT id, reference, stage, stage_entered_at, stage_due_on, close_kind, created_by_id, "
        "created_at FROM cases ORDER BY id"
    ).fetchall()
    records = {}
    cursor = db.execute_sql(
        "SELECT case_id, at, actor_id, action, details FROM audit_record WHERE case_id IS NOT "
        "NULL AND action IN ('case.filed', 'case.raised_publicly', 'case.moved', "
        "'case.closed_early', 'appeal.decided') "
        "ORDER BY id"
    )
    for case_id, at, actor, action, details in cursor:
        records.setdefault(case_id, []).append((at, actor, action, details))
    rows = []
    for case_id, reference, stage, entered, due_on, close_kind, created_by, created_at in cases:
        if case_id in have:
            continue
        stays = _stays(records.get(case_id, ()))
        if not stays:
            stays = [_stay("filed", "filed", _as_datetime(created_at), created_by)]
        if stays[-1]["stage"] != stage:
            how = (close_kind or "resolved") if stage == "closed" else "forward"
            entered = _as_datetime(entered)
            stays[-1].update(left_at=entered, left_by=None)
            stays.append(_stay(stage, how, entered, None))
        for stay in stays[:-1]:
            target = targets.get(stay["stage"])
            if target is not None:
                day = stay["entered_at"].replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
                stay["due_at"] = _due_at(day + timedelta(days=target), zone)
        stays[-1]["due_at"] = _due_at(_as_date(due_on), zone)
        for stay in stays:
            rows.append(dict(case_id=case_id, reference=reference, **stay))
        if len(rows) >= BATCH:
            StageHistory.insert_many(rows).execute()
            rows = []
    if rows:
        StageHistory.insert_many(rows).execute()
