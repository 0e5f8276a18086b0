"""The keyed audit chain: what someone who can write to the database but does not hold
the audit key can no longer do unnoticed, old plain chains sealed by the marker,
checkpoints, the key itself, redaction digests and the backup's manifest."""

import hashlib
import json

import pytest

from rj import audit, entries
from rj import db as rjdb
from rj.db import write_tx
from rj.models import AuditRecord
from tests.helpers import PG_URL, TEST_CONFIG, create_user, make_app, opened_backup

SEALING = "0009_audit_keyed"


# --- What someone without the key can do -----------------------------------------------


def plain_hash(row):
    """A record's hash as Mend computed it before the chain was keyed: SHA-256 of this JSON."""
    canonical = json.dumps(
        {
            "id": row.id,
            "at": row.at.isoformat(timespec="microseconds") + "Z",
            "actor": row.actor_id,
            "action": row.action,
            "case": row.case_id,
            "entry": row.entry_id,
            "details": json.loads(row.details),
            "address": row.address,
            "prev": row.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def rehash_as_plain(from_id):
    """Relink and recompute every hash from record ``from_id`` on, as plain SHA-256."""
    before = AuditRecord.select().where(AuditRecord.id < from_id).order_by(AuditRecord.id.desc())
    before = before.first()
    prev_hash = before.hash if before else audit.GENESIS
    for row in AuditRecord.select().where(AuditRecord.id >= from_id).order_by(AuditRecord.id):
        row.prev_hash = prev_hash
        row.hash = plain_hash(row)
        AuditRecord.update(prev_hash=row.prev_hash, hash=row.hash).where(
            AuditRecord.id == row.id
        ).execute()
        prev_hash = row.hash


def edit(record_id, **fields):
    AuditRecord.update(**fields).where(AuditRecord.id == record_id).execute()


def keyed_records(count, user=None):
    user = user or create_user("facilitator")
    with write_tx():
        return [audit.record("test.event", actor=user, n=i) for i in range(count)]


@pytest.fixture
def old_plain_chain(app):
    """Makes the chain of a database from before the keyed chain: plain records, and the
    sealing migration not applied yet. The migration is recorded again afterwards (on
    PostgreSQL the tests share one schema)."""

    def make(count):
        rjdb.database.execute_sql(f"DELETE FROM schema_migration WHERE name = '{SEALING}'")
        prev_hash = audit.GENESIS
        for i in range(count):
            row = AuditRecord.create(
                action="case.viewed", details=json.dumps({"n": i}), prev_hash=prev_hash, hash=""
            )
            row = AuditRecord.get_by_id(row.id)
            edit(row.id, hash=plain_hash(row))
            prev_hash = plain_hash(row)
        return list(AuditRecord.select().order_by(AuditRecord.id))

    yield make
    if SEALING not in rjdb.applied_migrations():
        rjdb.database.execute_sql(
            f"INSERT INTO schema_migration (name, applied) VALUES ('{SEALING}', CURRENT_TIMESTAMP)"
        )


def verify(cli, *args):
    return cli.invoke(args=["audit", "verify", *args])


def checkpoint_of(result):
    line = next(x for x in result.output.splitlines() if x.startswith("Checkpoint: "))
    return line.removeprefix("Checkpoint: ")


# --- A chain keyed from its first record -------------------------------------------------


def test_a_fresh_database_is_keyed_from_its_first_record(cli):
    rows = keyed_records(3)
    assert [r.prev_hash for r in rows] == [audit.GENESIS, rows[0].hash, rows[1].hash]
    for row in AuditRecord.select():
        assert row.hash != plain_hash(row)
    result = verify(cli)
    assert result.exit_code == 0, result.output
    assert "3 records verified" in result.output
    assert "plain" not in result.output
    assert checkpoint_of(result) == f"{rows[-1].id}:{rows[-1].hash}"


def test_rewriting_a_keyed_record_and_rehashing_the_rest_is_reported_at_that_record(cli):
    rows = keyed_records(5)
    edit(rows[2].id, action="case.closed")
    rehash_as_plain(rows[2].id)
    result = verify(cli)
    assert result.exit_code == 1
    assert f"broken at record {rows[2].id} (of 5)" in result.output
    assert "rehashed without the audit key" in result.output


def test_a_record_changed_in_place_is_reported_at_that_record(cli):
    rows = keyed_records(4)
    edit(rows[1].id, details=json.dumps({"n": 99}))
    result = verify(cli)
    assert result.exit_code == 1
    assert f"broken at record {rows[1].id}" in result.output
    assert "changed, or written with another audit key" in result.output


def test_a_chain_written_with_another_key_does_not_verify(app, cli):
    keyed_records(2)
    app.config["AUDIT_KEY"] = "another-audit-key-0123456789abcdef0123456789"
    result = verify(cli)
    assert result.exit_code == 1
    assert "written with another audit key" in result.output


def test_rehashing_the_whole_keyed_chain_as_plain_is_reported(cli):
    keyed_records(4)
    rehash_as_plain(1)
    result = verify(cli)
    assert result.exit_code == 1
    assert "none of its 4 records is keyed, yet the chain was keyed" in result.output


def test_no_record_is_appended_to_a_chain_that_ends_in_a_plain_record(app):
    rows = keyed_records(2)
    rehash_as_plain(rows[0].id)
    with pytest.raises(audit.ChainNotKeyed, match="not keyed"), write_tx():
        audit.record("test.event")
    assert AuditRecord.select().count() == 2


# --- An old plain chain, sealed by the marker -------------------------------------------


def test_an_old_plain_chain_is_sealed_once_by_the_migration_and_verifies(cli, old_plain_chain):
    plain = old_plain_chain(4)
    assert rjdb.migrate() == [SEALING]
    marker = AuditRecord.select().order_by(AuditRecord.id.desc()).first()
    assert marker.action == "audit.keyed"
    assert marker.prev_hash == plain[-1].hash
    assert json.loads(marker.details) == {"plain_records": 4, "sealed": plain[-1].hash}
    assert marker.hash != plain_hash(marker)
    assert [r.hash for r in plain] == [
        r.hash for r in AuditRecord.select().where(AuditRecord.id < marker.id)
    ]  # the plain records keep their hashes

    later = keyed_records(2)
    result = verify(cli)
    assert result.exit_code == 0, result.output
    assert "7 records verified" in result.output
    sealed = "first 4 records carry plain SHA-256 hashes, sealed by the keyed marker at record"
    assert f"{sealed} {marker.id};" in result.output
    assert checkpoint_of(result) == f"{later[-1].id}:{later[-1].hash}"
    assert rjdb.migrate() == []
    assert AuditRecord.select().where(AuditRecord.action == "audit.keyed").count() == 1


def test_an_unsealed_plain_chain_asks_for_init_db(cli, old_plain_chain):
    old_plain_chain(3)
    result = verify(cli)
    assert result.exit_code == 1
    assert "none of its 3 records is keyed: run `mend init-db`" in result.output


def test_a_fresh_database_gets_no_marker(old_plain_chain):
    old_plain_chain(0)
    assert rjdb.migrate() == [SEALING]
    assert AuditRecord.select().count() == 0


@pytest.mark.skipif(bool(PG_URL), reason="builds an old SQLite database file")
def test_a_database_from_before_the_keyed_chain_is_upgraded_and_verifies(tmp_path):
    import sqlite3

    from peewee import SqliteDatabase
    from playhouse.migrations import Runner

    path = tmp_path / "old.sqlite3"
    old = SqliteDatabase(str(path))
    runner = Runner(old, directory=str(rjdb.MIGRATIONS))
    before = [m.name for m in runner.status() if m.name < SEALING][-1]
    runner.up(target=before)
    old.close()
    raw = sqlite3.connect(path)
    prev_hash = audit.GENESIS
    for i in range(3):
        at = f"2026-01-0{i + 1} 10:00:00"
        cursor = raw.execute(
            "INSERT INTO audit_record (at, action, details, address, prev_hash, hash)"
            " VALUES (?, 'case.viewed', '{}', '10.0.0.1', ?, '')",
            (at, prev_hash),
        )
        canonical = json.dumps(
            {
                "id": cursor.lastrowid,
                "at": f"2026-01-0{i + 1}T10:00:00.000000Z",
                "actor": None,
                "action": "case.viewed",
                "case": None,
                "entry": None,
                "details": {},
                "address": "10.0.0.1",
                "prev": prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        prev_hash = hashlib.sha256(canonical.encode()).hexdigest()
        raw.execute("UPDATE audit_record SET hash = ? WHERE id = ?", (prev_hash, cursor.lastrowid))
    raw.commit()
    raw.close()

    app = make_app(str(path), tmp_path)
    with app.app_context():
        cli = app.test_cli_runner()
        upgraded = cli.invoke(args=["init-db"])
        assert upgraded.exit_code == 0, upgraded.output
        assert "The audit chain is keyed from record 4 on" in upgraded.output
        result = verify(cli)
        assert result.exit_code == 0, result.output
        assert "4 records verified" in result.output
        assert "first 3 records carry plain SHA-256 hashes" in result.output
        rjdb.database.close_all()


def test_plain_records_rewritten_before_the_marker_are_reported_at_the_marker(cli, old_plain_chain):
    plain = old_plain_chain(4)
    rjdb.migrate()
    marker = AuditRecord.select().order_by(AuditRecord.id.desc()).first()
    keyed_records(1)
    edit(plain[1].id, action="case.closed")
    prev_hash = plain[0].hash
    for row in AuditRecord.select().where(AuditRecord.id.between(plain[1].id, plain[-1].id)):
        row.prev_hash = prev_hash
        prev_hash = plain_hash(row)
        edit(row.id, prev_hash=row.prev_hash, hash=prev_hash)

    result = verify(cli)
    assert result.exit_code == 1
    assert f"broken at record {marker.id}" in result.output
    assert "the 4 plain records before this marker are not the ones it sealed" in result.output

    edit(marker.id, prev_hash=prev_hash)  # relinking the marker breaks its keyed hash
    result = verify(cli)
    assert result.exit_code == 1
    assert f"broken at record {marker.id}" in result.output


def test_removing_the_marker_and_rehashing_what_follows_as_plain_is_reported(cli, old_plain_chain):
    old_plain_chain(3)
    rjdb.migrate()
    marker = AuditRecord.select().order_by(AuditRecord.id.desc()).first()
    after = keyed_records(2)
    checkpoint = verify(cli)
    AuditRecord.delete().where(AuditRecord.id == marker.id).execute()
    rehash_as_plain(after[0].id)

    result = verify(cli)
    assert result.exit_code == 1
    assert "none of its 5 records is keyed, yet the chain was keyed" in result.output

    # Erasing the sealing migration's row as well makes it look never upgraded; the
    # checkpoint kept from before still catches it.
    old_plain_chain(0)
    result = verify(cli, "--since", checkpoint_of(checkpoint))
    assert result.exit_code == 1
    assert f"broken at record {after[-1].id}" in result.output
    assert "not the one in the checkpoint" in result.output


def test_rehashing_everything_after_the_marker_as_plain_is_reported_after_it(cli, old_plain_chain):
    old_plain_chain(2)
    rjdb.migrate()
    after = keyed_records(3)
    rehash_as_plain(after[0].id)
    result = verify(cli)
    assert result.exit_code == 1
    assert f"broken at record {after[0].id}" in result.output
    assert "plain hash after keyed records" in result.output


def test_a_keyed_record_cannot_stand_in_for_the_marker(cli, old_plain_chain):
    plain = old_plain_chain(2)
    with write_tx():  # a keyed record linked straight to the plain ones, without the marker
        audit._append("test.event", None, None, None, {}, plain[-1].hash)
    result = verify(cli)
    assert result.exit_code == 1
    assert "first keyed record, but not the marker" in result.output


# --- Checkpoints ---------------------------------------------------------------------------


def test_deleting_the_newest_records_is_caught_by_an_earlier_checkpoint(cli):
    rows = keyed_records(5)
    result = verify(cli)
    checkpoint = checkpoint_of(result)
    assert checkpoint == f"{rows[-1].id}:{rows[-1].hash}"
    confirmed = verify(cli, "--since", checkpoint)
    assert confirmed.exit_code == 0, confirmed.output
    assert f"Checkpoint {checkpoint} is still part of the chain." in confirmed.output

    AuditRecord.delete().where(AuditRecord.id >= rows[3].id).execute()
    assert verify(cli).exit_code == 0  # what remains is a whole chain
    result = verify(cli, "--since", checkpoint)
    assert result.exit_code == 1
    assert f"record {rows[-1].id} of the checkpoint is no longer in the chain" in result.output

    keyed_records(3)  # new records, perhaps under the same ids
    result = verify(cli, "--since", checkpoint)
    assert result.exit_code == 1
    assert f"record {rows[-1].id}" in result.output


def test_an_earlier_checkpoint_stays_valid_as_the_chain_grows(cli):
    keyed_records(2)
    checkpoint = checkpoint_of(verify(cli))
    keyed_records(2)
    result = verify(cli, "--since", checkpoint)
    assert result.exit_code == 0, result.output
    assert "4 records verified" in result.output


def test_an_empty_chain_is_whole_and_has_no_checkpoint_yet(cli):
    result = verify(cli)
    assert result.exit_code == 0
    assert "0 records verified" in result.output
    assert "Checkpoint: none yet" in result.output


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("nonsense", "is not a checkpoint"),
        ("12", "is not a checkpoint"),
        ("1:2:3", "is not a checkpoint"),
        (f"-1:{'a' * 64}", "is not a record id"),
        (f"0:{'a' * 64}", "is not a record id"),
        (f"x:{'a' * 64}", "is not a record id"),
        (f"{2**64}:{'a' * 64}", "larger than any record id"),
        (f"{'9' * 5000}:{'a' * 64}", "larger than any record id"),
        ("1:abc", "is not a hash"),
        (f"1:{'g' * 64}", "is not a hash"),
        ("", "is not a checkpoint"),
    ],
)
def test_a_bad_checkpoint_is_a_usage_error_not_a_traceback(cli, since, message):
    keyed_records(1)
    result = verify(cli, f"--since={since}")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_negative_checkpoint_given_as_a_separate_argument_is_refused(cli):
    result = verify(cli, "--since", f"-5:{'a' * 64}")
    assert result.exit_code == 2
    assert "is not a record id" in result.output


def test_a_checkpoint_past_the_last_record_is_reported(cli):
    rows = keyed_records(1)
    result = verify(cli, "--since", f"{rows[0].id + 10}:{rows[0].hash}")
    assert result.exit_code == 1
    assert "no longer in the chain" in result.output


# --- The key ------------------------------------------------------------------------------


def test_on_postgresql_the_app_refuses_to_start_without_an_audit_key(tmp_path, monkeypatch):
    from rj import create_app

    monkeypatch.delenv("MEND_AUDIT_KEY", raising=False)
    config = {**TEST_CONFIG, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    del config["AUDIT_KEY"]
    with pytest.raises(RuntimeError, match="MEND_AUDIT_KEY must be set explicitly"):
        create_app(config, instance_path=str(tmp_path))
    assert not (tmp_path / "audit_key").exists()


def test_a_short_audit_key_is_refused(tmp_path):
    from rj import create_app

    config = {**TEST_CONFIG, "AUDIT_KEY": "short", "DATABASE_URL": str(tmp_path / "x.sqlite3")}
    with pytest.raises(RuntimeError, match="MEND_AUDIT_KEY is too short"):
        create_app(config, instance_path=str(tmp_path / "inst"))


def test_on_sqlite_the_audit_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    from rj import create_app

    monkeypatch.delenv("MEND_AUDIT_KEY", raising=False)
    config = {k: v for k, v in TEST_CONFIG.items() if k != "AUDIT_KEY"}
    config["DATABASE_URL"] = str(tmp_path / "db.sqlite3")
    first = create_app(dict(config), instance_path=str(tmp_path / "inst"))
    second = create_app(dict(config), instance_path=str(tmp_path / "inst"))
    key_file = tmp_path / "inst" / "audit_key"
    assert first.config["AUDIT_KEY"] == second.config["AUDIT_KEY"] == key_file.read_text()
    assert first.config["AUDIT_KEY"] != first.config["SECRET_KEY"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_the_audit_key_from_the_environment_is_taken_as_written(tmp_path, monkeypatch):
    from rj import create_app

    monkeypatch.setenv("MEND_AUDIT_KEY", "1" * 40)  # JSON would read this as a number
    config = {k: v for k, v in TEST_CONFIG.items() if k != "AUDIT_KEY"}
    config["DATABASE_URL"] = str(tmp_path / "db.sqlite3")
    app = create_app(config, instance_path=str(tmp_path / "inst"))
    assert app.config["AUDIT_KEY"] == "1" * 40
    assert not (tmp_path / "inst" / "audit_key").exists()


def test_a_redaction_digest_is_keyed_and_not_a_plain_sha256(app):
    texts = ["Sam", "Sam Doe"]
    digest = entries.redaction_digest(texts)
    assert len(digest) == 64
    assert digest != hashlib.sha256("\x1e".join(texts).encode()).hexdigest()
    assert digest != audit.keyed_digest("chain", "\x1e".join(texts))  # never a record hash
    assert entries.redaction_digest(texts) == digest
    app.config["AUDIT_KEY"] = "another-audit-key-0123456789abcdef0123456789"
    assert entries.redaction_digest(texts) != digest


# --- Cost and backups ---------------------------------------------------------------------


def test_appending_a_record_costs_as_many_queries_as_before_the_key(app):
    keyed_records(1)
    statements = []
    database = rjdb.database.obj
    original = database.execute_sql

    def counting(sql, *args, **kwargs):
        statements.append(sql)
        return original(sql, *args, **kwargs)

    with write_tx():
        database.execute_sql = counting
        try:
            audit.record("test.event")
        finally:
            database.execute_sql = original
    assert len(statements) == (4 if PG_URL else 3), statements


def test_a_backup_names_the_checkpoint_and_the_key_fingerprint_never_the_key(app, cli, tmp_path):
    rows = keyed_records(3)
    target = tmp_path / "backup.tar.gz"
    result = cli.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    checkpoint = f"{rows[-1].id}:{rows[-1].hash}"
    assert f"Audit checkpoint at the snapshot: {checkpoint}." in result.output
    key = app.config["AUDIT_KEY"]
    with opened_backup(target) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        contents = b"".join(
            archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()
        )
    assert manifest["audit"] == {
        "records": 3,
        "checkpoint": checkpoint,
        "key_fingerprint": hashlib.sha256(key.encode()).hexdigest()[:16],
    }
    assert manifest["database"] == ("postgresql" if PG_URL else "sqlite")
    assert manifest["created_at"].endswith("Z")
    assert key.encode() not in contents
    assert verify(cli, "--since", checkpoint).exit_code == 0
