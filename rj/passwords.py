"""Password hashing (Argon2id via argon2-cffi) and the rules for new passwords."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 256

# 30,000 most common passwords from leaked password dumps, as shipped by zxcvbn.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def _hasher():
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """True when the password matches. Always spends the time of one verification."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def _dummy_hash():
    # Verified against for unknown usernames, so they take as long as real ones.
    ext = current_app.extensions
    if "mend_dummy_hash" not in ext:
        ext["mend_dummy_hash"] = hash_password(secrets.token_urlsafe(16))
    return ext["mend_dummy_hash"]


def problem_with(password, username=""):
    """Why a new password is refused, or None. Length and commonness only: no composition rules."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(min)s characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(max)s characters.", max=MAX_LENGTH)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or lowered.strip("0123456789!. ") in COMMON_PASSWORDS:
        return _("That password is on a list of commonly used passwords. Choose another.")
    if username and lowered == username.lower():
        return _("Your password cannot be your username.")
    return None


def one_time_code():
    """A reset code shown once; long enough to resist guessing, easy to read aloud."""
    return "-".join(secrets.token_hex(3) for _ in range(4))
