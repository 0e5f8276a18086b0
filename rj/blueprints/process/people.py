"""The people in a case: acknowledging the concern, parties and their representatives,
the lead facilitator, and declaring a conflict."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from rj import cases, policy, slips, workflow
from rj.blueprints.process import back_to_case, bp, page, pick, saved, user_choices
from rj.clock import to_utc
from rj.forms import refuse
from rj.forms.process.people import (
    AccessForm,
    AcknowledgementForm,
    ConflictForm,
    LeadForm,
    PartyForm,
    RepresentativesForm,
)
from rj.models import User
from rj.refusals import Refused
from rj.vocabulary import SIDE_LABELS


@bp.route("/acknowledgement", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def acknowledge(case):
    staff = list(User.staff())
    form = AcknowledgementForm(case=case)
    form.by.choices = user_choices(staff)
    if not form.is_submitted():
        form.by.data = str(current_user.id)
    if form.validate_on_submit():
        ack = cases.acknowledge(
            case,
            pick(staff, form.by.data),
            to_utc(form.at.data),
            form.method.data,
            (form.note.data or "").strip(),
            recorded_by=current_user,
        )
        return saved(case, _("The acknowledgement is recorded."), f"ack-{ack.id}")
    return page(
        "acknowledgement",
        case,
        form,
        _("Record the acknowledgement"),
        target_days=workflow.stage("filed").target_days,
    )


@bp.route("/parties/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_party(case):
    """A person in the case and their side. An account is never linked by picking it from
    a list (a wrong pick would show the case to a stranger): "Give access" does that."""
    form = PartyForm(case=case)
    form_error = None
    if form.validate_on_submit():
        try:
            party = cases.add_party_person(
                case,
                current_user,
                form.name.data,
                form.side.data,
                pronouns=form.pronouns.data or "",
                contact=form.contact.data or "",
            )
        except Refused as refused:
            form_error = refuse(form, refused)
        else:
            return saved(
                case,
                _(
                    "%(name)s is added as %(side)s.",
                    name=party.person.name,
                    side=SIDE_LABELS[party.side].lower(),
                ),
                f"party-{party.id}",
            )
    return page("party", case, form, _("Add a person to the case"), form_error=form_error)


def _access(case, party, kind, heading):
    """Make an account (with its set-up slip) or a one-time case code (with its slip)."""
    form = AccessForm(case=case)
    problem = None if slips.address() else slips.NO_ADDRESS
    form_error = None
    if form.validate_on_submit():
        if problem:
            return page("access", case, form, heading, form_error=problem, party=party, kind=kind)
        try:
            if form.how.data == "new":
                user, code = cases.give_new_account(
                    party, current_user, form.username.data, form.display_name.data, kind
                )
                return slips.render(
                    _("An account for %(name)s", name=user.display_name), code, user
                )
            code = cases.issue_case_code(party, current_user, kind)
            return slips.render(
                _("Access to a case for %(name)s", name=party.person.name), code, case_code=True
            )
        except Refused as refused:
            form_error = refuse(form, refused)
    return page(
        "access",
        case,
        form,
        heading,
        form_error=form_error,
        party=party,
        kind=kind,
        problem=problem,
    )


@bp.route("/parties/<int:party_id>/access", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def give_access(case, party_id):
    party = policy.child_or_404(case.parties, party_id)
    if party.person.user_id is not None:
        return back_to_case(
            case, _("%(name)s has access to this case already.", name=party.person.name)
        )
    return _access(case, party, "party", _("Give %(name)s access", name=party.person.name))


@bp.route("/parties/<int:party_id>/representatives/access", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def representative_access(case, party_id):
    party = policy.child_or_404(case.parties, party_id)
    return _access(
        case,
        party,
        "representative",
        _("Give a representative of %(name)s access", name=party.person.name),
    )


@bp.route("/parties/<int:party_id>/representatives", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_representatives(case, party_id):
    party = policy.child_or_404(case.parties, party_id)
    available = list(User.representatives_for(party))
    form = RepresentativesForm(case=case)
    form.users.choices = [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in available
    ]
    if form.validate_on_submit():
        chosen = [pick(available, value) for value in form.users.data]
        cases.add_representatives(party, chosen, current_user)
        names = ", ".join(u.display_name for u in chosen)
        return saved(
            case,
            _("%(name)s is now represented by %(names)s.", name=party.person.name, names=names),
            f"party-{party.id}",
        )
    return page(
        "representatives",
        case,
        form,
        _("Representatives for %(name)s", name=party.person.name),
        party=party,
        side=SIDE_LABELS.get(party.side, party.side),
        available=available,
    )


@bp.route("/lead", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def set_lead(case):
    staff = list(User.staff())
    form = LeadForm(case=case)
    form.lead.choices = user_choices(staff)
    if not form.is_submitted() and case.lead_id:
        form.lead.data = str(case.lead_id)
    form_error = None
    if form.validate_on_submit():
        lead = pick(staff, form.lead.data)
        try:
            cases.set_lead(case, lead, current_user)
        except Refused as refused:
            form_error = refuse(form, refused)
        else:
            return saved(
                case,
                _(
                    "%(name)s leads %(reference)s.",
                    name=lead.display_name,
                    reference=case.reference,
                ),
            )
    return page("lead", case, form, _("Set the lead facilitator"), form_error=form_error)


@bp.route("/conflict", methods=["GET", "POST"])
@policy.case_route("case.edit")
def declare_conflict(case):
    form = ConflictForm(case=case)
    if form.validate_on_submit():
        cases.declare_conflict(case, current_user, (form.note.data or "").strip())
        flash(
            _(
                "Your conflict in %(reference)s is recorded. The case has left your board "
                "and another facilitator takes it on.",
                reference=case.reference,
            ),
            "ok",
        )
        return redirect(url_for("board.index"))
    return page("conflict", case, form, _("Declare a conflict of interest"))
