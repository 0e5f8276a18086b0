"""Sign-in sessions: loading the user, idle and absolute limits, no caching of pages."""

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from peewee import DoesNotExist

from rj import policy
from rj.clock import utcnow
from rj.models import User

# Sent by the board's background poll: it must not keep an idle session alive.
BACKGROUND_HEADER = "X-Mend-Background"


def init_app(app, login_manager):
    login_manager.init_app(app)
    login_manager.session_protection = None  # the session epoch and limits below do this job
    login_manager.login_view = "auth.signin"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)

    app.before_request(enforce_limits)
    app.before_request(enforce_password_choice)
    app.before_request(policy.enforce_declared_rule)
    app.after_request(no_store)


def load_user(session_id):
    try:
        user_id, epoch = (int(part) for part in session_id.split(":"))
        user = User.get_by_id(user_id)
    except (ValueError, DoesNotExist):
        return None
    # A bumped epoch (password change, deactivation) ends this session.
    if user.session_epoch != epoch or not user.is_active:
        return None
    return user


def unauthorized():
    if request.htmx:
        response = current_app.response_class("Your session has ended. Please sign in again.", 401)
        response.headers["HX-Trigger"] = "session-ended"
        return response
    flash("Please sign in to continue.", "info")
    return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))


def begin(user):
    """Start a fresh session for ``user`` (nothing carried over from before sign-in)."""
    session.clear()
    login_user(user)
    now = utcnow().timestamp()
    session["signed_in_at"] = now
    session["seen_at"] = now
    session.permanent = False


def end():
    logout_user()
    session.clear()


def enforce_limits():
    """End sessions past their idle or absolute limit; renew the idle timer on real activity."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    now = utcnow().timestamp()
    cfg = current_app.config
    idle = timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]).total_seconds()
    lifetime = timedelta(hours=cfg["SESSION_MAX_HOURS"]).total_seconds()
    signed_in_at = session.get("signed_in_at", 0)
    seen_at = session.get("seen_at", 0)
    if now - seen_at > idle or now - signed_in_at > lifetime:
        end()
        g.session_expired = True
        flash("You were signed out after a period of inactivity.", "info")
        return
    if not current_user.is_authenticated:
        # Deactivated, or the password changed elsewhere.
        end()
        return
    if not request.headers.get(BACKGROUND_HEADER):
        session["seen_at"] = now


# What a session that signed in with a one-time code may open until a password is chosen.
PASSWORD_CHOICE_ENDPOINTS = {"auth.change_password", "auth.signout", "static"}


def enforce_password_choice():
    """After a one-time code, every page but choosing a password and signing out waits."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.endpoint in PASSWORD_CHOICE_ENDPOINTS:
        return None
    if request.htmx:
        return unauthorized()
    flash("Please choose a new password before you go on.", "info")
    return redirect(url_for("auth.change_password"))


def no_store(response):
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Vary", "Cookie")
    return response
