"""Template globals and filters shared by every page."""

import json

from flask import current_app
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from wtforms.validators import Length

from rj import policy, settings, vocabulary
from rj.clock import local, utcnow

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
    ("Mac OS X", "a Mac"),
    ("CrOS", "a Chromebook"),
    ("Linux", "Linux"),
)


def browser_name(user_agent):
    """A person's words for a browser ("Firefox on Android"), from its User-Agent."""
    text = user_agent or ""
    browser = next((name for mark, name in BROWSERS if mark in text), "A browser")
    system = next((name for mark, name in SYSTEMS if mark in text), None)
    return f"{browser} on {system}" if system else browser


def init_app(app):
    app.jinja_env.globals.update(
        field_limit=field_limit,
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
    app.jinja_env.filters["account_action"] = lambda action: vocabulary.label(
        vocabulary.ACCOUNT_ACTION_LABELS, action
    )
    app.jinja_env.filters["localdate"] = lambda d: d.strftime("%-d %b %Y") if d else ""
    app.jinja_env.filters["localtime"] = lambda dt, fmt="%d %b %Y %H:%M": (
        local(dt).strftime(fmt) if dt else ""
    )

    @app.context_processor
    def _demo_flag():
        try:
            return {"is_demo": settings.is_demo()}
        except Exception:  # the database may be unreachable on an error page
            current_app.logger.warning("Could not read the demo marker", exc_info=True)
            return {"is_demo": False}
