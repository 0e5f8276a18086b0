"""The `mend` console script, run as a separate process as an admin would."""

import os
import subprocess
import sys

import pytest

from tests.helpers import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="runs once, on SQLite")


def mend(tmp_path, *args, stdin=""):
    env = {
        **os.environ,
        "DATABASE_URL": str(tmp_path / "cli.sqlite3"),
        "SECRET_KEY": "cli-test-key",
        "MEND_AUDIT_KEY": "cli-test-audit-key-0123456789abcdef0123456789",
        "MEND_ARGON2_TIME_COST": "1",
        "MEND_ARGON2_MEMORY_COST": "8",
        "MEND_ARGON2_PARALLELISM": "1",
    }
    return subprocess.run(
        [sys.executable, "-c", "from rj.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def test_mend_console_script_creates_the_database_and_a_user(tmp_path):
    assert mend(tmp_path, "init-db").returncode == 0
    created = mend(
        tmp_path,
        "create-user",
        "cora",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough phrase\n",
    )
    assert created.returncode == 0, created.stderr
    assert "Created admin 'cora'." in created.stdout
    duplicate = mend(
        tmp_path,
        "create-user",
        "cora",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough phrase\n",
    )
    assert duplicate.returncode == 1
    assert "A user named 'cora' already exists." in duplicate.stderr


def test_mend_reports_an_unknown_role_on_stderr(tmp_path):
    result = mend(tmp_path, "create-user", "x", "--role", "wizard", "--password-stdin", stdin="p\n")
    assert result.returncode == 2
    assert "'wizard' is not one of" in result.stderr
