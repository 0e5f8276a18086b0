"""Mend: a case board for restorative and transformative responses to harm."""

from flask import Flask
from flask_compress import Compress
from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from rj import config, db, errors, files, instance, public_limits, sessions, throttle

login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
htmx = Htmx()

# A short audit key could be guessed from a record and its hash, or from the fingerprint
# a backup's manifest names it by.
AUDIT_KEY_MIN_LENGTH = 32

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
    instance.private_folder(app.instance_path)
    config.load(app, overrides)
    instance.load_key(app, "SECRET_KEY", "secret_key")
    instance.load_key(app, "AUDIT_KEY", "audit_key", min_length=AUDIT_KEY_MIN_LENGTH)

    app.wsgi_app = public_limits.FloodGate(app)
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
    throttle.init_app(app)
    sessions.init_app(app, login_manager)
    errors.init_app(app)

    from rj import cli, i18n, templating
    from rj.blueprints import (
        account,
        admin,
        auth,
        board,
        cases,
        due,
        entries,
        home,
        mycases,
        process,
        public,
        reports,
        tablet,
        users,
    )

    i18n.init_app(app)
    templating.init_app(app)
    blueprints = (
        auth,
        account,
        home,
        board,
        cases,
        process,
        entries,
        due,
        admin,
        users,
        mycases,
        tablet,
        public,
        reports,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)
    cli.init_app(app)
    return app
