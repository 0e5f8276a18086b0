"""The `mend` command (also `flask --app app ...`): database, demo data, accounts, backups,
uploads."""

import os
import shutil
import sqlite3
import subprocess  # nosec B404
import sys
import tarfile
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from rj import accounts, db, files, settings, throttle
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
    applied = db.migrate()
    click.echo(f"Database ready ({len(applied)} migration(s) applied).")


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
@with_appcontext
def demo(if_empty, extra_cases):
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
    throttle.clear(username)
    click.echo(f"Unlocked {username!r}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path):
    """Write a consistent online copy of the database and uploaded files to PATH (.tar.gz)."""
    if path.exists():
        fail(f"{path} already exists; choose a new file name.")
    if not path.parent.is_dir():
        fail(f"The folder {path.parent} does not exist.")
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / ("mend.sqlite3" if db.is_sqlite() else "mend.sql")
        if db.is_sqlite():
            _sqlite_snapshot(snapshot)
        else:
            _pg_dump(snapshot)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            archive.add(snapshot, arcname=snapshot.name)
            files = Path(
                current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "files"
            )
            if files.is_dir():
                archive.add(files, arcname="files")
    click.echo(f"Backup written to {path}.")


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
    source = sqlite3.connect(db.database.obj.database)
    try:
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()


def _pg_dump(target):
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        fail("pg_dump is not installed; install PostgreSQL's client tools.")
    url = current_app.config["DATABASE_URL"]
    # A fixed program and argument list; the URL comes from our own settings.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [pg_dump, "--no-owner", "--file", str(target), url],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        fail(f"pg_dump failed: {result.stderr.strip()}")


@click.group("audit")
def audit_group():
    """The audit trail."""


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Check every link of the audit chain; report the first broken one."""
    from rj import audit
    from rj.models import AuditRecord

    with db.connected():
        broken = audit.verify()
        total = AuditRecord.select().count()
    if broken is not None:
        fail(f"The audit chain is broken at record {broken} (of {total}).")
    click.echo(f"The audit chain is whole: {total} records verified.")
