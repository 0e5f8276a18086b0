"""gunicorn's settings for serving Mend for real: `make serve`, and the systemd unit beside
this file. Put an HTTPS reverse proxy in front (Caddyfile or nginx.conf beside this file).

MEND_BIND, MEND_WORKERS and MEND_THREADS change the address and the number of
processes and threads; everything else about Mend comes from its own settings
(rj/config.py, instance/config.py, MEND_* variables).
"""

import os

# The reverse proxy reaches Mend here; nothing else should.
bind = os.environ.get("MEND_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MEND_WORKERS", "2"))
# Threads per worker: a board's poll or a tablet's autosave does not wait behind an upload.
worker_class = "gthread"
threads = int(os.environ.get("MEND_THREADS", "4"))

# The app is loaded once, before the workers start: a setting that is wrong stops
# gunicorn at once with the reason, and a worker that dies restarts in a moment.
preload_app = True
# A request that takes longer is ended and its worker restarted; the largest upload
# (12 MB, ten 24-megapixel images) takes about 6 s on a small server.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so that memory held by one large upload is given back.
max_requests = 2000
max_requests_jitter = 200

# The access log says what was asked and how it went, never who asked or what they
# searched for: no client address (people raising a concern anonymously must not be
# traced), no query string (the board's search), no cookies, no referrer, no user agent.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"

# Sign-in failures are counted where RATELIMIT_STORAGE_URI says. In memory, each worker
# would count alone, and a locked account would be unlocked by asking the other one.
MEMORY_STORAGE = "memory://"


def refusal(app_config, worker_count):
    """Why Mend must not start with ``worker_count`` workers and these settings, or None."""
    storage = app_config.get("RATELIMIT_STORAGE_URI") or MEMORY_STORAGE
    throttled = app_config.get("THROTTLE_ENABLED", True)
    if worker_count > 1 and throttled and storage.startswith(MEMORY_STORAGE):
        return (
            f"Mend will not start {worker_count} workers while sign-in failures are counted "
            f"in memory (RATELIMIT_STORAGE_URI is {storage!r}): each worker would count "
            "alone. Set RATELIMIT_STORAGE_URI to a Redis server every worker shares "
            "(e.g. redis://127.0.0.1:6379/0), or serve with one worker (MEND_WORKERS=1)."
        )
    return None


def storage_problem(app_config):
    """Open the sign-in counters' storage once, before any worker starts, and say why it
    cannot be used, or None. Its library is imported on first use: opened here, no two
    threads of a worker race to import it (one would see it half loaded)."""
    from limits.errors import ConfigurationError
    from limits.storage import storage_from_string

    uri = app_config.get("RATELIMIT_STORAGE_URI") or MEMORY_STORAGE
    if not app_config.get("THROTTLE_ENABLED", True):
        return None
    try:
        answers = storage_from_string(uri).check()
    except (ConfigurationError, ValueError) as exc:
        return f"RATELIMIT_STORAGE_URI {uri!r} cannot be used: {exc}"
    if not answers:
        return (
            f"The sign-in counters' storage at {uri!r} does not answer: start it (e.g. "
            "`systemctl start redis-server`), or correct RATELIMIT_STORAGE_URI."
        )
    return None


def on_starting(server):
    app = server.app.wsgi()  # loaded already (preload_app)
    problem = refusal(app.config, server.cfg.workers) or storage_problem(app.config)
    if problem:
        raise RuntimeError(problem)
