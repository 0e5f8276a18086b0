"""Two-factor sign-in: time-based one-time codes (TOTP, RFC 6238, with pyotp) and
single-use recovery codes. The checks live here; turning it on or off for an account
is an account change (rj/accounts.py).

A code works once: the time step of the last accepted code is kept, and a code from
that step or an earlier one is refused. Recovery codes are random (80 bits) and kept
as SHA-256 hashes only.
"""

import hashlib
import io
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from flask import current_app

from rj import settings

ISSUER = "Mend"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def required(user):
    """Must this account sign in with a second factor? By default admins and facilitators
    (``TWO_FACTOR_ROLES``); never on a demo database, always on a real one."""
    return user.role in current_app.config["TWO_FACTOR_ROLES"] and not settings.is_demo()


def enabled(user):
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def must_enrol(user):
    """Asked on every request of staff: an enrolled account answers without a query."""
    return not enabled(user) and required(user)


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(text, scale=5):
    """``text`` as a QR code, an SVG element to put in the page (no image service)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=scale, xmldecl=False, svgns=True, nl=False, border=2
    )
    return out.getvalue().decode()


def matching_step(secret, code, after=None):
    """The time step ``code`` belongs to (this one, or one either side for a slow clock),
    when it is right and later than ``after``; else None."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and secrets.compare_digest(
            totp.generate_otp(step), code
        ):
            return step
    return None


def recovery_digest(code):
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code):
    return "".join((code or "").lower().split()).replace("-", "")


def new_recovery_codes():
    """Ten codes to show once, written xxxx-xxxx-xxxx-xxxx."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes
