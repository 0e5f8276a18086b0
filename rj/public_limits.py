"""Limits of the public pages, on the `limits` library (like the sign-in throttle).

Raising a concern: per address a high limit (people at a drop-in share one), per
browser session a lower one, and an overall ceiling per hour, so a flood stops
before it fills the board (settings ``PUBLIC_CONCERNS_*``).

Receipt codes: a code is 100 random bits, so guessing one is hopeless; still, wrong
codes are counted per browser session, per address and overall, and every lookup of
one code is counted, so nobody can try codes, or read one code's page, without end.
While the overall count of wrong codes is over its ceiling every lookup waits, the
right code too: otherwise an answer would still tell a right guess from a wrong one.
"""

import math
import secrets
import time

from flask import current_app, request, session
from limits import (
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    parse,
    strategies,
)

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
