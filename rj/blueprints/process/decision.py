"""The decision: restorative actions and their status, when the decision was
communicated, and the community's assessment."""

from flask_babel import gettext as _
from flask_login import current_user

from rj import casepage, cases, policy, workflow
from rj.blueprints.process import bp, page, party_choices, pick, saved, user_choices
from rj.clock import today
from rj.forms import refuse
from rj.forms.process.decision import (
    ActionForm,
    ActionStatusForm,
    CommunicatedForm,
    CommunityForm,
)
from rj.models import User
from rj.refusals import Refused
from rj.vocabulary import action_label


@bp.route("/actions/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_action(case):
    parties = casepage.parties(case)
    staff = list(User.staff())
    form = ActionForm(case=case)
    form.party.choices = party_choices(parties)
    form.owner.choices = user_choices(staff)
    if not form.is_submitted():
        form.owner.data = str(case.lead_id or current_user.id)
    form_error = None
    if form.validate_on_submit():
        try:
            action = cases.add_action(
                case,
                current_user,
                form.kind.data,
                form.description.data.strip(),
                pick(staff, form.owner.data),
                form.due_on.data,
                party=pick(parties, form.party.data),
            )
        except Refused as refused:
            form_error = refuse(form, refused)
        else:
            return saved(case, _("The action is added to the decision."), f"action-{action.id}")
    return page(
        "action",
        case,
        form,
        _("Add a restorative action"),
        form_error=form_error,
        parties=parties,
    )


@bp.route("/actions/<int:action_id>/status", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def action_status(case, action_id):
    action = policy.child_or_404(case.actions, action_id)
    form = ActionStatusForm(case=case, status=action.status, waived_reason=action.waived_reason)
    form_error = None
    if form.validate_on_submit():
        reason = (form.waived_reason.data or "").strip() if form.status.data == "waived" else ""
        try:
            cases.set_action_status(action, current_user, form.status.data, reason)
        except Refused as refused:
            form_error = refuse(form, refused)
        else:
            return saved(case, _("The action's status is saved."), f"action-{action.id}")
    return page(
        "action_status",
        case,
        form,
        _("Set the action's status"),
        form_error=form_error,
        action=action,
        kind=action_label(action.kind),
    )


@bp.route("/decision/communicated", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def communicate_decision(case):
    form = CommunicatedForm(case=case)
    if not form.is_submitted():
        form.on.data = case.decision_communicated_on or today()
    if form.validate_on_submit():
        cases.communicate_decision(case, current_user, form.on.data)
        return saved(case, _("The date the decision was communicated is recorded."))
    return page(
        "communicated",
        case,
        form,
        _("Record when the decision was communicated"),
        window_days=workflow.appeal_window_days(),
    )


@bp.route("/community", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def assess_community(case):
    form = CommunityForm(case=case)
    form_error = None
    if form.validate_on_submit():
        try:
            assessment = cases.assess_community(
                case,
                current_user,
                impacted=(form.impacted.data or "").strip(),
                actions=(form.actions.data or "").strip(),
                none_reason=(form.none_reason.data or "").strip(),
            )
        except Refused as refused:
            form_error = refuse(form, refused)
        else:
            return saved(
                case, _("The community assessment is recorded."), f"community-{assessment.id}"
            )
    return page(
        "community", case, form, _("Assess the impact on the community"), form_error=form_error
    )
