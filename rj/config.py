"""Settings: defaults here, then instance/config.py, then environment variables.

Anything an organisation may want to change without touching code lives here.
"""

import os


class Defaults:
    # Accounts and sessions
    SESSION_IDLE_MINUTES = 30
    # Participants and representatives often share a computer or phone: sooner.
    SHARED_DEVICE_IDLE_MINUTES = 10
    # A one-time set-up code (new account, lost password) and a case code work this long.
    SETUP_CODE_DAYS = 7
    # Roles that must sign in with a second factor (never on a demo database).
    TWO_FACTOR_ROLES = ["admin", "facilitator"]
    SESSION_MAX_HOURS = 12
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "mend_session"
    # Set MEND_HTTPS=1 when served behind an HTTPS reverse proxy: secure, __Host- cookie, HSTS.
    HTTPS = False
    TRUSTED_PROXIES = 0

    # Argon2id parameters (argon2-cffi's RFC 9106 "low memory" profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Sign-in throttling (see rj/throttle.py) and the public pages' limits.
    THROTTLE_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"

    # CSRF tokens live as long as the session, which has its own limits.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True

    # Uploads: stored outside rj/static/, served only after the access check.
    UPLOAD_FOLDER = None  # default: instance/files/
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_TYPES = ["image/jpeg", "image/png", "application/pdf", "text/plain"]
    # Larger images are refused from their header, before decoding: a few hundred kilobytes
    # of PNG can declare gigabytes of pixels. 24 megapixels is a 6000 x 4000 photo.
    UPLOAD_MAX_PIXELS = 24_000_000
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # a whole request: the file and the form around it

    # Responses are compressed; small ones are not worth it.
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/javascript", "application/json"]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_ALGORITHM = ["gzip"]
    COMPRESS_LEVEL = 3  # a board is ~150 KB of HTML: level 3 is twice as fast as 6, ~20% larger

    # The shared tablet signs itself out after this long without a touch.
    TABLET_IDLE_MINUTES = 5

    # How often an open board asks whether anything changed (a 304 when nothing did).
    BOARD_POLL_SECONDS = 10

    # The organisation's time zone and locale: every date and time is shown in them, in
    # one format (rj/i18n.py).
    TIMEZONE = "UTC"
    LOCALE = "en_GB"
    DATABASE_URL = None

    # The address people reach Mend at (MEND_PUBLIC_URL), e.g. https://mend.example.org:
    # the poster's QR code and printed slips point there. Unset, a slip cannot be printed,
    # and the poster uses the address of the request that printed it.
    PUBLIC_URL = None

    # Concerns raised publicly (rj/public_limits.py, with the same storage as the sign-in
    # throttle): a room of people sharing one address can live with the first, one browser
    # sends a few, and a flood stops at the last.
    PUBLIC_CONCERNS_PER_ADDRESS = "30 per hour"
    PUBLIC_CONCERNS_PER_SESSION = "5 per hour"
    PUBLIC_CONCERNS_OVERALL = "200 per hour"

    # The key of the audit chain and of redaction digests (rj/audit.py): kept outside the
    # database, and away from its backups. Generated into instance/audit_key on SQLite;
    # required (MEND_AUDIT_KEY) on PostgreSQL.
    AUDIT_KEY = None

    # Backups are encrypted with a key derived from this passphrase (rj/backups.py); keep a
    # copy of it away from the server and the backups. `mend backup` refuses without one.
    BACKUP_PASSPHRASE = None

    # Closed cases are purged this many years after closing (`mend purge`, rj/retention.py);
    # None keeps them for ever.
    RETENTION_YEARS = None


# Environment variables that are read without the MEND_ prefix, as operators expect.
PLAIN_ENV = ("SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI")
# MEND_ settings taken as the exact text given, never parsed as JSON (a key could look like
# a number).
VERBATIM_ENV = ("AUDIT_KEY", "BACKUP_PASSPHRASE")


def env_name(setting):
    """The environment variable that sets ``setting``."""
    return setting if setting in PLAIN_ENV else f"MEND_{setting}"


def load(app, overrides=None):
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for name in PLAIN_ENV:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("MEND")
    for name in VERBATIM_ENV:
        if os.environ.get(env_name(name)):
            app.config[name] = os.environ[env_name(name)]
    if overrides:
        app.config.update(overrides)
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-mend_session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["PREFERRED_URL_SCHEME"] = "https"
