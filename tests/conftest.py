"""Fixtures: a fresh database per test (SQLite copy of a migrated template, or a
truncated PostgreSQL database when RJ_TEST_DATABASE_URL is set), a client, signing
in as a role, and a world of every role and case. Helpers are in tests/helpers.py."""

import uuid
from urllib.parse import urlparse, urlunparse

import pytest

from rj import create_app
from rj import db as rjdb
from rj.models import User
from tests.helpers import (
    PG_URL,
    TEST_CONFIG,
    build_world,
    create_user,
    make_app,
    pg_admin,
    sign_in_session,
)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated database for this run: a SQLite template file, or a new PostgreSQL database."""
    if PG_URL:
        name = f"mend_test_{uuid.uuid4().hex[:10]}"
        pg_admin(f'CREATE DATABASE "{name}"')
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
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


@pytest.fixture
def login_as(client):
    def login(role_or_user="facilitator", **fields):
        user = (
            role_or_user if isinstance(role_or_user, User) else create_user(role_or_user, **fields)
        )
        sign_in_session(client, user)
        return user

    return login


@pytest.fixture
def world(app):
    """A user of each role and the cases they are asked about (see helpers.build_world)."""
    return build_world()
