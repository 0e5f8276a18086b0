"""Forms of the case record: the steps of the restorative process.

Choices that depend on the case (its parties, the accounts that may act) are
filled in by the route through ``with_choices``; a value outside them is
refused as "Not a valid choice", so no id from the form is trusted unchecked.
"""

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from rj.clock import local, today, utcnow
from rj.forms import Limit
from rj.forms_cases import not_in_the_future
from rj.models import ACTION_KINDS

ACK_METHODS = (
    ("in person", "In person"),
    ("phone", "Phone"),
    ("message", "Message"),
    ("letter", "Letter"),
)
SIDE_LABELS = {
    "harmed": "Harmed",
    "caused": "Caused harm",
    "impacted": "Impacted community member",
}
# Kinds of restorative action, by the side of the person they are for.
ACTION_STATUSES = (("open", "Open"), ("done", "Done"), ("waived", "Waived"))
APPEAL_OUTCOME_LABELS = (
    ("upheld", "Upheld: the decision stands"),
    ("hearing", "Back to Hearing"),
    ("restoring", "Back to Restoring"),
)
CLOSE_KINDS = (
    ("withdrawn", "Withdrawn"),
    ("duplicate", "Duplicate of another case"),
    ("referred", "Referred elsewhere"),
)
FAR_AHEAD = timedelta(days=2 * 365)


def _choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


def _placeholder(label):
    return SelectChoice("", label)


def _local_now():
    return local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)


def not_in_the_past(form, field):
    if field.data and field.data < today():
        raise ValidationError("This date has already passed: choose today or a later date.")


def not_far_ahead(form, field):
    if field.data and field.data > today() + FAR_AHEAD:
        raise ValidationError("Choose a date within the next two years.")


def not_in_the_future_date(form, field):
    if field.data and field.data > today():
        raise ValidationError("This cannot be in the future.")


class CaseForm(FlaskForm):
    """A form about one case: knows the case, for checks against its dates."""

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def filed_on(self):
        return local(self.case.created_at).date() if self.case else date(2000, 1, 1)

    def not_before_filing(self, field, what):
        value = field.data.date() if hasattr(field.data, "date") else field.data
        if field.data and value < self.filed_on():
            raise ValidationError(f"{what} cannot be before the case was filed.")


# --- Acknowledgement ---------------------------------------------------------


class AcknowledgementForm(CaseForm):
    by = SelectField(
        "Who acknowledged it",
        validators=[InputRequired("Say who acknowledged it.")],
    )
    at = DateTimeLocalField(
        "When",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Say when it was acknowledged."), not_in_the_future],
    )
    method = SelectField(
        "How it was communicated",
        choices=_choices(ACK_METHODS),
        validators=[InputRequired("Say how it was communicated.")],
    )
    note = TextAreaField(
        "Note",
        description="What was said, and to whom.",
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted() and self.at.data is None:
            self.at.data = _local_now()


# --- People ------------------------------------------------------------------


class PartyForm(CaseForm):
    name = StringField(
        "Name or chosen name",
        validators=[DataRequired("Give a name or chosen name."), Limit(120)],
        render_kw={"autocomplete": "off"},
    )
    pronouns = StringField("Pronouns", validators=[Limit(40)], render_kw={"autocomplete": "off"})
    side = SelectField(
        "Side",
        choices=_choices(SIDE_LABELS.items()),
        validators=[InputRequired("Choose a side.")],
    )
    contact = StringField(
        "Contact (optional)",
        description="How to reach them, if they want to be reached. Never required.",
        validators=[Limit(200)],
        render_kw={"autocomplete": "off"},
    )
    account = SelectField(
        "Their account in Mend (optional)",
        description="Link an account if they have one: the case then shows in their "
        '"My cases", and leaves their board.',
        validators=[Optional()],
    )


class RepresentativesForm(CaseForm):
    users = SelectMultipleField(
        "Representatives",
        description="Choose one or more (hold Ctrl or Cmd to choose several).",
        validators=[DataRequired("Choose at least one representative.")],
    )


class LeadForm(CaseForm):
    lead = SelectField(
        "Lead facilitator",
        description="Not a party to the case and without a declared conflict.",
        validators=[InputRequired("Choose a lead facilitator.")],
    )


class ConflictForm(CaseForm):
    note = TextAreaField(
        "Why (optional, facilitators only)",
        description="After this the case leaves your board and you can no longer open it.",
        validators=[Limit(2000)],
        render_kw={"rows": 3},
    )


# --- Meetings ----------------------------------------------------------------


class MeetingForm(CaseForm):
    scheduled_at = DateTimeLocalField(
        "When",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Say when the meeting is.")],
    )
    place = StringField("Where", validators=[DataRequired("Say where the meeting is."), Limit(200)])
    attendees = TextAreaField(
        "Who attends",
        description="Parties, representatives, support people.",
        validators=[DataRequired("Say who attends."), Limit(5000)],
        render_kw={"rows": 3, "autocomplete": "off"},
    )

    def validate_scheduled_at(self, field):
        self.not_before_filing(field, "A meeting")
        if field.data and field.data.date() > today() + FAR_AHEAD:
            raise ValidationError("Choose a time within the next two years.")


class MeetingOutcomeForm(CaseForm):
    minutes = TextAreaField(
        "Minutes",
        validators=[DataRequired("Write the minutes of the meeting."), Limit(20000)],
        render_kw={"rows": 6},
    )
    outcome = TextAreaField(
        "Outcome",
        description="What was agreed, or what happens next.",
        validators=[DataRequired("Say what the outcome was."), Limit(5000)],
        render_kw={"rows": 3},
    )


# --- Decision ----------------------------------------------------------------


class ActionForm(CaseForm):
    party = SelectField("Who it is for", validators=[InputRequired("Choose who it is for.")])
    kind = SelectField(
        "Kind of action",
        description="Support or a service for someone harmed; repair, learning, agreed "
        "boundaries, time away or other for the person who caused harm.",
        choices=[SelectChoice(k, label) for k, (label, _) in ACTION_KINDS.items()],
        validators=[InputRequired("Choose a kind of action.")],
    )
    description = TextAreaField(
        "Description",
        validators=[DataRequired("Describe the action."), Limit(5000)],
        render_kw={"rows": 3},
    )
    owner = SelectField(
        "Owner",
        description="The facilitator who sees it done.",
        validators=[InputRequired("Choose an owner.")],
    )
    due_on = DateField(
        "Due on",
        validators=[InputRequired("Give a due date."), not_in_the_past, not_far_ahead],
    )

    def __init__(self, *args, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sides = sides or {}  # party id (str) -> side

    def validate_kind(self, field):
        side = self.sides.get(self.party.data)
        allowed = ACTION_KINDS.get(field.data, ("", ()))[1]
        if side and side not in allowed:
            if side == "caused":
                raise ValidationError(
                    "For the person who caused harm, choose repair, learning, agreed "
                    "boundaries, time away from the space or other."
                )
            who = "someone harmed" if side == "harmed" else "an impacted community member"
            raise ValidationError(f"For {who}, choose support or a service.")


class ActionStatusForm(CaseForm):
    status = SelectField(
        "Status",
        choices=_choices(ACTION_STATUSES),
        validators=[InputRequired("Choose a status.")],
    )
    waived_reason = TextAreaField(
        "Why it was waived",
        description="Needed when the action is waived.",
        validators=[Limit(2000)],
        render_kw={"rows": 3},
    )

    def validate_waived_reason(self, field):
        if self.status.data == "waived" and not (field.data or "").strip():
            raise ValidationError("Waiving an action needs a reason.")


class CommunicatedForm(CaseForm):
    on = DateField(
        "Date the decision was communicated to the parties",
        description="The appeal window counts from this day.",
        validators=[InputRequired("Give the date."), not_in_the_future_date],
    )

    def validate_on(self, field):
        self.not_before_filing(field, "The decision")


# --- Community ---------------------------------------------------------------


class CommunityForm(CaseForm):
    impacted = TextAreaField(
        "Who else was impacted",
        description="Witnesses, groups, the space itself.",
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )
    actions = TextAreaField(
        "Community actions",
        description="A circle, a change to the space, a policy review with participants.",
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )
    none_reason = TextAreaField(
        'Or "none": why nobody else was impacted',
        validators=[Limit(2000)],
        render_kw={"rows": 2},
    )

    def validate_impacted(self, field):
        texts = (field.data, self.actions.data, self.none_reason.data)
        if not any((t or "").strip() for t in texts):
            raise ValidationError('Describe who was impacted, or say "none" with a reason.')


# --- Appeal ------------------------------------------------------------------


class AppealForm(CaseForm):
    party = SelectField("Who appeals", validators=[InputRequired("Choose who appeals.")])
    grounds = TextAreaField(
        "Grounds",
        validators=[DataRequired("Give the grounds of the appeal."), Limit(10000)],
        render_kw={"rows": 5},
    )
    reviewer = SelectField(
        "Reviewing facilitator",
        description="Not the lead facilitator, not a party, without a declared conflict.",
        validators=[InputRequired("Choose a reviewing facilitator.")],
    )


class AppealOutcomeForm(CaseForm):
    outcome = SelectField(
        "Outcome",
        choices=_choices(APPEAL_OUTCOME_LABELS),
        validators=[InputRequired("Choose an outcome.")],
    )
    note = TextAreaField("Reasons", validators=[Limit(5000)], render_kw={"rows": 4})


# --- Follow-up ---------------------------------------------------------------


class CheckInForm(CaseForm):
    due_on = DateField(
        "Check-in date",
        validators=[InputRequired("Give the date of the check-in."), not_far_ahead],
    )

    def validate_due_on(self, field):
        self.not_before_filing(field, "A check-in")


class HoldCheckInForm(CaseForm):
    notes = TextAreaField(
        "Notes",
        description="How it went, and anything that needs following up.",
        validators=[DataRequired("Say how the check-in went."), Limit(10000)],
        render_kw={"rows": 5},
    )


class ReflectionForm(CaseForm):
    repaired = TextAreaField(
        "What was repaired",
        validators=[DataRequired("Say what was repaired."), Limit(10000)],
        render_kw={"rows": 4},
    )
    learned = TextAreaField(
        "What the community learned",
        validators=[DataRequired("Say what the community learned."), Limit(10000)],
        render_kw={"rows": 4},
    )


# --- Closing early and reopening ---------------------------------------------


class CloseEarlyForm(CaseForm):
    kind = SelectField(
        "Why it closes",
        choices=_choices(CLOSE_KINDS),
        validators=[InputRequired("Choose why the case closes.")],
    )
    duplicate_of = StringField(
        "Reference of the case it duplicates",
        description="Only for a duplicate, e.g. RJ-2026-0042.",
        validators=[Limit(20)],
        render_kw={"autocomplete": "off"},
    )
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Closing a case early needs a reason."), Limit(2000)],
        render_kw={"rows": 3},
    )

    def validate_duplicate_of(self, field):
        if self.kind.data == "duplicate" and not (field.data or "").strip():
            raise ValidationError("Give the reference of the case this one duplicates.")


class ReopenForm(CaseForm):
    to = SelectField(
        "Reopen in stage", validators=[InputRequired("Choose the stage to reopen it in.")]
    )
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Reopening a case needs a reason."), Limit(2000)],
        render_kw={"rows": 3},
    )
