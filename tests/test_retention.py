"""Retention: closed cases are purged a set number of years after closing, leaving a
tombstone in the audit trail, which still verifies."""

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from rj import cases, concerns, entries, files, reports, retention, settings, tally, workflow
from rj.clock import utcnow
from rj.models import (
    Action,
    AuditRecord,
    Case,
    CheckIn,
    CommunityAssessment,
    ConcernReceipt,
    Entry,
    EntryFile,
    Party,
    Person,
)
from tests.helpers import PG_URL, Clock, create_user, make_case, sign_in_session

MARKER = "Zanzibar-quokka-purge-marker"


@pytest.fixture
def app_overrides():
    return {"RETENTION_YEARS": 2}


def _closed(app, fac, years_ago):
    case = make_case("closed", by=fac, parties=[("harmed", None, f"Nell {MARKER}")])
    with app.test_request_context():
        upload = files.check(FileStorage(io.BytesIO(MARKER.encode()), filename="n.txt"))
        entries.add_entry(case, fac, "evidence", f"Evidence {MARKER}", uploads=[upload])
    closed_at = utcnow() - timedelta(days=365 * years_ago + 2)
    Case.update(closed_at=closed_at, what_happened=MARKER).where(Case.id == case.id).execute()
    return Case.get_by_id(case.id), upload.stored_name


def test_purge_is_off_until_a_retention_is_set(cli, app):
    app.config["RETENTION_YEARS"] = None
    result = cli.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0 and "Retention is off" in result.output
    app.config["RETENTION_YEARS"] = "seven"
    result = cli.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 1 and "whole number of years" in result.output


def test_a_dry_run_lists_what_is_due_and_changes_nothing(app, cli):
    fac = create_user("facilitator")
    old, _ = _closed(app, fac, years_ago=3)
    recent, _ = _closed(app, fac, years_ago=1)
    still_open = make_case("followup", by=fac)
    records = AuditRecord.select().count()
    result = cli.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 case closed before" in result.output and "would be purged" in result.output
    assert old.reference in result.output
    assert recent.reference not in result.output and still_open.reference not in result.output
    assert AuditRecord.select().count() == records
    assert Case.get_by_id(old.id).what_happened == MARKER


def test_purge_needs_an_active_admin_to_name(app, cli):
    fac = create_user("facilitator", username="fen")
    _closed(app, fac, years_ago=3)
    assert "--by NAME" in cli.invoke(args=["purge"]).output
    assert "not an active admin" in cli.invoke(args=["purge", "--by", "fen"]).output
    assert Case.select().where(Case.stage == "purged").count() == 0


def test_purge_removes_the_content_and_files_and_keeps_a_tombstone(app, cli, client):
    fac = create_user("facilitator")
    admin = create_user("admin", username="cora")
    case, stored = _closed(app, fac, years_ago=3)
    closed_before = tally.read()[0]["closed"]
    result = cli.invoke(args=["purge", "--by", "cora"])
    assert result.exit_code == 0, result.output
    assert f"{case.reference}  closed" in result.output and "Purged 1 case." in result.output

    tombstone = Case.get_by_id(case.id)
    assert (tombstone.reference, tombstone.stage, tombstone.closed_at) == (
        case.reference,
        "purged",
        case.closed_at,
    )
    assert MARKER not in json.dumps(tombstone.__data__, default=str)
    assert not Entry.select().where(Entry.case == case).exists()
    assert not EntryFile.select().where(EntryFile.stored_name == stored).exists()
    assert not files.path_of(stored).exists()
    assert not Party.select().where(Party.case == case).exists()
    assert not Person.select().where(Person.name.contains(MARKER)).exists()
    assert tally.read()[0].get("closed", 0) == closed_before - 1

    record = AuditRecord.get(AuditRecord.action == "case.purged")
    details = json.loads(record.details)
    assert record.actor_id == admin.id and record.case_id == case.id
    assert details["reference"] == case.reference
    assert [stage for _, stage in details["stages"]] == [
        "filed", "acknowledged", "investigating", "hearing", "restoring", "community",
        "followup", "closed",
    ]  # fmt: skip
    assert details["entries"] >= 1 and details["files"] == 1
    assert cli.invoke(args=["audit", "verify"]).exit_code == 0

    sign_in_session(client, fac)
    assert client.get(f"/cases/{case.reference}").status_code == 404
    assert case.reference not in client.get("/board/closed").get_data(as_text=True)
    if not PG_URL:
        raw = Path(app.config["DATABASE_URL"]).read_bytes()
        assert MARKER.encode() not in raw


def test_a_past_report_reads_the_same_after_its_cases_are_purged(app, monkeypatch):
    """Actions, check-ins and community assessments stay, emptied of words, so every table
    of a past report but the accounts one (people and their links go) is unchanged."""
    clock = Clock(monkeypatch, datetime(2022, 2, 10, 15))
    fac = create_user("facilitator")
    admin = create_user("admin")
    purged, *others = [make_case("investigating", by=fac) for _ in range(6)]
    kept = others.pop()  # a case of the same year that stays
    for case, words in ((purged, MARKER), (kept, "words that stay")):
        for status in ("done", "waived", None):
            for kind in ("support", "learning"):
                for _ in range(3):
                    action = cases.add_action(case, fac, kind, words, fac, date(2022, 3, 1))
                    if status:
                        cases.set_action_status(action, fac, status, words)
        for _ in range(5):
            cases.hold_checkin(cases.add_checkin(case, fac, date(2022, 3, 10)), fac, words)
            cases.add_checkin(case, fac, date(2022, 3, 20))
            cases.assess_community(case, fac, impacted=words, actions=words)
            cases.assess_community(case, fac, impacted=words)
            cases.assess_community(case, fac, none_reason=words)
    clock.set(datetime(2022, 4, 1, 9))
    for case in (purged, *others, kept):
        workflow.close_early(Case.get_by_id(case.id), "withdrawn", "Done", fac, None)
    clock.set(datetime(2026, 4, 15, 12))
    year = reports.between(date(2022, 1, 1), date(2022, 12, 31))

    def tables():
        report = reports.build(year)
        return {
            key: [(row.label, [str(c) for c in row.cells]) for row in table.all_rows]
            for key, table in report.tables.items()
            if key != "accounts"
        }

    before = tables()
    assert before["ended"][-1] == ("Closed in the period", ["6"])
    assert before["time"][0][1][0] == "6"  # six stays in Filed
    assert before["actions"][-1] == ("Due in the period", ["36"])
    assert before["checkins"][-1] == ("Total", ["20"])
    assert before["community"][-1] == ("Assessments made", ["30"])
    for case in (purged, *others):
        retention.purge(Case.get_by_id(case.id), admin)
    assert tables() == before
    assert Case.get_by_id(purged.id).stage == "purged"
    left = Action.select().where(Action.case == purged.id)
    assert left.count() == 18 and {(a.description, a.owner_id, a.party_id) for a in left} == {
        ("", None, None)
    }
    for model in (Action, CheckIn, CommunityAssessment):
        rows = model.select().where(model.case == purged.id).dicts()
        assert MARKER not in json.dumps(list(rows), default=str)
    if not PG_URL:
        raw = Path(app.config["DATABASE_URL"]).read_bytes()
        assert MARKER.encode() not in raw


def test_a_receipt_code_finds_nothing_once_its_concern_is_purged(app, client):
    settings.put(concerns.PUBLIC_FILING, True)
    admin = create_user("admin")
    case, code = concerns.raise_publicly(concerns.Concern(f"Raised {MARKER}"), "one-key")
    workflow.close_early(Case.get_by_id(case.id), "withdrawn", "Done", admin, None)
    Case.update(closed_at=utcnow() - timedelta(days=365 * 3)).where(Case.id == case.id).execute()
    assert concerns.case_for_code(code) is not None
    retention.purge(Case.get_by_id(case.id), admin)
    assert concerns.case_for_code(code) is None
    assert not ConcernReceipt.select().where(ConcernReceipt.case == case.id).exists()
    looked_up = client.post("/concerns/receipt", data={"code": code})
    assert looked_up.status_code == 404
    added = client.post("/concerns/receipt/add", data={"code": code, "more": "After."})
    assert added.status_code == 404
    assert not Entry.select().where(Entry.case == case.id).exists()
