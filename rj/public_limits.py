"""Limits of the public pages, on the `limits` library (like the sign-in throttle).

Raising a concern: per address a high limit (people at a drop-in share one), per
browser session a lower one, and an overall ceiling per hour, so a flood stops
before it fills the board (settings ``PUBLIC_CONCERNS_*``). An address that has been
refused as many times again as it may raise concerns is flooding: until its window
moves on, ``FloodGate`` answers its requests for the form with a short page made once,
before any other work is done for them, so a script posting without end costs the
workers next to nothing. A person in a room sharing the address is refused with the
whole form, and what they typed, long before that.

Receipt codes: a code is 100 random bits, so guessing one is hopeless; still, wrong
codes are counted per browser session, per address and overall, and every lookup of
one code is counted, so nobody can try codes, or read one code's page, without end.
While the overall count of wrong codes is over its ceiling every lookup waits, the
right code too: otherwise an answer would still tell a right guess from a wrong one.
"""

import math
import secrets
import time

from flask import current_app, render_template, request, session
from limits import (
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    parse,
    strategies,
)

from rj import db

SESSION_KEY = "public_browser"

WRONG_CODES_PER_SESSION = RateLimitItemPerMinute(10, 15)
WRONG_CODES_PER_ADDRESS = RateLimitItemPerMinute(50, 15)
WRONG_CODES_OVERALL = RateLimitItemPerHour(600)
LOOKUPS_PER_CODE = RateLimitItemPerHour(60)


def _limiter():
    ext = current_app.extensions
    if "mend_public_limits" not in ext:  # the storage is opened with the app (rj.throttle)
        ext["mend_public_limits"] = strategies.MovingWindowRateLimiter(ext["mend_rate_storage"])
    return ext["mend_public_limits"]


def _enabled():
    return current_app.config["THROTTLE_ENABLED"]


def browser():
    """A random id for this browser's session, to count what it sends (never a person)."""
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_hex(16)
    return session[SESSION_KEY]


def _wait(checks):
    """Seconds until every one of ``checks`` ((item, keys), ...) allows one more; 0 now."""
    limiter = _limiter()
    waits = []
    for item, keys in checks:
        if not limiter.test(item, *keys):
            reset_at = limiter.get_window_stats(item, *keys).reset_time
            waits.append(max(1, math.ceil(reset_at - time.time())))
    return max(waits, default=0)


def _hit(checks):
    limiter = _limiter()
    for item, keys in checks:
        limiter.hit(item, *keys)


# --- Raising a concern -----------------------------------------------------------


def _concern_checks():
    config = current_app.config
    return (
        (parse(config["PUBLIC_CONCERNS_PER_ADDRESS"]), ("concern-addr", request.remote_addr)),
        (parse(config["PUBLIC_CONCERNS_PER_SESSION"]), ("concern-browser", browser())),
        (parse(config["PUBLIC_CONCERNS_OVERALL"]), ("concern-all",)),
    )


def concern_wait():
    """Seconds before this browser may raise another concern; 0 when it may now."""
    return _wait(_concern_checks()) if _enabled() else 0


def concern_raised():
    if _enabled():
        _hit(_concern_checks())


def _refusals(address):
    return parse(current_app.config["PUBLIC_CONCERNS_PER_ADDRESS"]), ("concern-refused", address)


def concern_refused():
    """Count a concern refused for its limits, against the address it came from."""
    if _enabled():
        _hit((_refusals(request.remote_addr),))


def flooding(address):
    """Seconds until ``address`` stops being treated as a flood; 0 when it is not one."""
    return _wait((_refusals(address),)) if _enabled() else 0


class FloodGate:
    """WSGI middleware in front of the app: requests for the public form from an address
    that is ``flooding`` get 429 and a page rendered once per process, without a session,
    a form, a template or a database query. It sits inside ProxyFix, so the address is
    the one the app sees."""

    PATH = "/concerns/new"

    def __init__(self, app, content_security_policy):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.policy = "; ".join(f"{k} {v}" for k, v in content_security_policy.items())
        self.page = None

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == self.PATH:
            with self.app.app_context():
                wait = flooding(environ.get("REMOTE_ADDR"))
                if wait:
                    start_response("429 Too Many Requests", self._headers(wait))
                    return [self._page()]
        return self.wsgi_app(environ, start_response)

    def _page(self):
        if self.page is None:
            with self.app.test_request_context(self.PATH), db.connected():
                self.page = render_template("public/flooded.html").encode()
        return self.page

    def _headers(self, wait):
        return [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(self._page()))),
            ("Retry-After", str(wait)),
            ("Cache-Control", "no-store"),
            ("Content-Security-Policy", self.policy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
        ]


# --- Receipt codes -------------------------------------------------------------------


def _wrong_code_checks():
    return (
        (WRONG_CODES_PER_SESSION, ("receipt-browser", browser())),
        (WRONG_CODES_PER_ADDRESS, ("receipt-addr", request.remote_addr)),
        (WRONG_CODES_OVERALL, ("receipt-all",)),
    )


def lookup_wait(code_hash):
    """Seconds before this browser may look up a code (this one); 0 when it may now."""
    if not _enabled():
        return 0
    return _wait((*_wrong_code_checks(), (LOOKUPS_PER_CODE, ("receipt-code", code_hash))))


def looked_up(code_hash, found):
    """Count a lookup: every lookup of the code, and a wrong one everywhere."""
    if not _enabled():
        return
    _hit(((LOOKUPS_PER_CODE, ("receipt-code", code_hash)),))
    if not found:
        _hit(_wrong_code_checks())
