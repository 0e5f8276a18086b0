"""The stage history: every change of stage is a stay, written in the same transaction,
rebuilt for older cases from the audit trail, and not tied to the case row."""

import importlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rj import cases, workflow
from rj import db as rjdb
from rj.models import Case, StageHistory
from rj.refusals import Refused
from tests.helpers import Clock, create_user, make_case

T0 = datetime(2026, 3, 2, 10, 0)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, T0)


@pytest.fixture
def fac(app):
    return create_user("facilitator", display_name="Fen Facil")


def stays(case):
    query = StageHistory.select().where(StageHistory.case_id == case.id)
    return list(query.order_by(StageHistory.id))


def move(case, to, by, reason=""):
    case = Case.get_by_id(case.id)
    return workflow.move(case, to, by, case.version, reason)


def test_filing_opens_a_stay_in_filed_due_at_the_end_of_its_target(clock, fac):
    case = make_case("filed", by=fac)
    (stay,) = stays(case)
    assert (stay.stage, stay.how, stay.reference) == ("filed", "filed", case.reference)
    assert stay.entered_at == T0 and stay.entered_by_id == fac.id
    assert stay.left_at is None
    # Filed's target is 2 days: due on 4 March, so it runs out as 5 March begins (UTC here).
    assert stay.due_at == datetime(2026, 3, 5)


def test_every_change_of_stage_ends_one_stay_and_begins_the_next(clock, fac):
    other = create_user("facilitator")
    case = make_case("acknowledged", by=fac)
    clock.set(T0 + timedelta(hours=5))
    move(case, "filed", other, reason="Filed in error")
    clock.set(T0 + timedelta(hours=7))
    workflow.close_early(Case.get_by_id(case.id), "referred", "Elsewhere", fac, None)
    clock.set(T0 + timedelta(days=1))
    move(case, "acknowledged", fac, reason="Came back")
    rows = [(s.stage, s.how, s.entered_at, s.left_at, s.left_by_id) for s in stays(case)]
    assert rows == [
        ("filed", "filed", T0, T0, fac.id),
        ("acknowledged", "forward", T0, T0 + timedelta(hours=5), other.id),
        ("filed", "back", T0 + timedelta(hours=5), T0 + timedelta(hours=7), fac.id),
        ("closed", "referred", T0 + timedelta(hours=7), T0 + timedelta(days=1), fac.id),
        ("acknowledged", "reopened", T0 + timedelta(days=1), None, None),
    ]
    assert stays(case)[3].due_at is None  # Closed has no target


def test_an_appeal_and_its_outcome_are_stays_of_their_own(clock, fac):
    reviewer = create_user("facilitator")
    case = make_case("followup", by=fac)
    cases.communicate_decision(case, fac, date(2026, 3, 1))
    cases.appeal_case(Case.get_by_id(case.id), fac, "Not heard.", reviewer)
    workflow.record_appeal_outcome(Case.get_by_id(case.id), "hearing", reviewer)
    last = stays(case)[-3:]
    assert [(s.stage, s.how) for s in last] == [
        ("followup", "forward"),
        ("appeal", "appealed"),
        ("hearing", "appeal_hearing"),
    ]


def test_a_refused_move_or_a_reorder_writes_no_stay(clock, fac):
    case = make_case("filed", by=fac)
    with pytest.raises(Refused):
        move(case, "acknowledged", fac)
    move(case, "filed", fac)  # within its column
    assert len(stays(case)) == 1


def test_the_history_is_not_tied_to_the_case_row():
    """A purge of the case keeps its history: no foreign key to it, nothing cascades."""
    keys = rjdb.database.get_foreign_keys("stage_history")
    assert {k.dest_table for k in keys} == {"account"}


def test_the_migration_rebuilds_from_the_audit_trail_what_the_moves_wrote(clock, fac):
    reviewer = create_user("facilitator")
    walked = make_case("followup", by=fac)
    cases.communicate_decision(walked, fac, date(2026, 3, 1))
    clock.set(T0 + timedelta(days=3))
    cases.appeal_case(Case.get_by_id(walked.id), fac, "Not heard.", reviewer)
    clock.set(T0 + timedelta(days=4))
    workflow.record_appeal_outcome(Case.get_by_id(walked.id), "upheld", reviewer)
    closed = make_case("investigating", by=fac)
    clock.set(T0 + timedelta(days=5))
    workflow.close_early(
        Case.get_by_id(closed.id), "duplicate", "Same", fac, None, walked.reference
    )
    clock.set(T0 + timedelta(days=6))
    move(closed, "hearing", fac, reason="Reopened")
    written = {c.id: _comparable(stays(c)) for c in (walked, closed)}

    StageHistory.delete().execute()
    migration = importlib.import_module("rj.migrations.0017_stage_history")
    migration.fill(rjdb.database.obj, migration.models(rjdb.database.obj), ZoneInfo("UTC"))
    rebuilt = {c.id: _comparable(stays(c)) for c in (walked, closed)}
    assert rebuilt == written


def _comparable(rows):
    return [
        (s.stage, s.how, s.entered_at, s.entered_by_id, s.left_at, s.left_by_id, s.due_at)
        for s in rows
    ]
