"""Mend as the benchmark serves it: the real app plus a trivial signed-in reference route.

``build_app`` is used in-process by bench/board.py. Under gunicorn, ``app`` is built on
first access from the environment (DATABASE_URL, SECRET_KEY, MEND_<SETTING>, and
BENCH_INSTANCE_PATH for the instance folder), so importing this module has no side effects:

    DATABASE_URL=/tmp/x.sqlite3 SECRET_KEY=bench .venv/bin/gunicorn -w 2 \\
        --chdir bench bench_app:app
"""

import os

from flask import render_template_string

from rj import create_app, policy

PING_PATH = "/bench/ping"


def ping():
    """The reference: a signed-in GET rendering a one-line template."""
    return render_template_string("<p>{{ current_user.username }}</p>")


def build_app(overrides=None, instance_path=None):
    """The app with ``PING_PATH`` added, signed-in only, like any other route."""
    instance_path = instance_path or os.environ.get("BENCH_INSTANCE_PATH") or None
    app = create_app(overrides, instance_path=instance_path)
    app.add_url_rule(PING_PATH, "bench_ping", policy.signed_in(ping))
    return app


def __getattr__(name):
    # PEP 562: gunicorn's getattr(module, "app") builds the app in each worker.
    if name == "app":
        globals()["app"] = build_app()
        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
