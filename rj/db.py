"""The database: one peewee proxy, connected per request, and the write transaction helper."""

import os
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.migrations import Runner
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from rj import instance

database = DatabaseProxy()

MIGRATIONS = Path(__file__).with_name("migrations")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
    # Deleted and overwritten content is zeroed, so redacted text does not linger in
    # free pages or free space of the file (the write-ahead log: see ``checkpoint``).
    "secure_delete": 1,
}


# The largest id or number a column holds (a signed 64-bit integer on both databases):
# anything larger in a URL or form is refused before it reaches a query.
MAX_INTEGER = 2**63 - 1

POOL_SIZE = 32
POOL_STALE_SECONDS = 600


def make_database(url):
    """A peewee database for a DATABASE_URL (postgresql://...) or a SQLite file path."""
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlparse(url)
        return PooledPostgresqlDatabase(
            unquote(parts.path.lstrip("/")) or "postgres",
            max_connections=POOL_SIZE,
            stale_timeout=POOL_STALE_SECONDS,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or None,
            port=parts.port or None,
        )
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///") :]
    _create_private_sqlite_file(Path(url))
    # Connections go back to a pool after each request instead of closing: no re-run of
    # the pragmas and no WAL checkpoint on every request. Each is used by one thread at a time.
    return PooledSqliteDatabase(
        url,
        pragmas=SQLITE_PRAGMAS,
        timeout=10,
        check_same_thread=False,
        max_connections=POOL_SIZE,
        stale_timeout=POOL_STALE_SECONDS,
    )


def _create_private_sqlite_file(path):
    """Create an empty database file readable by its owner only, before SQLite opens it:
    SQLite would create it 0644 (less the umask), and gives its -wal and -shm files the
    mode of the database file."""
    instance.private_folder(path.parent)
    with suppress(FileExistsError):
        os.close(instance.create_private_file(path))


def is_sqlite():
    return isinstance(database.obj, SqliteDatabase)


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


# The advisory lock every write transaction on PostgreSQL takes first (rj/audit.py appends
# to its chain under it). Any constant works; it only has to be the same for every writer.
PG_WRITE_LOCK = 727_001


def write_tx():
    """A transaction for a write that reads first.

    On SQLite it begins IMMEDIATE, so concurrent writers queue on the busy
    timeout instead of failing with "database is locked" at their first write.
    On PostgreSQL it takes one advisory lock first, the one the audit chain is
    appended under: every write records itself in the chain, which takes one record
    at a time anyway, and a lock that every writer takes before any other means that
    two writers can never each hold what the other waits for (no deadlock, whatever
    rows they touch, in whatever order). Readers never wait for it. Rows that must
    not change under a write are still read with ``for_update()`` (see ``locked``).
    """
    if is_sqlite():
        return database.atomic("IMMEDIATE")
    return _postgres_write_tx()


@contextmanager
def _postgres_write_tx():
    with database.atomic() as transaction:
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))
        yield transaction


def locked(query):
    """``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE lock already covers it."""
    return query.for_update() if is_postgres() else query


def checkpoint(attempts=20):
    """Fold SQLite's write-ahead log back into the database file and empty it.

    After bulk writes (a smaller file to read), and after a redaction: the log holds
    the old images of the pages it changed, removed text included, until it is folded
    in and truncated. A reader in the middle of a transaction can hold it up for a
    moment; try again briefly. True when the log is empty.
    """
    if not is_sqlite():
        return True
    for _ in range(attempts):
        busy, _, _ = database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return True
        time.sleep(0.05)
    return False


def migrate():
    """Apply every pending migration in rj/migrations; returns the names applied."""
    with database.connection_context():
        return Runner(database, directory=str(MIGRATIONS)).up()


def applied_migrations():
    """The names of the migrations recorded as applied."""
    return set(Runner(database, directory=str(MIGRATIONS)).applied())


def pending_migrations():
    with database.connection_context():
        return [
            m.name for m in Runner(database, directory=str(MIGRATIONS)).status() if not m.applied
        ]


def init_app(app):
    url = app.config.get("DATABASE_URL") or os.path.join(app.instance_path, "mend.sqlite3")
    database.initialize(make_database(url))

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        if not database.is_closed():
            database.close()


@contextmanager
def connected():
    """A connection for code outside a request (CLI commands, scripts)."""
    opened = database.connect(reuse_if_open=True)
    try:
        yield database
    finally:
        if opened:
            database.close()
