"""Sign-in throttling, on the `limits` library (the engine of Flask-Limiter), that never
becomes a weapon against a whole room.

Failures only are counted (passwords, two-factor codes, set-up codes), so people
sharing one address at a drop-in are not locked out by each other's sign-ins:

- per (username, address): after 5 failures within 30 s, wait 30 s;
- per username: after 20 failures within 15 minutes, refused for up to 15 minutes;
- per address: a high ceiling of 100 failures within 15 minutes.

A browser that signed in as a username before carries a device cookie for it (OWASP's
"device cookies"): its failures for that username are counted on the cookie alone
(5 within 15 minutes), not on the username's or the address's counters, so someone
guessing from elsewhere cannot lock the owner out of their own browser. The cookie
only counts failures; it never signs anyone in.

An unknown username is counted and answered exactly like a real one.
"""

import math
import secrets
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItemPerMinute, RateLimitItemPerSecond, storage, strategies

from rj.models import username_key

PAIR = RateLimitItemPerSecond(5, 30)
ACCOUNT = RateLimitItemPerMinute(20, 15)
ADDRESS = RateLimitItemPerMinute(100, 15)
DEVICE = RateLimitItemPerMinute(5, 15)

DEVICE_COOKIE = "mend_device"
DEVICE_DAYS = 180
DEVICES_KEPT = 5  # usernames one browser keeps a device cookie for


MESSAGES = {
    "device": _l("Too many failed sign-ins from this browser; try again in %(wait)s."),
    "pair": _l("Too many failed sign-ins for this username here; try again in %(wait)s."),
    "account": _l("Too many failed sign-ins for this account; try again in %(wait)s."),
    "network": _l("Too many failed sign-ins from this network; try again in %(wait)s."),
}


@dataclass(frozen=True)
class Limited:
    """What is limited and for how long."""

    seconds: int
    what: str  # "device", "pair", "account" or "network"

    @property
    def message(self):
        if self.seconds < 90:
            wait = ngettext("%(num)s second", "%(num)s seconds", self.seconds)
        else:
            wait = ngettext("%(num)s minute", "%(num)s minutes", math.ceil(self.seconds / 60))
        return str(MESSAGES[self.what]) % {"wait": wait}


def init_app(app):
    """Open the counters' storage once, as the app is made: its library (redis) is then
    imported before any request, so no two threads race to import it on first use. The
    sign-in throttle and the public limits (rj/public_limits.py) share it."""
    store = storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["mend_throttle"] = strategies.MovingWindowRateLimiter(store)


def limiter():
    """The app's one moving-window limiter: sign-ins and the public limits count in it."""
    return current_app.extensions["mend_throttle"]


def seconds_left(item, *keys):
    """Seconds before ``item`` allows one more for ``keys``; 0 when it does now."""
    if limiter().test(item, *keys):
        return 0
    reset_at = limiter().get_window_stats(item, *keys).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def _checks(username, address, device):
    name = username_key(username)
    if device:
        return (("device", DEVICE, ("signin-device", device)),)
    return (
        ("pair", PAIR, ("signin-pair", name, address)),
        ("account", ACCOUNT, ("signin-user", name)),
        ("network", ADDRESS, ("signin-addr", address)),
    )


def limited(username, address, device=None):
    """What keeps this username (from this address, or with this device cookie) from
    trying now, or None when it may try."""
    if not current_app.config["THROTTLE_ENABLED"]:
        return None
    found = []
    for what, item, keys in _checks(username, address, device):
        seconds = seconds_left(item, *keys)
        if seconds:
            found.append(Limited(seconds, what))
    return max(found, key=lambda limit: limit.seconds, default=None)


def wait_seconds(username, address, device=None):
    """Seconds before this (username, address) may try again; 0 when it may try now."""
    limit = limited(username, address, device)
    return limit.seconds if limit else 0


def record_failure(username, address, device=None):
    if not current_app.config["THROTTLE_ENABLED"]:
        return
    for _, item, keys in _checks(username, address, device):
        limiter().hit(item, *keys)


def is_per_process():
    """Whether each process counts alone, in its own memory (``memory://``): then no other
    process, ``mend unlock`` included, can see or clear a running server's counts."""
    return current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")


def clear(username):
    """Lift the per-username lock (``mend unlock``); per-pair counts expire in 30 s anyway."""
    limiter().clear(ACCOUNT, "signin-user", username_key(username))


# --- Device cookies ----------------------------------------------------------------------


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mend-device-cookie")


def _devices():
    """The (username key, nonce) pairs this browser's device cookie holds."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        pairs = _serializer().loads(raw)
    except BadSignature:
        return []
    return [tuple(p) for p in pairs if isinstance(p, list) and len(p) == 2][:DEVICES_KEPT]


def device_for(username):
    """This browser's device nonce for ``username``, when it signed in as them before."""
    key = username_key(username or "")
    return next((nonce for name, nonce in _devices() if name == key), None)


def remember_device(response, username):
    """After a successful sign-in: a device cookie for ``username`` in this browser."""
    key = username_key(username)
    pairs = [(name, nonce) for name, nonce in _devices() if name != key]
    pairs.insert(0, (key, secrets.token_urlsafe(16)))
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps([list(p) for p in pairs[:DEVICES_KEPT]]),
        max_age=DEVICE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        path="/",
    )
    return response
