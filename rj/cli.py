"""The `mend` command (also `flask --app app ...`): database, demo data, accounts, backups,
uploads. Thin: the work is done by the domain modules (rj/accounts.py, rj/backups.py, ...)."""

import sys
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
        restore,
        purge,
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


def _passphrase(from_stdin, confirm=False):
    """The backup passphrase: from the settings, standard input, or asked for."""
    from rj import backups

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    configured = backups.passphrase_setting()
    if configured:
        return configured
    if sys.stdin.isatty():
        return click.prompt(
            "Backup passphrase", hide_input=True, confirmation_prompt=confirm, err=True
        )
    return None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--passphrase-stdin", is_flag=True, help="Read the passphrase from standard input.")
@with_appcontext
def backup(path, passphrase_stdin):
    """Write an encrypted, consistent online copy of the database and uploaded files to PATH.

    Encrypted with MEND_BACKUP_PASSPHRASE (or the passphrase given). The archive also
    holds manifest.json: the audit chain's checkpoint (SEQ:HASH) at the snapshot and the
    fingerprint of the audit key it needs to be verified (never the key). It is readable
    by its owner only.
    """
    from rj import backups

    try:
        written = backups.write(path, _passphrase(passphrase_stdin, confirm=True))
    except Refused as refused:
        fail(refused.message)
    click.echo(f"Backup written to {written.path} ({written.size:,} bytes, encrypted).")
    click.echo(
        f"Audit checkpoint at the snapshot: {written.checkpoint or 'none (no records yet)'}."
    )
    click.echo(f"Stored files: {written.files}.")
    for name in written.missing:
        click.echo(f"Not in the backup: {name}, deleted after the snapshot (a redaction).")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an instance that holds data (kept beside).")
@click.option("--check", "check_only", is_flag=True, help="Check the archive; replace nothing.")
@click.option("--passphrase-stdin", is_flag=True, help="Read the passphrase from standard input.")
@with_appcontext
def restore(archive, force, check_only, passphrase_stdin):
    """Restore a backup (database and files) into this instance. Stop Mend first.

    The archive is decrypted and checked before anything is replaced: its manifest,
    the audit key's fingerprint, the audit chain in the copy up to the manifest's
    checkpoint, and every stored file's SHA-256. An instance that holds data is refused
    unless --force is given; what it held is then kept beside the restored one.
    """
    from rj import backups

    try:
        restored = backups.restore(
            archive, _passphrase(passphrase_stdin), force=force, check_only=check_only
        )
    except Refused as refused:
        fail(refused.message)
    manifest = restored.manifest
    click.echo(
        f"The backup of {manifest['created_at']} opens and checks out: {restored.records} audit "
        f"records verified up to {restored.checkpoint or 'none'}, {restored.files} stored files."
    )
    for warning in restored.warnings:
        click.echo(f"Note: {warning}")
    if not restored.replaced:
        click.echo("Nothing was replaced (--check).")
        return
    for path in restored.kept_aside:
        click.echo(f"What was here before is kept at {path}.")
    click.echo("Restored. Start Mend again, and keep the checkpoint above.")


@click.command("purge")
@click.option(
    "--dry-run", is_flag=True, help="List the cases that would be purged; change nothing."
)
@click.option(
    "--by",
    "by_username",
    metavar="NAME",
    help="The coordinator purging (an active admin account), recorded in the audit trail.",
)
@with_appcontext
def purge(dry_run, by_username):
    """Purge closed cases older than the retention setting (MEND_RETENTION_YEARS).

    Each case's content and files are removed; a tombstone (reference, dates, stage
    history, who purged it and when) stays in the audit trail, which still verifies.
    Backups made before cannot be reached: see the README.
    """
    from rj import retention

    try:
        years = retention.years()
    except Refused as refused:
        fail(refused.message)
    if years is None:
        click.echo("Retention is off (MEND_RETENTION_YEARS is not set): closed cases are kept.")
        return
    with db.connected():
        by = None
        if not dry_run:
            if not by_username:
                fail("Say who is purging: --by NAME (an active admin account).")
            by = _user_or_fail(by_username)
            if by.role != "admin" or not by.is_active:
                fail(f"{by.username!r} is not an active admin account.")
        due = list(retention.due(years))
        cutoff = retention.cutoff(years)
        click.echo(
            f"Closed cases are kept {years} year{'s' if years != 1 else ''} after closing: "
            f"{len(due)} case{'s' if len(due) != 1 else ''} closed before "
            f"{cutoff:%d %b %Y} {'would be' if dry_run else 'will be'} purged."
        )
        purged = 0
        for case in due:
            content = retention.content_of(case)
            line = (
                f"  {case.reference}  closed {case.closed_at:%d %b %Y} ({case.close_kind}), "
                f"{content.entries} entries, {content.files} files, {content.parties} parties"
            )
            if dry_run:
                click.echo(line)
                continue
            try:
                retention.purge(case, by)
            except Refused as refused:
                click.echo(f"  {case.reference}  not purged: {refused.message}")
                continue
            purged += 1
            click.echo(line + ": purged")
    if not dry_run:
        click.echo(
            f"Purged {purged} case{'s' if purged != 1 else ''}. Backups made before now still "
            "hold them: delete those older than your retention allows."
        )


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
