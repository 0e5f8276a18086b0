"""Meetings: scheduling one, and recording its minutes and outcome once it was held."""

from flask_babel import gettext as _
from flask_login import current_user

from rj import cases, policy
from rj.blueprints.process import back_to_case, bp, page, saved
from rj.clock import to_utc
from rj.forms import refuse
from rj.forms.process.meetings import MeetingForm, MeetingOutcomeForm
from rj.refusals import Refused


@bp.route("/meetings/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def schedule_meeting(case):
    form = MeetingForm(case=case)
    if form.validate_on_submit():
        meeting = cases.schedule_meeting(
            case,
            current_user,
            to_utc(form.scheduled_at.data),
            form.place.data.strip(),
            form.attendees.data.strip(),
        )
        return saved(case, _("The meeting is scheduled."), f"meeting-{meeting.id}")
    return page("meeting", case, form, _("Schedule a meeting"))


@bp.route("/meetings/<int:meeting_id>/outcome", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def meeting_outcome(case, meeting_id):
    meeting = policy.child_or_404(case.meetings, meeting_id)
    if meeting.outcome_recorded_at is not None:
        return back_to_case(case, _("That meeting's outcome is already recorded."))
    form = MeetingOutcomeForm(case=case)
    form_error, status = None, None
    if form.validate_on_submit():
        try:
            cases.record_meeting_outcome(
                meeting, current_user, form.minutes.data.strip(), form.outcome.data.strip()
            )
        except Refused as refused:
            form_error, status = refuse(form, refused), refused.status
        else:
            return saved(
                case, _("The meeting's outcome is recorded."), f"meeting-{meeting.id}-outcome"
            )
    return page(
        "meeting_outcome",
        case,
        form,
        _("Record the meeting's outcome"),
        form_error=form_error,
        status=status,
        meeting=meeting,
        not_yet=not cases.meeting_held(meeting),
    )
