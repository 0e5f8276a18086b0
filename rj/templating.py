"""Template globals and filters shared by every page."""

import hashlib
import json
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms.validators import Length

from rj import icons, policy, settings, vocabulary
from rj.clock import utcnow

HTMX_CONFIG = {
    "allowEval": False,
    "historyCacheSize": 0,
    "historyRestoreAsHxRequest": False,
    "includeIndicatorStyles": False,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "304", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "409|422", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
}


def field_limit(field):
    """The most characters a form field takes, from its Length validator, or None.
    Passwords are left out: their limit only guards the server."""
    if field.type == "PasswordField":
        return None
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    return min(limits) if limits else None


BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", _l("a Mac")),
    ("CrOS", _l("a Chromebook")),
    ("Linux", "Linux"),
)


def browser_name(user_agent):
    """A person's words for a browser ("Firefox on Android"), from its User-Agent."""
    text = user_agent or ""
    browser = next((name for mark, name in BROWSERS if mark in text), None) or _("A browser")
    system = next((name for mark, name in SYSTEMS if mark in text), None)
    return _("%(browser)s on %(system)s", browser=browser, system=system) if system else browser


def static_url(filename):
    """A static file's address with a version from its content, so it can be cached for a
    year and a new release is fetched at once."""
    versions = current_app.extensions.setdefault("mend_static_versions", {})
    if filename not in versions:
        path = Path(current_app.static_folder) / filename
        try:
            versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        except OSError:
            versions[filename] = "missing"
    return url_for("static", filename=filename, v=versions[filename])


def icon(name, label=None):
    """An icon from the sprite; hidden from screen readers unless it has a ``label``."""
    if name not in icons.ICONS:
        raise ValueError(f"{name!r} is not in rj.icons.ICONS")
    if label is None:  # the same markup every time: made once per app
        made = current_app.extensions.setdefault("mend_icons", {})
        if name not in made:
            made[name] = _icon(name, None)
        return made[name]
    return _icon(name, label)


def _icon(name, label):
    href = static_url("vendor/icons.svg") + "#" + name
    if label:
        return Markup(
            '<svg class="icon" role="img" aria-label="{}" focusable="false">'
            '<use href="{}"></use></svg>'
        ).format(label, href)
    return Markup(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}"></use></svg>'
    ).format(href)


def cache_static(response):
    """Versioned static files are kept by browsers for a year; others are checked. Static
    files are small: let Flask-Compress gzip them (it passes over a file sent as is)."""
    if request.endpoint == "static":
        if response.status_code == 200:
            response.direct_passthrough = False
            response.make_sequence()  # a few kilobytes, read once: now it can be gzipped
        if request.args.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def init_app(app):
    app.after_request(cache_static)
    app.jinja_env.globals.update(
        field_limit=field_limit,
        static_url=static_url,
        icon=icon,
        navigation=policy.navigation,
        can=lambda action, obj=None: policy.can(current_user, action, obj),
        htmx_config=json.dumps(HTMX_CONFIG, separators=(",", ":")),
        csrf_headers=lambda: json.dumps({"X-CSRFToken": generate_csrf()}),
        now_utc=utcnow,
    )
    app.jinja_env.filters["label"] = lambda value, labels: vocabulary.label(
        vocabulary.LABEL_SETS[labels], value
    )
    app.jinja_env.filters["browser_name"] = browser_name

    @app.context_processor
    def _demo_flag():
        try:
            return {"is_demo": settings.is_demo()}
        except Exception:  # the database may be unreachable on an error page
            current_app.logger.warning("Could not read the demo marker", exc_info=True)
            return {"is_demo": False}
