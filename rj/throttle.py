"""Sign-in throttling, on the `limits` library (the engine of Flask-Limiter).

Failures only are counted, so people sharing one address at a drop-in are not
locked out by each other's successful sign-ins:

- per (username, address): after 5 failures within 30 s, wait 30 s;
- per username: after 20 failures within 15 minutes, refused for up to 15 minutes;
- per address: a high ceiling of 100 failures within 15 minutes.

An unknown username is counted and answered exactly like a real one.
"""

import math
import time

from flask import current_app
from limits import RateLimitItemPerMinute, RateLimitItemPerSecond, storage, strategies

PAIR = RateLimitItemPerSecond(5, 30)
ACCOUNT = RateLimitItemPerMinute(20, 15)
ADDRESS = RateLimitItemPerMinute(100, 15)


def _limiter():
    ext = current_app.extensions
    if "mend_throttle" not in ext:
        store = storage.storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        ext["mend_throttle"] = strategies.MovingWindowRateLimiter(store)
    return ext["mend_throttle"]


def _checks(username, address):
    name = username.strip().lower()
    return (
        (PAIR, ("signin-pair", name, address)),
        (ACCOUNT, ("signin-user", name)),
        (ADDRESS, ("signin-addr", address)),
    )


def wait_seconds(username, address):
    """Seconds before this (username, address) may try again; 0 when it may try now."""
    if not current_app.config["THROTTLE_ENABLED"]:
        return 0
    limiter = _limiter()
    waits = []
    for item, keys in _checks(username, address):
        if not limiter.test(item, *keys):
            reset_at = limiter.get_window_stats(item, *keys).reset_time
            waits.append(max(1, math.ceil(reset_at - time.time())))
    return max(waits, default=0)


def record_failure(username, address):
    if not current_app.config["THROTTLE_ENABLED"]:
        return
    limiter = _limiter()
    for item, keys in _checks(username, address):
        limiter.hit(item, *keys)


def is_per_process():
    """Whether each process counts alone, in its own memory (``memory://``): then no other
    process, ``mend unlock`` included, can see or clear a running server's counts."""
    return current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")


def clear(username):
    """Lift the per-username lock (``mend unlock``); per-pair counts expire in 30 s anyway."""
    _limiter().clear(ACCOUNT, "signin-user", username.strip().lower())
