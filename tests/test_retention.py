"""Retention: closed cases are purged a set number of years after closing, leaving a
tombstone in the audit trail, which still verifies."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from rj import entries, files, tally
from rj.clock import utcnow
from rj.models import AuditRecord, Case, Entry, EntryFile, Party, Person
from tests.helpers import PG_URL, create_user, make_case, sign_in_session

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
