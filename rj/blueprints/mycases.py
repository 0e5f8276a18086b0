"""'My cases': what participants and representatives see of the cases they take part in.

Only what is shared with their side: never the other side's private entries,
witness identities, contact details or the board.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from rj import cases, concerns, entries, policy, throttle, workflow
from rj.forms import refuse
from rj.forms.mycases import CaseCodeForm, ConcernForm, StatementForm
from rj.models import Case, CheckIn, Representative, User
from rj.refusals import Refused
from rj.vocabulary import ENTRY_KIND_LABELS, PLAIN_STAGES

bp = Blueprint("mycases", __name__, url_prefix="/my-cases")


@bp.route("/")
@policy.requires("mycases.view")
def index():
    rows = policy.my_cases(current_user).order_by(Case.created_at.desc())
    return render_template(
        "mycases/index.html",
        cases=[(case, workflow.stage(case.stage), PLAIN_STAGES[case.stage]) for case in rows],
    )


@bp.route("/join", methods=["GET", "POST"])
@policy.requires("mycases.view")
def join():
    """Join a case with the one-time code from a slip: the case shows in "My cases"."""
    form = CaseCodeForm()
    error, status = None, 200
    if form.is_submitted():
        address = request.remote_addr or "unknown"
        limit = throttle.limited(current_user.username, address)
        if limit:
            error, status = limit.message, 429
        elif form.validate():
            try:
                party = cases.redeem_case_code(current_user, form.code.data)
            except Refused as refused:
                throttle.record_failure(current_user.username, address)
                refuse(form, refused)
            else:
                case = party.case
                flash(_("You can follow %(reference)s here now.", reference=case.reference), "ok")
                return redirect(url_for("mycases.show", reference=case.reference))
        if status == 200:
            status = 422
    return render_template("mycases/join.html", form=form, error=error), status


@bp.route("/raise", methods=["GET", "POST"])
@policy.requires("mycases.view")
def raise_concern():
    """A complaint about one's own experience: it lands in Filed, with its author as a
    party on the harmed side."""
    form = ConcernForm()
    error = None
    if form.validate_on_submit():
        try:
            case = concerns.raise_own(
                current_user, concerns.Concern(form.what_happened.data, form.when_where.data)
            )
        except Refused as refused:
            error = refuse(form, refused)
        else:
            flash(
                _(
                    "Your concern is raised as %(reference)s. A facilitator will be in touch.",
                    reference=case.reference,
                ),
                "ok",
            )
            return redirect(url_for("mycases.show", reference=case.reference))
    status = 422 if (form.errors or error) else 200
    return render_template("mycases/raise.html", form=form, error=error), status


@bp.route("/<reference>")
@policy.standing_route()
def show(standing):
    timeline = policy.visible_entries(standing, current_user)
    authors = {
        u.id: u.display_name
        for u in User.select(User.id, User.display_name).where(
            User.id.in_(sorted({e.author_id for e in timeline}) or [0])
        )
    }
    representatives = (
        User.select(User.display_name)
        .join(Representative, on=(Representative.user == User.id))
        .where(Representative.party.in_(sorted(standing.party_ids) or [0]))
        .distinct()
    )
    return render_template(
        "mycases/show.html",
        standing=standing,
        case=standing.case,
        plain_stage=PLAIN_STAGES[standing.case.stage],
        timeline=timeline,
        actions=list(policy.visible_actions(standing)),
        checkins=list(standing.case.checkins.order_by(CheckIn.due_on)),
        representatives=[u.display_name for u in representatives],
        authors=authors,
        kind_labels=ENTRY_KIND_LABELS,
    )


@bp.route("/<reference>/add", methods=["GET", "POST"])
@policy.standing_route()
def add(standing):
    form = StatementForm()
    if standing.as_representative:
        form.kind.choices = [
            SelectChoice("statement", _("A statement")),
            SelectChoice("note", _("A note")),
        ]
    form.party.choices = [SelectChoice(str(p.id), p.person.name) for p in standing.parties]
    if not form.is_submitted() and len(standing.parties) == 1:
        form.party.data = str(standing.parties[0].id)
    if form.validate_on_submit():
        party = next((p for p in standing.parties if str(p.id) == form.party.data), None)
        if party is None:
            form.party.errors.append(_("Choose a side you take part on."))
        else:
            try:
                entry = entries.add_entry(
                    standing.case,
                    current_user,
                    form.kind.data,
                    form.body.data,
                    audience="party",
                    party=party,
                )
            except Refused as refused:
                form.body.errors.append(refuse(form, refused) or "")
            else:
                flash(_("Added. The facilitators and your side can read it."), "ok")
                return redirect(
                    url_for(
                        "mycases.show",
                        reference=standing.case.reference,
                        _anchor=f"entry-{entry.id}",
                    )
                )
    status = 422 if form.errors else 200
    return render_template("mycases/add.html", form=form, case=standing.case), status
