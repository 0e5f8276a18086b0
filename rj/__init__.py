"""Mend: a case board for restorative and transformative responses to harm."""

import os
import secrets
import time

from flask import Flask
from flask_compress import Compress
from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from rj import config, db, errors, files, sessions

login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
htmx = Htmx()

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class DatabaseInteger(IntegerConverter):
    """``<int:…>`` in every route: only what a database column can hold (else 404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=db.MAX_INTEGER, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def create_app(overrides=None, instance_path=None):
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.url_map.converters["int"] = DatabaseInteger
    os.makedirs(app.instance_path, exist_ok=True)
    config.load(app, overrides)
    _load_secret_key(app)

    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    files.init_app(app)
    htmx.init_app(app)
    csrf.init_app(app)
    compress.init_app(app)
    Talisman(
        app,
        force_https=False,  # the reverse proxy redirects; the tablet LAN may be plain HTTP
        strict_transport_security=True,  # sent only on HTTPS requests
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    sessions.init_app(app, login_manager)
    errors.init_app(app)

    from rj import cli, templating
    from rj.blueprints import (
        admin,
        auth,
        board,
        cases,
        due,
        entries,
        home,
        mycases,
        process,
        tablet,
    )

    templating.init_app(app)
    blueprints = (auth, home, board, cases, process, entries, due, admin, mycases, tablet)
    for module in blueprints:
        app.register_blueprint(module.bp)
    cli.init_app(app)
    return app


def _load_secret_key(app):
    if app.config.get("SECRET_KEY"):
        return
    url = app.config.get("DATABASE_URL") or ""
    if url.startswith(("postgres://", "postgresql://")):
        raise RuntimeError(
            "SECRET_KEY must be set explicitly when Mend runs on PostgreSQL "
            "(several app servers must share one key)."
        )
    path = os.path.join(app.instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process may have created it a moment ago and still be writing.
        for _ in range(50):
            with open(path) as f:
                key = f.read().strip()
            if key:
                app.config["SECRET_KEY"] = key
                return
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to generate a new key.") from None

    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    app.config["SECRET_KEY"] = key
