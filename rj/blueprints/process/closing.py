"""Follow-up and closing: check-ins, the closing reflection, closing early, reopening."""

from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from rj import cases, policy, workflow
from rj.blueprints.process import back_to_case, bp, page, saved
from rj.forms import refuse
from rj.forms.process.closing import (
    CheckInForm,
    CloseEarlyForm,
    HoldCheckInForm,
    ReflectionForm,
    ReopenForm,
)
from rj.refusals import Refused


@bp.route("/checkins/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_checkin(case):
    form = CheckInForm(case=case)
    if form.validate_on_submit():
        checkin = cases.add_checkin(case, current_user, form.due_on.data)
        return saved(case, _("The check-in is added."), f"checkin-{checkin.id}")
    return page("checkin", case, form, _("Add a check-in"))


@bp.route("/checkins/<int:checkin_id>/held", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def hold_checkin(case, checkin_id):
    checkin = policy.child_or_404(case.checkins, checkin_id)
    if checkin.held_at is not None:
        return back_to_case(case, _("That check-in is already marked as held."))
    form = HoldCheckInForm(case=case)
    if form.validate_on_submit():
        cases.hold_checkin(checkin, current_user, form.notes.data.strip())
        return saved(case, _("The check-in is marked as held."), f"checkin-{checkin.id}")
    return page("checkin_held", case, form, _("Mark the check-in as held"), checkin=checkin)


@bp.route("/reflection", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def reflection(case):
    form = ReflectionForm(case=case)
    if form.validate_on_submit():
        reflection = cases.record_reflection(
            case, current_user, form.repaired.data.strip(), form.learned.data.strip()
        )
        return saved(case, _("The closing reflection is recorded."), f"reflection-{reflection.id}")
    return page("reflection", case, form, _("Record the closing reflection"))


@bp.route("/close", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def close_early(case):
    form = CloseEarlyForm(case=case)
    form_error, status = None, None
    if form.validate_on_submit():
        try:
            # The version is the one just loaded: the form never supplies it.
            workflow.close_early(
                case,
                form.kind.data,
                form.reason.data,
                current_user,
                case.version,
                duplicate_of=form.duplicate_of.data if form.kind.data == "duplicate" else None,
            )
        except Refused as refused:
            form_error, status = refuse(form, refused), refused.status
        else:
            return saved(case, _("%(reference)s is closed.", reference=case.reference))
    return page(
        "close", case, form, _("Close the case early"), form_error=form_error, status=status
    )


@bp.route("/reopen", methods=["GET", "POST"])
@policy.case_route("case.edit")
def reopen(case):
    if case.stage != "closed":
        return back_to_case(case, _("%(reference)s is open.", reference=case.reference))
    form = ReopenForm(case=case)
    form.to.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(s.key, s.label)
        for s in workflow.board_stages()
        if s.key in workflow.ORDER[:-1] and s.enabled
    ]
    form_error, status = None, None
    if form.validate_on_submit():
        try:
            moved = workflow.move(
                case, form.to.data, current_user, case.version, form.reason.data.strip()
            )
        except Refused as refused:
            form_error, status = refuse(form, refused), refused.status
            if refused.status == 422 and refused.field is None:
                form.to.errors = [*form.to.errors, form_error]
                form_error = None
        else:
            return saved(
                case,
                _(
                    "%(reference)s is reopened in %(stage)s.",
                    reference=case.reference,
                    stage=workflow.stage(moved.stage).label,
                ),
            )
    return page("reopen", case, form, _("Reopen the case"), form_error=form_error, status=status)
