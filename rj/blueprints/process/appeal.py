"""Appeals: filing one (and moving the case into Appeal), and its reviewer's outcome."""

from flask_babel import gettext as _
from flask_login import current_user

from rj import casepage, cases, policy, workflow
from rj.blueprints.process import (
    back_to_case,
    bp,
    page,
    party_choices,
    pick,
    saved,
    user_choices,
)
from rj.forms import refuse
from rj.forms.process.appeal import AppealForm, AppealOutcomeForm
from rj.models import User
from rj.refusals import Refused


@bp.route("/appeal", methods=["GET", "POST"])
@policy.case_route("case.edit")
def file_appeal(case):
    parties = casepage.parties(case)
    staff = list(User.staff())
    form = AppealForm(case=case)
    form.party.choices = party_choices(parties)
    form.reviewer.choices = user_choices(staff)
    closed_reason = workflow.appeal_closed_reason(case)
    form_error, status = None, None
    if form.is_submitted() and closed_reason:
        form.validate()
        form_error = closed_reason
    elif form.validate_on_submit():
        try:
            appeal = cases.appeal_case(
                case,
                current_user,
                form.grounds.data,
                pick(staff, form.reviewer.data),
                party=pick(parties, form.party.data),
            )
        except Refused as refused:
            form_error, status = refuse(form, refused), refused.status
        else:
            return saved(
                case,
                _(
                    "The appeal is filed; %(reference)s is now under review.",
                    reference=case.reference,
                ),
                f"appeal-{appeal.id}",
            )
    return page(
        "appeal",
        case,
        form,
        _("File an appeal"),
        form_error=form_error,
        status=status,
        closed_reason=closed_reason,
    )


@bp.route("/appeal/outcome", methods=["GET", "POST"])
@policy.case_route("case.edit")
def appeal_outcome(case):
    appeal = workflow.open_appeal(case)
    if case.stage != "appeal" or appeal is None:
        return back_to_case(
            case, _("%(reference)s has no appeal under review.", reference=case.reference)
        )
    form = AppealOutcomeForm(case=case)
    may_decide = policy.may_decide_appeal(current_user, appeal)
    form_error, status = None, None
    if not may_decide:
        if appeal.reviewer_id:
            form_error = _(
                "Only the appeal's reviewer, %(name)s, records its outcome.",
                name=appeal.reviewer.display_name,
            )
        else:
            form_error = _("Only the appeal's reviewer, the reviewer, records its outcome.")
        status = 403
    elif form.validate_on_submit():
        try:
            moved = workflow.record_appeal_outcome(
                case, form.outcome.data, current_user, (form.note.data or "").strip()
            )
        except Refused as refused:
            form_error, status = refuse(form, refused), refused.status
        else:
            return saved(
                case,
                _(
                    "The appeal's outcome is recorded; %(reference)s is in %(stage)s.",
                    reference=case.reference,
                    stage=workflow.stage(moved.stage).label,
                ),
            )
    return page(
        "appeal_outcome",
        case,
        form,
        _("Record the appeal's outcome"),
        form_error=form_error,
        status=status,
        appeal=appeal,
        is_reviewer=may_decide,
    )
