"""The database layer: pragmas, migrations, concurrent writers, backups, demo data."""

import io
import os
import sqlite3
import threading

import pytest
from peewee import SqliteDatabase
from werkzeug.datastructures import FileStorage

from rj import db as rjdb
from rj.models import Setting, User
from tests.helpers import PG_URL, TEST_CONFIG, create_user, make_app, make_case, opened_backup

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite-specific behaviour")


@sqlite_only
def test_sqlite_runs_with_wal_a_busy_timeout_and_foreign_keys(app):
    database = rjdb.database
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrating_again_changes_nothing(app):
    create_user("admin", username="kept")
    assert rjdb.migrate() == []
    assert rjdb.pending_migrations() == []
    assert User.get(User.username == "kept")


@sqlite_only
def test_an_older_database_is_upgraded_in_place_without_losing_data(tmp_path, database_url):
    from playhouse.migrations import Runner

    path = tmp_path / "old.sqlite3"
    old = SqliteDatabase(str(path))
    runner = Runner(old, directory=str(rjdb.MIGRATIONS))
    runner.up(target="0001_accounts")
    old.execute_sql(
        "INSERT INTO account (username, display_name, role, password_hash, active,"
        " must_change_password, session_epoch, created_at) VALUES"
        " ('early', 'Early Bird', 'admin', 'x', 1, 0, 0, '2026-01-01 00:00:00')"
    )
    old.close()
    app = make_app(str(path), tmp_path)
    with app.app_context():
        rjdb.migrate()
        assert rjdb.pending_migrations() == []
        assert User.get(User.username == "early").display_name == "Early Bird"


def test_concurrent_writers_wait_their_turn_instead_of_failing(app):
    """Eight threads each read-then-write the same counter 25 times in IMMEDIATE transactions."""
    Setting.create(key="counter", value="0")
    errors = []

    def bump():
        database = rjdb.database
        try:
            for _ in range(25):
                with database.connection_context(), rjdb.write_tx():
                    row = rjdb.locked(Setting.select().where(Setting.key == "counter")).get()
                    Setting.update(value=str(int(row.value) + 1)).where(
                        Setting.key == "counter"
                    ).execute()
        except Exception as exc:  # any "database is locked" lands here
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Setting.get_by_id("counter").value == "200"


@sqlite_only
def test_backup_writes_a_consistent_private_archive(app, cli, tmp_path):
    create_user("admin", username="in-the-backup")
    target = tmp_path / "backup.tar.gz"
    result = cli.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    with opened_backup(target) as archive:
        archive.extract("mend.sqlite3", tmp_path / "restored", filter="data")
    copy = sqlite3.connect(tmp_path / "restored" / "mend.sqlite3")
    assert copy.execute("SELECT username FROM account").fetchall() == [("in-the-backup",)]
    copy.close()


def test_backup_never_overwrites_and_names_a_missing_folder(cli, tmp_path):
    existing = tmp_path / "there.tar.gz"
    existing.write_text("keep me")
    result = cli.invoke(args=["backup", str(existing)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_text() == "keep me"
    result = cli.invoke(args=["backup", str(tmp_path / "no" / "such" / "b.tar.gz")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_demo_loads_only_into_an_empty_database_and_is_marked(cli, client):
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "facilitator" in result.output and "demo-facilitator" in result.output
    page = client.get("/signin").get_data(as_text=True)
    assert "Demo data: every person and case here is fictional." in page
    again = cli.invoke(args=["demo"])
    assert again.exit_code == 0
    assert User.select().count() == len(__import__("rj.demo").demo.SIGN_INS)


def test_demo_refuses_a_database_with_real_data(cli, client):
    create_user("admin", username="real-person")
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "holds real data" in result.output
    assert cli.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert User.select().count() == 1
    assert "Demo data" not in client.get("/signin").get_data(as_text=True)


def test_init_db_never_adds_demo_data(cli):
    result = cli.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert not User.select().exists()


def test_demo_fills_the_board_and_adds_more_cases_on_request(cli):
    from rj.models import Case

    assert cli.invoke(args=["demo"]).exit_code == 0
    stages = {c.stage for c in Case.select()}
    assert Case.select().count() == 12
    assert {
        "filed",
        "acknowledged",
        "investigating",
        "hearing",
        "restoring",
        "community",
        "followup",
        "closed",
    } <= stages
    result = cli.invoke(args=["demo", "--cases", "7"])
    assert result.exit_code == 0 and "Added 7 fictional open cases." in result.output
    assert Case.select().where(Case.stage != "closed").count() == 11 + 7
    assert cli.invoke(args=["demo", "--cases", "-1"]).exit_code == 2


def test_audit_verify_finds_the_first_edited_record(cli, app):
    from rj import audit as audit_trail
    from rj.db import database, write_tx
    from rj.models import AuditRecord

    user = create_user("facilitator")
    with write_tx():
        for i in range(5):
            audit_trail.record("test.event", actor=user, n=i)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "5 records verified" in result.output
    third = AuditRecord.select().order_by(AuditRecord.id).offset(2).first()
    database.execute_sql(f"UPDATE audit_record SET action = 'edited' WHERE id = {third.id}")
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at record {third.id}" in result.output


@sqlite_only
@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_everything_mend_writes_is_readable_by_its_owner_only(tmp_path, umask):
    """A fresh instance (database, its -wal and -shm, both keys, the upload folder and a
    stored file) and a backup of it: 0600 files, 0700 folders, whatever the umask."""
    from rj import create_app, entries, files

    previous = os.umask(umask)
    try:
        config = {k: v for k, v in TEST_CONFIG.items() if k not in ("SECRET_KEY", "AUDIT_KEY")}
        instance = tmp_path / "instance"
        app = create_app(config, instance_path=str(instance))
        with app.app_context():
            rjdb.migrate()
            fac = create_user("facilitator", username="on-disk")
            with app.test_request_context():
                upload = files.check(FileStorage(io.BytesIO(b"kept on disk"), filename="n.txt"))
                entries.add_entry(make_case(by=fac), fac, "evidence", "A note.", uploads=[upload])
            target = tmp_path / "backup.tar.gz"
            result = app.test_cli_runner().invoke(args=["backup", str(target)])
            assert result.exit_code == 0, result.output
            written = {p.relative_to(instance).as_posix(): p for p in instance.rglob("*")}
            assert {
                "mend.sqlite3",
                "mend.sqlite3-wal",
                "mend.sqlite3-shm",
                "secret_key",
                "audit_key",
                "files",
                f"files/{upload.stored_name}",
            } <= set(written)
            modes = {name: oct(path.stat().st_mode & 0o777) for name, path in written.items()}
            rjdb.database.close_all()
    finally:
        os.umask(previous)

    modes["instance/"] = oct(instance.stat().st_mode & 0o777)
    modes["backup"] = oct(target.stat().st_mode & 0o777)
    expected = {name: "0o700" if path.is_dir() else "0o600" for name, path in written.items()}
    assert modes == {**expected, "instance/": "0o700", "backup": "0o600"}
    with opened_backup(target) as archive:
        members = {m.name: oct(m.mode) for m in archive.getmembers()}
        kinds = {m.name: m.isdir() for m in archive.getmembers()}
    assert {"manifest.json", "mend.sqlite3", "files", f"files/{upload.stored_name}"} <= set(members)
    assert members == {name: "0o700" if kinds[name] else "0o600" for name in members}
