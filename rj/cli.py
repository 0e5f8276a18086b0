"""The `mend` command (also `flask --app app ...`): database, demo data, accounts, backups,
uploads."""

import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from rj import accounts, db, files, instance, settings, throttle
from rj.clock import utcnow
from rj.models import User
from rj.refusals import Refused
from rj.vocabulary import ROLES


def main():
    from rj import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Mend: the restorative case board.")
    cli.main(prog_name="mend")


def init_app(app):
    for command in (
        init_db,
        demo,
        create_user,
        deactivate,
        reactivate,
        set_role,
        reset_password,
        unlock,
        backup,
        clean_uploads,
        audit_group,
    ):
        app.cli.add_command(command)


def fail(message):
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _user_or_fail(username):
    user = User.named(username)
    if user is None:
        fail(f"There is no user named {username!r}.")
    return user


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database or upgrade it in place (never adds demo data)."""
    from rj import audit
    from rj.models import AuditRecord

    applied = db.migrate()
    click.echo(f"Database ready ({len(applied)} migration(s) applied).")
    if audit.SEALING_MIGRATION in applied:
        with db.connected():
            marker = AuditRecord.get_or_none(AuditRecord.action == audit.MARKER)
        if marker is not None:
            click.echo(
                f"The audit chain is keyed from record {marker.id} on, which seals the plain "
                "records before it. Run `mend audit verify` and keep the checkpoint it prints."
            )


@click.command("demo")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (successfully) unless the database is empty."
)
@click.option(
    "--cases",
    "extra_cases",
    type=click.IntRange(0, 100_000),
    default=0,
    help="Add this many more fictional open cases.",
)
@click.option(
    "--year",
    "year_cases",
    type=click.IntRange(0, 100_000),
    default=0,
    help="Add a past year of this many fictional cases, open and closed, for the reports.",
)
@with_appcontext
def demo(if_empty, extra_cases, year_cases):
    """Load clearly fictional demo data into an empty database and print the demo sign-ins."""
    from rj import demo as demo_data

    db.migrate()
    with db.connected():
        empty = not User.select().exists()
        if not empty and not settings.is_demo():
            if if_empty:
                click.echo("This database holds real data: no demo data was added.")
                return
            fail("This database holds real data; demo data is only ever added to an empty one.")
        if empty:
            demo_data.load()
            click.echo("Demo data loaded. Everything in it is fictional.")
        if extra_cases:
            by = User.get(User.username == "facilitator")
            demo_data.add_cases(extra_cases, by, by)
            click.echo(f"Added {extra_cases} fictional open cases.")
        if year_cases:
            by = User.get(User.username == "facilitator")
            demo_data.add_year(year_cases, by, by)
            click.echo(f"Added a year of {year_cases} fictional cases.")
        click.echo("Demo sign-ins (username / password):")
        for username, role, password in demo_data.SIGN_INS:
            click.echo(f"  {username:<12} {password:<24} {role}")


def _read_password(prompt_stdin):
    if not prompt_stdin:
        fail("Pass --password-stdin and give the password on standard input.")
    password = sys.stdin.readline().rstrip("\r\n")
    return password


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The account's role.")
@click.option("--name", "display_name", help="The name shown in Mend (defaults to the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(username, role, display_name, password_stdin):
    """Create an account."""
    password = _read_password(password_stdin)
    with db.connected():
        try:
            user = accounts.create(username, role, password, display_name or "")
        except Refused as refused:
            prefix = "Password refused: " if refused.field == "password" else ""
            fail(prefix + refused.message)
    click.echo(f"Created {role} {user.username!r}.")


def _account_change(username, change, *args):
    with db.connected():
        user = _user_or_fail(username)
        try:
            return change(user, *args)
        except Refused as refused:
            fail(refused.message)


@click.command("deactivate")
@click.argument("username")
@with_appcontext
def deactivate(username):
    """Stop an account from signing in; ends its sessions at their next request."""
    user = _account_change(username, accounts.deactivate)
    click.echo(f"Deactivated {user.username!r}.")


@click.command("reactivate")
@click.argument("username")
@with_appcontext
def reactivate(username):
    """Allow a deactivated account to sign in again."""
    user = _account_change(username, accounts.reactivate)
    click.echo(f"Reactivated {user.username!r}.")


@click.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def set_role(username, role):
    """Change an account's role."""
    user = _account_change(username, accounts.set_role, role)
    click.echo(f"{user.username!r} is now {role}.")


@click.command("reset-password")
@click.argument("username")
@with_appcontext
def reset_password(username):
    """Give an account a one-time code: it signs in once, then a new password must be chosen."""
    with db.connected():
        user = _user_or_fail(username)
        code = accounts.issue_one_time_code(user)
    click.echo(f"One-time code for {user.username!r} (shown once, works once): {code}")


@click.command("unlock")
@click.argument("username")
@with_appcontext
def unlock(username):
    """Lift a sign-in lock.

    It reaches a running server only through a shared RATELIMIT_STORAGE_URI (Redis).
    """
    with db.connected():
        _user_or_fail(username)
    if throttle.is_per_process():
        fail(
            f"{username!r} was not unlocked.\n"
            "A running server keeps its own sign-in counters in its memory "
            f"(RATELIMIT_STORAGE_URI is {current_app.config['RATELIMIT_STORAGE_URI']!r}), "
            "where this command cannot reach them. They expire by themselves: a username's "
            f"lock within {throttle.ACCOUNT.get_expiry() // 60} minutes, a username and "
            f"address pair's within {throttle.PAIR.get_expiry()} seconds.\n"
            "For `mend unlock` to reach the server, set RATELIMIT_STORAGE_URI to a Redis "
            "server shared by every process (e.g. redis://127.0.0.1:6379/0) and restart it."
        )
    throttle.clear(username)
    click.echo(f"Unlocked {username!r}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path):
    """Write a consistent online copy of the database and uploaded files to PATH (.tar.gz).

    The archive also holds manifest.json: the audit chain's checkpoint (SEQ:HASH) at
    the snapshot and the fingerprint of the audit key it needs to be verified
    (never the key). Every member is readable by its owner only.
    """
    from rj import audit, files

    if path.exists():
        fail(f"{path} already exists; choose a new file name.")
    if not path.parent.is_dir():
        fail(f"The folder {path.parent} does not exist.")
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / ("mend.sqlite3" if db.is_sqlite() else "mend.sql")
        if db.is_sqlite():
            records, checkpoint = _sqlite_snapshot(snapshot)
        else:
            records, checkpoint = _pg_dump(snapshot)
        manifest = {
            "format": 1,
            "created_at": utcnow().isoformat(timespec="seconds") + "Z",
            "database": "sqlite" if db.is_sqlite() else "postgresql",
            "snapshot": snapshot.name,
            "audit": {
                "records": records,
                "checkpoint": checkpoint,
                "key_fingerprint": audit.key_fingerprint(),
            },
        }
        fd = instance.create_private_file(path)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode() + b"\n")
            archive.add(snapshot, arcname=snapshot.name, filter=_private_member)
            uploads = files.upload_folder()
            if uploads.is_dir():
                archive.add(uploads, arcname="files", filter=_private_member)
    click.echo(f"Backup written to {path}.")
    click.echo(f"Audit checkpoint at the snapshot: {checkpoint or 'none (no records yet)'}.")


def _private_member(member):
    """Every member of a backup is readable by its owner only, whatever it was on disk."""
    member.mode = instance.FOLDER_MODE if member.isdir() else instance.FILE_MODE
    return member


def _add_bytes(archive, name, data):
    member = tarfile.TarInfo(name)
    member.size, member.mtime, member.mode = len(data), int(time.time()), instance.FILE_MODE
    archive.addfile(member, io.BytesIO(data))


@click.command("clean-uploads")
@with_appcontext
def clean_uploads():
    """Remove staged upload files (.tmp-*) older than an hour, left by a process stopped
    mid-upload. Stored files are never touched."""
    folder = files.upload_folder()
    try:
        removed = files.remove_stale_staged(folder)
    except FileNotFoundError:
        removed = 0
    except OSError as exc:
        fail(f"Could not read the upload folder {folder}: {exc.strerror or exc}.")
    # Starting Mend to run this command has already removed some, if there were any.
    removed += current_app.extensions.get(files.REMOVED_AT_START, 0)
    noun = "file" if removed == 1 else "files"
    click.echo(f"Removed {removed} staged upload {noun} older than an hour from {folder}.")


def _sqlite_snapshot(target):
    """Copy the database with SQLite's backup API; the audit chain's record count and
    checkpoint as the copy holds them."""
    source = sqlite3.connect(db.database.obj.database)
    try:
        os.close(instance.create_private_file(target))
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        count, last = dest.execute("SELECT COUNT(*), MAX(id) FROM audit_record").fetchone()
        row = dest.execute("SELECT id, hash FROM audit_record WHERE id = ?", (last,)).fetchone()
        dest.close()
    finally:
        source.close()
    return count, f"{row[0]}:{row[1]}" if row else None


def _pg_dump(target):
    """Dump the database with pg_dump, from a snapshot exported by a transaction that
    reads the audit chain's record count and checkpoint in the same snapshot."""
    from rj.models import AuditRecord

    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        fail("pg_dump is not installed; install PostgreSQL's client tools.")
    url = current_app.config["DATABASE_URL"]
    with db.connected(), db.database.atomic():
        db.database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = db.database.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
        count = AuditRecord.select().count()
        last = AuditRecord.select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc())
        last = last.first()
        # A fixed program and argument list; the URL comes from our own settings.
        result = subprocess.run(  # noqa: S603  # nosec B603
            [pg_dump, "--no-owner", "--snapshot", snapshot, "--file", str(target), url],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        fail(f"pg_dump failed: {result.stderr.strip()}")
    return count, f"{last.id}:{last.hash}" if last else None


@click.group("audit")
def audit_group():
    """The audit trail."""


class CheckpointParam(click.ParamType):
    """A checkpoint ``SEQ:HASH`` as ``mend audit verify`` prints it."""

    name = "SEQ:HASH"

    def convert(self, value, param, ctx):
        from rj import audit

        if isinstance(value, tuple):
            return value
        try:
            return audit.parse_checkpoint(value)
        except ValueError as refusal:
            self.fail(str(refusal), param, ctx)


@audit_group.command("verify")
@click.option(
    "--since",
    type=CheckpointParam(),
    help="A checkpoint printed by an earlier verify, which must still be in the chain.",
)
@with_appcontext
def audit_verify(since):
    """Check every link of the audit chain and print its checkpoint (SEQ:HASH).

    With --since, also confirm that an earlier checkpoint is still part of the chain,
    so deleting the newest records is caught. Needs the audit key that wrote it.
    """
    from rj import audit
    from rj.models import AuditRecord

    with db.connected():
        result = audit.verify(since=since)
        total = AuditRecord.select().count()
    key = f"Audit key fingerprint: {audit.key_fingerprint()}."
    if not result.whole:
        if result.broken_at is not None:
            fail(
                f"The audit chain is broken at record {result.broken_at} (of {total}): "
                f"{result.problem}.\n{key}"
            )
        fail(f"The audit chain is not whole: {result.problem}.\n{key}")
    click.echo(f"The audit chain is whole: {result.records} records verified.")
    if result.marker is not None:
        click.echo(
            f"The first {result.plain} records carry plain SHA-256 hashes, sealed by the "
            f"keyed marker at record {result.marker}; every record from it on is keyed."
        )
    if since:
        click.echo(f"Checkpoint {since[0]}:{since[1]} is still part of the chain.")
    click.echo(f"Checkpoint: {result.checkpoint or 'none yet (no records)'}")
    click.echo(key)
