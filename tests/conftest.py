"""Fixtures: a fresh database per test (SQLite copy of a migrated template, or a
truncated PostgreSQL database when RJ_TEST_DATABASE_URL is set), a client, and
helpers to sign in as a role."""

import os
import shutil
import uuid
from urllib.parse import urlparse, urlunparse

import pytest
from flask.testing import FlaskClient

from rj import create_app, passwords
from rj import db as rjdb
from rj.clock import utcnow
from rj.models import User

PG_URL = os.environ.get("RJ_TEST_DATABASE_URL")

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "AUDIT_KEY": "test-audit-key-0123456789abcdef0123456789abcdef",
    "WTF_CSRF_ENABLED": False,
    "THROTTLE_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8,
    "ARGON2_PARALLELISM": 1,
    "RATELIMIT_STORAGE_URI": "memory://",
}

PASSWORD = "correct horse battery"


def _pg_admin(sql):
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated database for this run: a SQLite template file, or a new PostgreSQL database."""
    if PG_URL:
        name = f"mend_test_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = urlunparse(urlparse(PG_URL)._replace(path=f"/{name}"))
    else:
        url = str(tmp_path_factory.mktemp("template") / "mend.sqlite3")
    app = create_app(
        {**TEST_CONFIG, "DATABASE_URL": url}, instance_path=str(tmp_path_factory.mktemp("instance"))
    )
    with app.app_context():
        rjdb.migrate()
        rjdb.database.close_all()
    yield url
    if PG_URL:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and so a fresh ``g``), as in production,
    even though the test itself runs inside one."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url, tmp_path, **overrides):
    """An app on a clean copy of the migrated database."""
    if PG_URL:
        url = database_url
    else:
        url = str(tmp_path / "mend.sqlite3")
        if not os.path.exists(url):
            shutil.copy(database_url, url)
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, **overrides}, instance_path=str(instance))
    app.test_client_class = FreshContextClient
    return app


def _truncate_all():
    tables = [t for t in rjdb.database.get_tables() if t != "schema_migration"]
    if tables:
        quoted = ", ".join(f'"{t}"' for t in tables)
        rjdb.database.execute_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


@pytest.fixture
def app_overrides():
    """Override to change settings for one test module."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_overrides):
    app = make_app(database_url, tmp_path, **app_overrides)
    with app.app_context():
        if PG_URL:
            _truncate_all()
        yield app
        rjdb.database.close()
        rjdb.database.close_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def create_user(role="facilitator", username=None, password=PASSWORD, **fields):
    username = username or f"{role}-{uuid.uuid4().hex[:6]}"
    return User.create(
        username=username,
        display_name=fields.pop("display_name", username.title()),
        role=role,
        password_hash=passwords.hash_password(password),
        **fields,
    )


def sign_in_session(client, user):
    """Put ``user`` in the client's session, as a successful sign-in would."""
    now = utcnow().timestamp()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = now
        session["seen_at"] = now


@pytest.fixture
def login_as(client):
    def login(role_or_user="facilitator", **fields):
        user = (
            role_or_user if isinstance(role_or_user, User) else create_user(role_or_user, **fields)
        )
        sign_in_session(client, user)
        return user

    return login


def make_case(
    stage="filed", by=None, lead=None, severity="medium", title="A neutral title", parties=()
):
    """A case built through the domain functions and moved to ``stage`` by the rules.

    ``parties`` is a list of (side, user-or-None, name) to add before it moves.
    """
    from rj import cases, demo
    from rj.clock import utcnow

    by = by or create_user("facilitator")
    lead = lead or by
    case = cases.file_case(
        by,
        kind="incident",
        title=title,
        what_happened="Something happened.",
        occurred_at=utcnow(),
        location="lounge",
        severity=severity,
    )
    for side, user, name in parties:
        cases.add_party(case, cases.add_person(name, user=user), side, by)
    return demo.advance(case, stage, by, lead)
