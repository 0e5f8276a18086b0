"""'My cases': what participants and representatives see of the cases they take part in.

Only what is shared with their side: never the other side's private entries,
witness identities, contact details or the board.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from rj import entries, policy, workflow
from rj.forms_mycases import StatementForm
from rj.models import Action, Case, CheckIn, Entry, Representative, User
from rj.timeline import KIND_LABELS

bp = Blueprint("mycases", __name__, url_prefix="/my-cases")

# The stage of a case, said plainly to the people in it.
PLAIN_STAGES = {
    "filed": "Your concern has been received.",
    "acknowledged": "Your concern has been acknowledged. A facilitator will look into it.",
    "investigating": "A facilitator is finding out what happened, listening to everyone involved.",
    "hearing": "A meeting is being arranged with the people involved and their supporters.",
    "restoring": "A decision has been made on what will be done to repair the harm.",
    "community": "The wider community and the space are being looked after too.",
    "followup": "Check-ins are happening to see how things are going.",
    "closed": "This case is closed.",
    "appeal": "The decision is being reviewed after an appeal.",
}


@bp.route("/")
@policy.signed_in
def index():
    rows = policy.my_cases(current_user).order_by(Case.created_at.desc())
    return render_template(
        "mycases/index.html",
        cases=[(case, workflow.stage(case.stage), PLAIN_STAGES[case.stage]) for case in rows],
    )


def _shared(standing):
    """Entries, actions and check-ins of the case that this standing may see."""
    case = standing.case
    timeline = [
        entry
        for entry in Entry.select().where(Entry.case == case).order_by(Entry.created_at)
        if policy.may_read_entry(standing, entry, current_user)
    ]
    actions = Action.select().where(
        (Action.case == case)
        & (Action.party.in_(list(standing.party_ids) or [0]) | (Action.kind == "boundaries"))
    )
    checkins = CheckIn.select().where(CheckIn.case == case).order_by(CheckIn.due_on)
    representatives = (
        User.select(User.display_name)
        .join(Representative, on=(Representative.user == User.id))
        .where(Representative.party.in_(list(standing.party_ids) or [0]))
        .distinct()
    )
    return timeline, list(actions), list(checkins), [u.display_name for u in representatives]


@bp.route("/<reference>")
@policy.standing_route()
def show(standing):
    timeline, actions, checkins, representatives = _shared(standing)
    users = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    return render_template(
        "mycases/show.html",
        standing=standing,
        case=standing.case,
        plain_stage=PLAIN_STAGES[standing.case.stage],
        timeline=timeline,
        actions=actions,
        checkins=checkins,
        representatives=representatives,
        authors=users,
        kind_labels=KIND_LABELS,
    )


@bp.route("/<reference>/add", methods=["GET", "POST"])
@policy.standing_route()
def add(standing):
    form = StatementForm()
    if standing.as_representative:
        form.kind.choices = [
            SelectChoice("statement", "A statement"),
            SelectChoice("note", "A note"),
        ]
    form.party.choices = [SelectChoice(str(p.id), p.person.name) for p in standing.parties]
    if not form.is_submitted() and len(standing.parties) == 1:
        form.party.data = str(standing.parties[0].id)
    if form.validate_on_submit():
        party = next((p for p in standing.parties if str(p.id) == form.party.data), None)
        if party is None:
            form.party.errors.append("Choose a side you take part on.")
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
            except entries.EntryRefused as refused:
                getattr(form, refused.field, form.body).errors.append(refused.message)
            else:
                flash("Added. The facilitators and your side can read it.", "ok")
                return redirect(
                    url_for(
                        "mycases.show",
                        reference=standing.case.reference,
                        _anchor=f"entry-{entry.id}",
                    )
                )
    status = 422 if form.errors else 200
    return render_template("mycases/add.html", form=form, case=standing.case), status
