"""Serving for real: the gunicorn settings, the systemd unit, the reverse proxy examples
and the README agree (address, workers, the headers Mend trusts, the request size), and
gunicorn refuses several workers that would each count sign-in failures alone."""

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from rj.config import Defaults

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
CONF = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
README = (ROOT / "README.md").read_text()


def _unit():
    text = (DEPLOY / "mend.service").read_text()
    env = dict(re.findall(r"^Environment=(\w+)=(\S+)$", text, re.M))
    start = re.search(r"^ExecStart=(.*)$", text, re.M).group(1)
    return env, start


def test_the_unit_runs_gunicorn_with_the_config_and_the_settings_the_readme_names():
    env, start = _unit()
    assert start.endswith("gunicorn -c deploy/gunicorn.conf.py app:app")
    assert env["MEND_BIND"] == CONF["bind"] == "127.0.0.1:8000"
    assert int(env["MEND_WORKERS"]) == CONF["workers"] == 2
    assert env["MEND_TRUSTED_PROXIES"] == "1" and env["MEND_HTTPS"] == "1"
    assert env["RATELIMIT_STORAGE_URI"].startswith("redis://")
    for said in (
        "make serve",
        "deploy/gunicorn.conf.py",
        "deploy/mend.service",
        "deploy/Caddyfile",
        "deploy/nginx.conf",
        CONF["bind"],
        "MEND_TRUSTED_PROXIES=1",
        "MEND_WORKERS",
        "MEND_BIND",
        env["RATELIMIT_STORAGE_URI"],
    ):
        assert said in README, f"the README does not name {said!r}"


def test_both_proxies_reach_the_same_address_take_the_same_size_and_set_the_headers():
    bind = CONF["bind"]
    megabytes = Defaults.MAX_CONTENT_LENGTH // (1024 * 1024)
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert re.search(rf"^\s*reverse_proxy {re.escape(bind)}\s*$", caddy, re.M)
    assert re.search(rf"max_size {megabytes}MB", caddy)
    assert "header_up" not in caddy  # Caddy sets X-Forwarded-For, -Proto and -Host itself
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert f"proxy_pass http://{bind};" in nginx
    assert f"client_max_body_size {megabytes}m;" in nginx
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in nginx
    assert f"{megabytes} MB" in README


def test_the_access_log_keeps_no_address_query_string_cookie_or_referrer():
    log_format = CONF["access_log_format"]
    for leak in ("%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "{cookie}", "{x-forwarded-for}"):
        assert leak not in log_format.lower()
    assert "%(U)s" in log_format  # the path alone


@pytest.mark.parametrize(
    ("workers", "storage", "refused"),
    [
        (2, "memory://", True),
        (1, "memory://", False),
        (2, "redis://127.0.0.1:6379/0", False),
    ],
)
def test_several_workers_need_shared_sign_in_counters(workers, storage, refused):
    problem = CONF["refusal"]({"RATELIMIT_STORAGE_URI": storage}, workers)
    assert bool(problem) == refused
    if storage.startswith("redis://"):
        return  # starting would ask Redis whether it answers: see the test below
    config = {"RATELIMIT_STORAGE_URI": storage}
    server = SimpleNamespace(
        app=SimpleNamespace(wsgi=lambda: SimpleNamespace(config=config)),
        cfg=SimpleNamespace(workers=workers),
    )
    if refused:
        with pytest.raises(RuntimeError, match="each worker would count alone"):
            CONF["on_starting"](server)
    else:
        CONF["on_starting"](server)


def test_a_storage_that_does_not_answer_stops_gunicorn_with_the_reason():
    unused = "redis://127.0.0.1:1/0"  # port 1: nothing listens there
    problem = CONF["storage_problem"]({"RATELIMIT_STORAGE_URI": unused})
    assert "does not answer" in problem
    assert CONF["storage_problem"]({"RATELIMIT_STORAGE_URI": "memory://"}) is None


def test_gunicorn_itself_refuses_two_workers_counting_in_memory(tmp_path):
    env = {
        **os.environ,
        "MEND_BIND": "127.0.0.1:0",
        "MEND_WORKERS": "2",
        "RATELIMIT_STORAGE_URI": "memory://",
        "DATABASE_URL": str(tmp_path / "mend.sqlite3"),
        "SECRET_KEY": "not-a-secret",
        "MEND_AUDIT_KEY": "a" * 64,
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "app:app"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "each worker would count alone" in result.stderr
