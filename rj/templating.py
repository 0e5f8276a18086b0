"""Template globals and filters shared by every page."""

import json

from flask import current_app
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from rj import policy, settings
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


def init_app(app):
    app.jinja_env.globals.update(
        can=lambda action, obj=None: policy.can(current_user, action, obj),
        htmx_config=json.dumps(HTMX_CONFIG, separators=(",", ":")),
        csrf_headers=lambda: json.dumps({"X-CSRFToken": generate_csrf()}),
        now_utc=utcnow,
    )
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
