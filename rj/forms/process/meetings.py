"""Forms of meetings: scheduling one and recording its outcome."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
        _l("When"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Say when the meeting is."))],
    )
    place = StringField(
        _l("Where"), validators=[DataRequired(_l("Say where the meeting is.")), Limit(200)]
    )
    attendees = TextAreaField(
        _l("Who attends"),
        description=_l("Parties, representatives, support people."),
        validators=[DataRequired(_l("Say who attends.")), Limit(5000)],
        render_kw={"rows": 3, "autocomplete": "off"},
    )

    def validate_scheduled_at(self, field):
        self.not_before_filing(field, _("A meeting cannot be before the case was filed."))
        if field.data and field.data.date() > today() + FAR_AHEAD:
            raise ValidationError(_("Choose a time within the next two years."))


class MeetingOutcomeForm(CaseForm):
    minutes = TextAreaField(
        _l("Minutes"),
        validators=[DataRequired(_l("Write the minutes of the meeting.")), Limit(20000)],
        render_kw={"rows": 6},
    )
    outcome = TextAreaField(
        _l("Outcome"),
        description=_l("What was agreed, or what happens next."),
        validators=[DataRequired(_l("Say what the outcome was.")), Limit(5000)],
        render_kw={"rows": 3},
    )
