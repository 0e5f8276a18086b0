"""Signing in (with a second factor where the account has one), signing out, leaving
quickly, and changing one's own password."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from rj import accounts, passwords, policy, sessions, throttle, twofactor
from rj.clock import utcnow
from rj.forms.auth import ChangePasswordForm, SecondFactorForm, SetPasswordForm, SignInForm
from rj.models import User

bp = Blueprint("auth", __name__)

WRONG = _l("That username and password do not match an active account.")
EXPIRED = _l("This set-up code has expired: ask a coordinator for a new one.")
PENDING = "mend_second_factor"  # the user between their password and their code
PENDING_SECONDS = 300


def _safe_next(target):
    """Only same-site paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _address():
    return request.remote_addr or "unknown"


@bp.route("/signin", methods=["GET", "POST"])
@policy.public
def signin():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(policy.landing_endpoint(current_user)))
    form = SignInForm()
    error, status = None, 200
    if request.method == "POST":
        username = (form.username.data or "").strip()
        device = throttle.device_for(username)
        limit = throttle.limited(username, _address(), device)
        if limit:
            error, status = limit.message, 429
        elif form.validate_on_submit():
            user = User.named(username)
            ok = passwords.verify_password(user.password_hash if user else None, form.password.data)
            if ok and user.is_active and accounts.code_expired(user):
                error, status = str(EXPIRED), 422
            elif ok and user.is_active:
                return _password_accepted(user, form.password.data)
            else:
                throttle.record_failure(username, _address(), device)
                error = str(WRONG)
        else:
            status = 422
    return render_template("auth/signin.html", form=form, error=error), status


def _password_accepted(user, password):
    """The password (or set-up code) was right: ask for the second factor, or sign in."""
    target = _safe_next(request.args.get("next"))
    if twofactor.enabled(user):
        session.clear()
        session[PENDING] = {
            "user": user.id,
            "epoch": user.session_epoch,
            "at": utcnow().timestamp(),
            "next": target,
        }
        return redirect(url_for("auth.second_factor"))
    return _signed_in(accounts.signed_in(user, password), target)


def _signed_in(user, target, notice=None):
    sessions.begin(user)  # a fresh session: flash what it should say after this
    if notice:
        flash(notice, "info")
    if user.must_change_password:
        flash(_("Please choose a new password before you go on."), "info")
        response = redirect(url_for("auth.change_password"))
    else:
        response = redirect(target or url_for(policy.landing_endpoint(user)))
    return throttle.remember_device(response, user.username)


def _pending_user():
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, None
    if utcnow().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None, None
    user = User.get_or_none(User.id == pending.get("user"))
    if user is None or not user.is_active or user.session_epoch != pending.get("epoch"):
        return None, None
    return user, pending


@bp.route("/signin/code", methods=["GET", "POST"])
@policy.public
def second_factor():
    """The second step of signing in: the code from the app, or a recovery code."""
    user, pending = _pending_user()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.signin"))
    form = SecondFactorForm()
    error, status = None, 200
    if form.is_submitted():
        device = throttle.device_for(user.username)
        limit = throttle.limited(user.username, _address(), device)
        if limit:
            error, status = limit.message, 429
        elif form.validate():
            used = accounts.second_factor(user, form.code.data)
            if used:
                session.pop(PENDING, None)
                notice = None
                if used == "recovery":
                    left = accounts.recovery_codes_left(user)
                    notice = ngettext(
                        "Recovery code used: %(num)s left. Ask a coordinator to reset "
                        "two-factor sign-in if you lost your phone.",
                        "Recovery code used: %(num)s left. Ask a coordinator to reset "
                        "two-factor sign-in if you lost your phone.",
                        left,
                    )
                return _signed_in(accounts.signed_in(user, None), pending.get("next"), notice)
            throttle.record_failure(user.username, _address(), device)
            form.code.errors.append(
                _(
                    "That code does not match, or was used already. Enter the code your app "
                    "shows now, or one of your recovery codes."
                )
            )
        if status == 200:
            status = 422
    return render_template("auth/second_factor.html", form=form, error=error), status


@bp.route("/signout", methods=["POST"])
@policy.public
def signout():
    sessions.end()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("auth.signin"))
    # Shared devices: drop the cached pages. Not "storage": a witness account queued while
    # offline waits there to be sent (it is wiped once the server has it).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/leave", methods=["GET", "POST"])
@policy.public
def leave():
    """ "Leave quickly": signs out at once and shows a page with nothing of Mend on it.
    (A GET too, so one tap works without script; signing someone out is harmless.)"""
    sessions.end("left quickly")
    response = render_template("auth/leave.html")
    return response, 200, {"Clear-Site-Data": '"cache"'}


@bp.route("/account/password", methods=["GET", "POST"])
@policy.signed_in
def change_password():
    """Change one's password; after a one-time code, choose one (the code was the proof)."""
    first = current_user.must_change_password
    form_class = SetPasswordForm if first else ChangePasswordForm
    form = form_class(username=current_user.username)
    error, status = None, 200
    if form.is_submitted() and not first:
        device = throttle.device_for(current_user.username)
        limit = throttle.limited(current_user.username, _address(), device)
        if limit:
            error, status = limit.message, 429
        elif form.validate():
            if passwords.verify_password(current_user.password_hash, form.current_password.data):
                return _password_changed(form.new_password.data)
            # A wrong current password counts like a failed sign-in.
            throttle.record_failure(current_user.username, _address(), device)
            form.current_password.errors.append(_("That is not your current password."))
    elif form.validate_on_submit():
        return _password_changed(form.new_password.data)
    if status == 200 and form.errors:
        status = 422
    return render_template("auth/change_password.html", form=form, error=error, first=first), status


def _password_changed(new_password):
    user = accounts.change_password(current_user, new_password)
    sessions.begin(user)
    flash(_("Your password is changed. Other devices signed in as you are signed out."), "ok")
    return redirect(url_for(policy.landing_endpoint(user)))
