"""Coordinators' account pages: every account, a new one with its set-up slip, roles,
turning accounts off and on with their work handed over, new set-up codes, two-factor
resets, sessions, and each account's history."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from peewee import fn

from rj import accounts, policy, sessions, slips, twofactor
from rj.forms import refuse
from rj.forms.users import NewUserForm, RoleForm, handover_form
from rj.models import AuditRecord, User
from rj.refusals import Refused
from rj.vocabulary import ROLE_LABELS

bp = Blueprint("users", __name__, url_prefix="/admin/users")

STATUSES = {"active": _l("Active"), "setup": _l("Waiting for set-up"), "off": _l("Turned off")}


def status_of(user):
    if not user.is_active:
        return "off"
    return "setup" if accounts.waiting_for_setup(user) else "active"


def _user_or_404(user_id):
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/")
@policy.requires("users.manage")
def index():
    role = request.args.get("role", "")
    q = (request.args.get("q") or "").strip()[:100]
    query = User.select().order_by(User.display_name, User.id)
    if role in ROLE_LABELS:
        query = query.where(User.role == role)
    if q:
        needle = f"%{q.lower()}%"
        query = query.where(
            (fn.LOWER(User.display_name) ** needle) | (fn.LOWER(User.username) ** needle)
        )
    rows = [(u, status_of(u)) for u in query]
    return render_template(
        "users/index.html", rows=rows, role=role, q=q, roles=ROLE_LABELS, statuses=STATUSES
    )


@bp.route("/new", methods=["GET", "POST"])
@policy.requires("users.manage")
def new():
    form = NewUserForm()
    url = slips.address()
    problem = None if url else slips.NO_ADDRESS
    error = None
    if form.validate_on_submit():
        if problem:
            error = problem
        else:
            try:
                user, code = accounts.create_with_code(
                    form.username.data, form.role.data, form.display_name.data, current_user
                )
            except Refused as refused:
                error = refuse(form, refused)
            else:
                return slips.render(
                    _("An account for %(name)s", name=user.display_name), code, user
                )
    status = 422 if form.errors or error else 200
    return render_template(
        "users/new.html", form=form, error=error, problem=problem, address=url
    ), status


@bp.route("/<int:user_id>")
@policy.requires("users.manage")
def show(user_id):
    user = _user_or_404(user_id)
    history = list(
        AuditRecord.select().where(AuditRecord.account_id == user.id).order_by(AuditRecord.id)
    )
    names = {
        u.id: u.display_name
        for u in User.select(User.id, User.display_name).where(
            User.id.in_({r.actor_id for r in history if r.actor_id} or {0})
        )
    }
    return render_template(
        "users/show.html",
        user=user,
        status=STATUSES[status_of(user)],
        held=accounts.duties(user),
        history=history,
        names=names,
        open_sessions=sessions.open_sessions(user),
        this_session=sessions.current_session(),
        two_factor=twofactor.enabled(user),
    )


def _handover_page(user, template, form, held, error, status):
    return render_template(template, user=user, form=form, error=error, held=held), status


def _new_holders(form, held, staff):
    """(kind, id) -> account from a handover form: each item's own choice, else "all of it"."""
    staff = {str(u.id): u for u in staff}
    everything = staff.get(form.everything_to.data)
    holders = {}
    for kind, things in (("case", held.cases), ("action", held.actions), ("appeal", held.appeals)):
        for thing in things:
            chosen = staff.get(getattr(form, f"{kind}_{thing.id}").data) or everything
            if chosen is not None:
                holders[(kind, thing.id)] = chosen
    return holders


def _staff_but(user):
    return [u for u in User.staff() if u.id != user.id]


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@policy.requires("users.manage")
def deactivate(user_id):
    """Turn an account off, handing its open cases, actions and appeal reviews over."""
    user = _user_or_404(user_id)
    held, staff = accounts.duties(user), _staff_but(user)
    form = handover_form(FlaskForm, held, staff)()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            accounts.deactivate(user, current_user, hand_over=_new_holders(form, held, staff))
        except Refused as refused:
            error, status = refuse(form, refused), refused.status
        else:
            flash(
                _(
                    "%(name)s's account is turned off; their sessions ended.",
                    name=user.display_name,
                ),
                "ok",
            )
            return redirect(url_for("users.show", user_id=user.id))
    elif form.is_submitted():
        status = 422
    return _handover_page(user, "users/deactivate.html", form, held, error, status)


@bp.route("/<int:user_id>/role", methods=["GET", "POST"])
@policy.requires("users.manage")
def change_role(user_id):
    """A new role; a facilitator who stops being one hands their work over."""
    user = _user_or_404(user_id)
    held, staff = accounts.duties(user), _staff_but(user)
    form = handover_form(RoleForm, held, staff)(data={"role": user.role})
    error, status = None, 200
    if form.validate_on_submit():
        try:
            accounts.set_role(
                user, form.role.data, current_user, hand_over=_new_holders(form, held, staff)
            )
        except Refused as refused:
            error, status = refuse(form, refused), refused.status
        else:
            role = str(ROLE_LABELS[form.role.data]).lower()
            flash(_("%(name)s is a %(role)s now.", name=user.display_name, role=role), "ok")
            return redirect(url_for("users.show", user_id=user.id))
    elif form.is_submitted():
        status = 422
    return _handover_page(user, "users/role.html", form, held, error, status)


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@policy.requires("users.manage")
def reactivate(user_id):
    user = _user_or_404(user_id)
    try:
        accounts.reactivate(user, current_user)
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(_("%(name)s's account is on again.", name=user.display_name), "ok")
    return redirect(url_for("users.show", user_id=user.id))


@bp.route("/<int:user_id>/code", methods=["POST"])
@policy.requires("users.manage")
def new_code(user_id):
    """A new set-up code instead of a password reset: the old password stops working."""
    user = _user_or_404(user_id)
    if not slips.address():
        flash(str(slips.NO_ADDRESS), "error")
        return redirect(url_for("users.show", user_id=user.id))
    if not user.is_active:
        flash(_("Turn %(name)s's account on first.", name=user.display_name), "error")
        return redirect(url_for("users.show", user_id=user.id))
    code = accounts.issue_one_time_code(user, current_user)
    return slips.render(
        _("A new set-up code for %(name)s", name=user.display_name), code, accounts.reload(user)
    )


@bp.route("/<int:user_id>/two-factor/reset", methods=["POST"])
@policy.requires("users.manage")
def reset_two_factor(user_id):
    user = _user_or_404(user_id)
    try:
        accounts.reset_two_factor(user, current_user)
    except Refused as refused:
        flash(refused.message, "error")
    else:
        flash(
            _(
                "Two-factor sign-in is reset for %(name)s: they set it up again "
                "at their next sign-in.",
                name=user.display_name,
            ),
            "ok",
        )
    return redirect(url_for("users.show", user_id=user.id))


@bp.route("/<int:user_id>/sessions/<int:session_id>/end", methods=["POST"])
@policy.requires("users.manage")
def end_session(user_id, session_id):
    user = _user_or_404(user_id)
    if not sessions.end_one(user, session_id, "ended by a coordinator"):
        abort(404)
    flash(_("That session is ended."), "ok")
    return redirect(url_for("users.show", user_id=user.id, _anchor="sessions"))


@bp.route("/<int:user_id>/sessions/end", methods=["POST"])
@policy.requires("users.manage")
def end_sessions(user_id):
    user = _user_or_404(user_id)
    keep = sessions.current_session() if user.id == current_user.id else None
    ended = sessions.end_all(user, "ended by a coordinator", keep=keep)
    flash(ngettext("%(num)s session ended.", "%(num)s sessions ended.", ended), "ok")
    return redirect(url_for("users.show", user_id=user.id, _anchor="sessions"))
