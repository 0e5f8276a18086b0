"""Your own account: the name Mend shows, your sessions, two-factor sign-in."""

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from rj import accounts, policy, sessions, twofactor
from rj.forms import refuse
from rj.forms.account import DisplayNameForm, TwoFactorForm
from rj.refusals import Refused

bp = Blueprint("account", __name__, url_prefix="/account")

# The session field holding the secret shown while two-factor sign-in is being set up.
# A field name in the session, not a secret.
PENDING_SECRET = "mend_totp_secret"  # noqa: S105  # nosec B105


@bp.route("/", methods=["GET", "POST"])
@policy.signed_in
def index():
    form = DisplayNameForm(data={"display_name": current_user.display_name})
    if form.validate_on_submit():
        try:
            accounts.set_display_name(current_user, form.display_name.data, current_user)
        except Refused as refused:
            refuse(form, refused)
        else:
            flash(_("Your name is saved."), "ok")
            return redirect(url_for("account.index"))
    status = 422 if form.errors else 200
    return render_template(
        "account/index.html",
        form=form,
        this_session=sessions.current_session(),
        open_sessions=sessions.open_sessions(current_user),
        two_factor=twofactor.enabled(current_user),
        two_factor_required=twofactor.required(current_user),
        recovery_left=accounts.recovery_codes_left(current_user),
    ), status


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@policy.signed_in
def end_session(session_id):
    this = sessions.current_session()
    if this is not None and this.id == session_id:
        abort(404)  # this browser signs out with "Sign out"
    if not sessions.end_one(current_user, session_id, "ended from another session"):
        abort(404)
    flash(_("That session is ended: the browser is signed out."), "ok")
    return redirect(url_for("account.index", _anchor="sessions"))


@bp.route("/sessions/end-others", methods=["POST"])
@policy.signed_in
def end_other_sessions():
    ended = sessions.end_all(
        current_user, "signed out everywhere else", keep=sessions.current_session()
    )
    flash(
        ngettext(
            "Signed out everywhere else (%(num)s session).",
            "Signed out everywhere else (%(num)s sessions).",
            ended,
        ),
        "ok",
    )
    return redirect(url_for("account.index", _anchor="sessions"))


@bp.route("/two-factor", methods=["GET", "POST"])
@policy.signed_in
def two_factor():
    """Turn on two-factor sign-in: scan the code (or type the secret), prove it works."""
    if twofactor.enabled(current_user):
        return render_template("account/two_factor_on.html", codes=None)
    secret = session.get(PENDING_SECRET)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[PENDING_SECRET] = twofactor.new_secret()
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            codes = accounts.turn_on_two_factor(current_user, secret, form.code.data)
        except Refused as refused:
            refuse(form, refused)
        else:
            user = current_user._get_current_object()
            sessions.begin(accounts.reload(user))  # other sessions ended; this one goes on
            return render_template("account/two_factor_on.html", codes=codes)
    uri = twofactor.provisioning_uri(current_user, secret)
    status = 422 if form.errors else 200
    return render_template(
        "account/two_factor.html",
        form=form,
        secret=secret,
        qr=twofactor.qr_svg(uri),
        required=twofactor.required(current_user),
    ), status
