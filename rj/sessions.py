"""Sign-in sessions, kept on the server: each sign-in is a row (its random token in the
signed cookie, only the token's SHA-256 in the database), so signing out, "sign out
everywhere else", deactivation and a password change end sessions for real; a cookie
saved before cannot come back. Idle and absolute limits, the steps an account must take
before anything else (choose a password, turn on two-factor sign-in), no caching.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from rj import policy, twofactor
from rj.clock import utcnow
from rj.db import write_tx
from rj.models import User, UserSession

# Sent by the board's background poll: it must not keep an idle session alive.
BACKGROUND_HEADER = "X-Mend-Background"
# Roles often signed in on a shared computer or phone: they time out sooner.
SHARED_DEVICE_ROLES = ("participant", "representative")
# How often a session's "last seen" is written (not on every request).
SEEN_EVERY = timedelta(minutes=1)
# The name of a session field, not a secret.
TOKEN_KEY = "sid"  # noqa: S105  # nosec B105


def init_app(app, login_manager):
    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session does this job
    login_manager.login_view = "auth.signin"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.localize_callback = str  # Flask-Login flashes a str, never a lazy string
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)

    app.before_request(enforce_limits)
    app.before_request(enforce_account_steps)
    app.before_request(policy.enforce_declared_rule)
    app.after_request(no_store)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def load_user(user_id_and_epoch):
    """The user of this request's session row: one query, the session and its user."""
    token = session.get(TOKEN_KEY)
    if not token or not isinstance(token, str):
        return None
    row = (
        UserSession.select(UserSession, User)
        .join(User)
        .where((UserSession.token_hash == _digest(token)) & UserSession.ended_at.is_null())
        .first()
    )
    if row is None:
        return None
    user = row.user
    # A bumped epoch (a change to the account) ends every session of it.
    if user.get_id() != user_id_and_epoch or not user.is_active:
        return None
    g.mend_session = row
    return user


def current_session():
    """This request's session row (after the user was loaded), or None."""
    return g.get("mend_session") if current_user.is_authenticated else None


def unauthorized():
    if request.htmx:
        response = current_app.response_class(
            _("Your session has ended. Please sign in again."), 401
        )
        response.headers["HX-Trigger"] = "session-ended"
        return response
    flash(_("Please sign in to continue."), "info")
    return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))


def begin(user):
    """Start a fresh session for ``user`` (nothing carried over from before sign-in)."""
    token = secrets.token_urlsafe(32)
    with write_tx():
        UserSession.create(
            token_hash=_digest(token),
            user=user,
            browser=(request.user_agent.string or "")[:200],
            address=(request.remote_addr or "")[:64],
        )
    session.clear()
    login_user(user)
    now = utcnow().timestamp()
    session[TOKEN_KEY] = token
    session["signed_in_at"] = now
    session["seen_at"] = now
    session.permanent = False


def _end_rows(query, why):
    return (
        UserSession.update(ended_at=utcnow(), ended_why=why)
        .where(query & UserSession.ended_at.is_null())
        .execute()
    )


def end(why="signed out"):
    """End this browser's session, on the server and in the cookie."""
    token = session.get(TOKEN_KEY)
    if isinstance(token, str):
        with write_tx():
            _end_rows(UserSession.token_hash == _digest(token), why)
    logout_user()
    session.clear()


def end_one(user, session_id, why):
    """End one of ``user``'s sessions by its id; False when there is none such open."""
    with write_tx():
        return bool(_end_rows((UserSession.id == session_id) & (UserSession.user == user.id), why))


def end_all(user, why, keep=None):
    """End every session of ``user`` but ``keep`` (a session row); returns how many."""
    query = UserSession.user == user.id
    if keep is not None:
        query &= UserSession.id != keep.id
    with write_tx():
        return _end_rows(query, why)


def open_sessions(user):
    """``user``'s signed-in browsers, the most recently seen first."""
    return list(
        UserSession.select()
        .where((UserSession.user == user.id) & UserSession.ended_at.is_null())
        .order_by(UserSession.last_seen_at.desc())
    )


def idle_limit(user):
    cfg = current_app.config
    minutes = (
        cfg["SHARED_DEVICE_IDLE_MINUTES"]
        if user.role in SHARED_DEVICE_ROLES
        else cfg["SESSION_IDLE_MINUTES"]
    )
    return timedelta(minutes=minutes).total_seconds()


def enforce_limits():
    """End sessions past their idle or absolute limit; renew the idle timer on real activity."""
    if request.endpoint == "static" or TOKEN_KEY not in session:
        return
    if not current_user.is_authenticated:
        # Ended elsewhere (signed out, everywhere else, deactivated, password changed).
        logout_user()
        session.clear()
        return
    now = utcnow().timestamp()
    lifetime = timedelta(hours=current_app.config["SESSION_MAX_HOURS"]).total_seconds()
    if (
        now - session.get("seen_at", 0) > idle_limit(current_user)
        or now - session.get("signed_in_at", 0) > lifetime
    ):
        end("timed out")
        g.session_expired = True
        flash(_("You were signed out after a period of inactivity."), "info")
        return
    if request.headers.get(BACKGROUND_HEADER):
        return
    session["seen_at"] = now
    row = current_session()
    if row is not None and utcnow() - row.last_seen_at > SEEN_EVERY:
        with write_tx():
            UserSession.update(last_seen_at=utcnow()).where(UserSession.id == row.id).execute()


# The steps an account must take before anything else, and the pages each leaves open.
STEPS = (
    (
        lambda user: user.must_change_password,
        "auth.change_password",
        _l("Please choose a new password before you go on."),
    ),
    (
        twofactor.must_enrol,
        "account.two_factor",
        _l("Please turn on two-factor sign-in before you go on: your role needs it."),
    ),
)
ALWAYS_OPEN = {"auth.signout", "auth.leave", "static"}


def enforce_account_steps():
    """After a one-time code, every page but choosing a password waits; a role that needs
    two-factor sign-in waits for it to be turned on. htmx requests get the session-ended
    answer, so nothing of any case is served meanwhile."""
    if not current_user.is_authenticated or request.endpoint in ALWAYS_OPEN:
        return None
    for needed, endpoint, message in STEPS:
        if needed(current_user):
            if request.endpoint == endpoint:
                return None
            if request.htmx:
                return unauthorized()
            flash(str(message), "info")
            return redirect(url_for(endpoint))
    return None


def no_store(response):
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Vary", "Cookie")
    return response
