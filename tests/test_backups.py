"""Backups and restores: encrypted archives, checked before anything is replaced, and a
restore that finds everything committed before the snapshot, taken while writes went on."""

import io
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from rj import backups, cases, entries, files
from rj import db as rjdb
from rj.clock import utcnow
from rj.models import AuditRecord, Case, Entry, EntryFile, User
from rj.refusals import Refused
from tests.helpers import (
    PG_URL,
    TEST_CONFIG,
    create_user,
    fresh_instance,
    make_app,
    make_case,
    opened_backup,
)

PASSPHRASE = TEST_CONFIG["BACKUP_PASSPHRASE"]


def _backup(cli, path, *args, **kwargs):
    result = cli.invoke(args=["backup", str(path), *args], **kwargs)
    assert result.exit_code == 0, result.output
    return result


def _restore(app, archive, *args):
    return app.test_cli_runner().invoke(args=["restore", str(archive), *args])


def _evidence(app, case, by, text):
    with app.test_request_context():
        upload = files.check(FileStorage(io.BytesIO(text.encode()), filename="note.txt"))
        return entries.add_entry(case, by, "evidence", "A receipt.", uploads=[upload])


def test_a_backup_is_encrypted_and_opens_only_with_its_passphrase(app, cli, tmp_path):
    fac = create_user("facilitator", username="in-the-backup")
    _evidence(app, make_case(by=fac), fac, "plain words in a file")
    target = tmp_path / "b.mend"
    _backup(cli, target)
    raw = target.read_bytes()
    assert raw.startswith(backups.MAGIC)
    for visible in (b"SQLite format", b"in-the-backup", b"plain words", b"manifest", b"key_"):
        assert visible not in raw
    with opened_backup(target) as archive:
        assert {"manifest.json", "files"} <= set(archive.getnames())
    with pytest.raises(Refused, match="This passphrase does not open the backup"):
        opened_backup(target, "another long passphrase")
    wrong = cli.invoke(args=["restore", str(target), "--check", "--passphrase-stdin"], input="no\n")
    assert wrong.exit_code == 1 and "does not open the backup" in wrong.output


def test_a_backup_needs_a_passphrase_and_leaves_nothing_when_refused(tmp_path, database_url):
    app = make_app(database_url, tmp_path, BACKUP_PASSPHRASE=None)
    with app.app_context():
        target = tmp_path / "b.mend"
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 1 and "set MEND_BACKUP_PASSPHRASE" in result.output
        short = app.test_cli_runner().invoke(
            args=["backup", str(target), "--passphrase-stdin"], input="short\n"
        )
        assert short.exit_code == 1 and "too short" in short.output
        assert not target.exists()
        rjdb.database.close_all()


@pytest.mark.parametrize("damage", ["a changed byte", "cut short", "a chunk dropped"])
def test_a_damaged_archive_is_refused_and_nothing_is_replaced(app, cli, tmp_path, damage):
    fac = create_user("facilitator")
    for i in range(3):
        _evidence(app, make_case(by=fac), fac, f"file {i} " + "x" * 300_000)
    target = tmp_path / "b.mend"
    _backup(cli, target)
    raw = bytearray(target.read_bytes())
    if damage == "a changed byte":
        raw[len(raw) // 2] ^= 0x01
    elif damage == "cut short":
        del raw[-100:]
    else:  # the archive spans chunks: drop the first, keep the header
        start = backups._HEADER.size
        size = int.from_bytes(raw[start : start + 4], "big")
        del raw[start : start + 4 + size]
    target.write_bytes(bytes(raw))
    with fresh_instance(tmp_path) as fresh, fresh.app_context():
        leftover = Path(fresh.instance_path) / "restore-0badf00d"  # a restore that was killed
        leftover.mkdir()
        (leftover / "mend.sqlite3").write_text("decrypted, left behind")
        result = _restore(fresh, target)
        assert not leftover.exists()
        assert result.exit_code == 1, result.output
        assert (
            "damaged" in result.output
            or "cut short" in result.output
            or ("does not open" in result.output)
        )
        assert not backups.holds_data()
        assert not rjdb.database.get_tables()


def test_restore_checks_the_audit_key_and_the_chain_before_replacing_anything(app, cli, tmp_path):
    fac = create_user("facilitator")
    case = make_case(by=fac)
    _backup(cli, tmp_path / "good.mend")
    # Someone who can write to the database but lacks the key changes a record.
    AuditRecord.update(details='{"kind": "complaint"}').where(
        (AuditRecord.case == case) & (AuditRecord.action == "case.filed")
    ).execute()
    _backup(cli, tmp_path / "tampered.mend")
    other_key = "another-audit-key-" + "0" * 32
    with fresh_instance(tmp_path, AUDIT_KEY=other_key) as fresh, fresh.app_context():
        result = _restore(fresh, tmp_path / "good.mend")
        assert result.exit_code == 1
        assert "written with another audit key" in result.output
        assert not backups.holds_data()
    with fresh_instance(tmp_path) as fresh, fresh.app_context():
        result = _restore(fresh, tmp_path / "tampered.mend")
        assert result.exit_code == 1 and "audit chain does not verify" in result.output
        assert not backups.holds_data()


def test_restore_refuses_an_instance_with_data_unless_forced_and_keeps_it_beside(
    app, cli, tmp_path
):
    make_case(by=create_user("facilitator"), title="From the backup")
    archive = tmp_path / "b.mend"
    _backup(cli, archive)
    with fresh_instance(tmp_path) as fresh, fresh.app_context():
        rjdb.migrate()
        create_user("admin", username="already-here")
        refused = _restore(fresh, archive)
        assert refused.exit_code == 1 and "already holds data" in refused.output
        assert User.named("already-here") is not None
        forced = _restore(fresh, archive, "--force")
        assert forced.exit_code == 0, forced.output
        assert "What was here before is kept at" in forced.output
        with rjdb.connected():
            assert User.named("already-here") is None
            assert Case.get().title == "From the backup"


@pytest.mark.skipif(bool(PG_URL), reason="SQLite: a running server holds the file open")
def test_restore_waits_until_mend_is_stopped(app, cli, tmp_path):
    make_case(by=create_user("facilitator"))
    archive = tmp_path / "b.mend"
    _backup(cli, archive)
    with fresh_instance(tmp_path) as fresh, fresh.app_context():
        database = fresh.config["DATABASE_URL"]
        server = subprocess.Popen(
            [sys.executable, "-c", "import sys, time; f = open(sys.argv[1]); time.sleep(30)",
             database],
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 10
            while not backups._processes_with_open(database) and time.monotonic() < deadline:
                time.sleep(0.05)
            result = _restore(fresh, archive)
        finally:
            server.kill()
            server.wait()
        assert result.exit_code == 1 and "Mend is still running" in result.output
        assert not backups.holds_data()
        assert _restore(fresh, archive).exit_code == 0


def test_a_backup_taken_while_writes_go_on_restores_everything_committed_before_it(
    app, cli, tmp_path
):
    """Writers file cases and add evidence with files while the backup is taken; the
    restored instance holds every case, entry, file and audit record committed before
    the snapshot (the manifest's checkpoint), and nothing after it."""
    fac = create_user("facilitator")
    make_case(by=fac)  # the chain and the counters exist before the writers start
    stop = threading.Event()
    errors = []

    def write(n):
        try:
            with app.app_context(), rjdb.database.connection_context():
                by = User.get_by_id(fac.id)
                i = 0
                while not stop.is_set():
                    case = cases.file_case(
                        by, "incident", f"Writer {n} case {i}", "x", utcnow(), "hall", "low"
                    )
                    _evidence(app, case, by, f"writer {n} file {i}")
                    i += 1
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    def filed():
        return AuditRecord.select().where(AuditRecord.action == "case.filed").count()

    def wait_for_more(than):
        deadline = time.monotonic() + 20
        while filed() <= than + 2 and time.monotonic() < deadline and not errors:
            time.sleep(0.05)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for writer in writers:
        writer.start()
    wait_for_more(filed())
    archive = tmp_path / "during.mend"
    written = backups.write(archive, PASSPHRASE)
    wait_for_more(filed())
    stop.set()
    for writer in writers:
        writer.join()
    assert errors == []
    seq = int(written.checkpoint.split(":")[0])

    def created(action):
        return dict(
            AuditRecord.select(AuditRecord.entry_id if action == "entry.created" else
                               AuditRecord.case, AuditRecord.id)
            .where(AuditRecord.action == action).tuples()
        )  # fmt: skip

    cases_before = {c for c, rec in created("case.filed").items() if rec <= seq}
    cases_after = {c for c, rec in created("case.filed").items() if rec > seq}
    entries_before = {e for e, rec in created("entry.created").items() if rec <= seq}
    assert cases_before and cases_after, "the backup was not taken while writes went on"
    expected = {
        "cases": {c.reference for c in Case.select().where(Case.id.in_(cases_before))},
        "entries": entries_before,
        "files": {
            f.stored_name: files.path_of(f.stored_name).read_bytes()
            for f in EntryFile.select().where(EntryFile.entry.in_(entries_before))
        },
        "audit": list(
            AuditRecord.select(AuditRecord.id, AuditRecord.hash)
            .where(AuditRecord.id <= seq)
            .order_by(AuditRecord.id)
            .tuples()
        ),
    }
    assert len(expected["files"]) == len(entries_before)

    with fresh_instance(tmp_path) as fresh, fresh.app_context():
        result = _restore(fresh, archive)
        assert result.exit_code == 0, result.output
        with rjdb.connected():
            assert {c.reference for c in Case.select()} == expected["cases"]
            assert {e.id for e in Entry.select()} == expected["entries"]
            restored_audit = list(
                AuditRecord.select(AuditRecord.id, AuditRecord.hash)
                .where(AuditRecord.id <= seq)
                .order_by(AuditRecord.id)
                .tuples()
            )
            assert restored_audit == expected["audit"]
            # One more: the restore itself, recorded in the chain.
            after = AuditRecord.select().where(AuditRecord.id > seq)
            assert [r.action for r in after] == ["backup.restored"]
            for name, content in expected["files"].items():
                assert files.path_of(name).read_bytes() == content
        verified = fresh.test_cli_runner().invoke(
            args=["audit", "verify", "--since", written.checkpoint]
        )
        assert verified.exit_code == 0, verified.output
