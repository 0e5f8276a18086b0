"""Signing in and out, and changing one's own password."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from rj import passwords, policy, sessions, throttle
from rj.clock import utcnow
from rj.db import write_tx
from rj.forms import ChangePasswordForm, SignInForm
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
        wait = throttle.wait_seconds(username, address)
        if wait:
            minutes = (wait + 59) // 60
            error = (
                f"Too many attempts. Please wait {wait} seconds before trying again."
                if wait < 90
                else f"Too many attempts. This account is locked for about {minutes} minutes."
            )
            status = 429
        elif form.validate_on_submit():
            user = User.get_or_none(User.username == username)
            ok = passwords.verify_password(user.password_hash if user else None, form.password.data)
            if ok and user.is_active:
                _after_sign_in(user, form.password.data)
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


def _after_sign_in(user, password):
    with write_tx():
        user.last_sign_in_at = utcnow()
        fields = [User.last_sign_in_at]
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
            fields.append(User.password_hash)
        user.save(only=fields)
    sessions.begin(user)


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
    form = ChangePasswordForm(username=current_user.username)
    if form.validate_on_submit():
        if not passwords.verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            with write_tx():
                user = User.get_by_id(current_user.id)
                user.password_hash = passwords.hash_password(form.new_password.data)
                user.must_change_password = False
                user.session_epoch += 1  # ends this user's other sessions
                user.save()
            sessions.begin(user)
            flash("Your password is changed. Other devices signed in as you are signed out.", "ok")
            return redirect(url_for(policy.landing_endpoint(user)))
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status
