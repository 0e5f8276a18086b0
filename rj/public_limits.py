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

import secrets
import time

from flask import current_app, render_template, request, session
from limits import (
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    parse,
)

from rj import concerns, db, throttle

SESSION_KEY = "public_browser"

WRONG_CODES_PER_SESSION = RateLimitItemPerMinute(10, 15)
WRONG_CODES_PER_ADDRESS = RateLimitItemPerMinute(50, 15)
WRONG_CODES_OVERALL = RateLimitItemPerHour(600)
LOOKUPS_PER_CODE = RateLimitItemPerHour(60)


def _enabled():
    return current_app.config["THROTTLE_ENABLED"]


def browser():
    """A random id for this browser's session, to count what it sends (never a person)."""
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_hex(16)
    return session[SESSION_KEY]


def _wait(checks):
    """Seconds until every one of ``checks`` ((item, keys), ...) allows one more; 0 now."""
    return max((throttle.seconds_left(item, *keys) for item, keys in checks), default=0)


def _hit(checks):
    for item, keys in checks:
        throttle.limiter().hit(item, *keys)


# --- Raising a concern -----------------------------------------------------------


def _concern_checks():
    config = current_app.config
    return (
        _per_address(request.remote_addr),
        (parse(config["PUBLIC_CONCERNS_PER_SESSION"]), ("concern-browser", browser())),
        (parse(config["PUBLIC_CONCERNS_OVERALL"]), ("concern-all",)),
    )


def concern_wait():
    """Seconds before this browser may raise another concern; 0 when it may now."""
    return _wait(_concern_checks()) if _enabled() else 0


def concern_raised():
    if _enabled():
        _hit(_concern_checks())


def _per_address(address):
    return parse(current_app.config["PUBLIC_CONCERNS_PER_ADDRESS"]), ("concern-addr", address)


def _refusals(address):
    return parse(current_app.config["PUBLIC_CONCERNS_PER_ADDRESS"]), ("concern-refused", address)


def concern_refused():
    """Count a refusal against its address, when the address had used up its own limit:
    a browser's or the overall ceiling is not the address's doing, and must not close
    the form to everyone sharing it."""
    address = request.remote_addr
    item, keys = _per_address(address)
    if _enabled() and not throttle.limiter().test(item, *keys):
        _hit((_refusals(address),))


def flooding(address):
    """Seconds until ``address`` stops being treated as a flood; 0 when it is not one."""
    return _wait((_refusals(address),)) if _enabled() else 0


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


# --- The flood gate ---------------------------------------------------------------------


class FloodGate:
    """WSGI middleware in front of the app: requests for the public form from an address
    that is ``flooding`` get 429 and a page made at most once a minute, without a session,
    a form or a database query. It sits inside ProxyFix, so the address is the one the
    app sees. The page and its headers come from the app itself (its security headers
    included, less any cookie), per scheme; while filing is switched off, or when the
    limits' storage cannot be read, requests go on to the app as usual."""

    PATH = "/concerns/new"
    FRESH_SECONDS = 60
    DROPPED = {"set-cookie", "content-length"}

    def __init__(self, app):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.made = {}  # scheme -> (made at, filing open, body, headers)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == self.PATH:
            try:
                answer = self._answer(environ)
            except Exception:  # the app's own limits say what is wrong, on its error page
                self.app.logger.exception("The flood gate could not read its limits.")
                answer = None
            if answer:
                start_response("429 Too Many Requests", answer[1])
                return [answer[0]]
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ):
        with self.app.app_context():
            wait = flooding(environ.get("REMOTE_ADDR"))
            if not wait:
                return None
            _, filing_open, body, headers = self._made(environ.get("wsgi.url_scheme"))
        if not filing_open:
            return None
        return body, [*headers, ("Content-Length", str(len(body))), ("Retry-After", str(wait))]

    def _made(self, scheme):
        scheme = "https" if scheme == "https" else "http"
        made = self.made.get(scheme)
        if made is None or time.monotonic() - made[0] > self.FRESH_SECONDS:
            made = self.made[scheme] = self._make(scheme)
        return made

    def _make(self, scheme):
        base = f"{scheme}://{self.app.config.get('SERVER_NAME') or 'localhost'}"
        with self.app.test_request_context(self.PATH, base_url=base), db.connected():
            filing_open = concerns.public_filing_open()
            response = self.app.make_response((render_template("public/flooded.html"), 429))
            response = self.app.process_response(response)
            body = response.get_data()
        headers = [(k, v) for k, v in response.headers if k.lower() not in self.DROPPED]
        return time.monotonic(), filing_open, body, headers
