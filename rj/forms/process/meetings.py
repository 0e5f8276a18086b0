"""Forms of meetings: scheduling one and recording its outcome."""

from wtforms import (
    DateTimeLocalField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    ValidationError,
)

from rj.clock import today
from rj.forms import (
    FAR_AHEAD,
    Limit,
)
from rj.forms.process import CaseForm


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
