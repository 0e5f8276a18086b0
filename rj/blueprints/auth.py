"""Signing in and out, and changing one's own password."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from rj import accounts, passwords, policy, sessions, throttle
from rj.forms.auth import ChangePasswordForm, SetPasswordForm, SignInForm
from rj.models import User

bp = Blueprint("auth", __name__)

WRONG = "That username and password do not match an active account."


def _safe_next(target):
    """Only same-site paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/signin", methods=["GET", "POST"])
@policy.public
def signin():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(policy.landing_endpoint(current_user)))
    form = SignInForm()
    error = None
    status = 200
    if request.method == "POST":
        username = (form.username.data or "").strip()
        address = request.remote_addr or "unknown"
        error = _throttled(username, address)
        if error:
            status = 429
        elif form.validate_on_submit():
            user = User.named(username)
            ok = passwords.verify_password(user.password_hash if user else None, form.password.data)
            if ok and user.is_active:
                user = accounts.signed_in(user, form.password.data)
                sessions.begin(user)
                if user.must_change_password:
                    flash("Please choose a new password before you go on.", "info")
                    return redirect(url_for("auth.change_password"))
                target = _safe_next(request.args.get("next"))
                return redirect(target or url_for(policy.landing_endpoint(user)))
            throttle.record_failure(username, address)
            error = WRONG
            status = 200
        else:
            status = 422
    return render_template("auth/signin.html", form=form, error=error), status


def _throttled(username, address):
    """The refusal to show when this username and address must wait, or None."""
    wait = throttle.wait_seconds(username, address)
    if not wait:
        return None
    if wait < 90:
        return f"Too many attempts. Please wait {wait} seconds before trying again."
    minutes = (wait + 59) // 60
    return f"Too many attempts. This account is locked for about {minutes} minutes."


@bp.route("/signout", methods=["POST"])
@policy.public
def signout():
    sessions.end()
    flash("You are signed out.", "info")
    response = redirect(url_for("auth.signin"))
    # Shared devices: drop the cached pages. Not "storage": a witness account queued while
    # offline waits there to be sent (it is wiped once the server has it).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@policy.signed_in
def change_password():
    """Change one's password; after a one-time code, choose one (the code was the proof)."""
    first = current_user.must_change_password
    form_class = SetPasswordForm if first else ChangePasswordForm
    form = form_class(username=current_user.username)
    error = None
    status = 200
    if form.is_submitted() and not first:
        address = request.remote_addr or "unknown"
        error = _throttled(current_user.username, address)
        if error:
            status = 429
        elif form.validate():
            if passwords.verify_password(current_user.password_hash, form.current_password.data):
                return _password_changed(form.new_password.data)
            # A wrong current password counts like a failed sign-in.
            throttle.record_failure(current_user.username, address)
            form.current_password.errors.append("That is not your current password.")
    elif form.validate_on_submit():
        return _password_changed(form.new_password.data)
    if status == 200 and form.errors:
        status = 422
    return render_template("auth/change_password.html", form=form, error=error, first=first), status


def _password_changed(new_password):
    user = accounts.change_password(current_user, new_password)
    sessions.begin(user)
    flash("Your password is changed. Other devices signed in as you are signed out.", "ok")
    return redirect(url_for(policy.landing_endpoint(user)))
