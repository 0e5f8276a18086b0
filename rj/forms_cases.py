"""Forms of the case record: filing a case."""

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from rj.clock import local, utcnow
from rj.models import SEVERITIES

EARLIEST = datetime(2000, 1, 1)


def not_in_the_future(form, field):
    if field.data and field.data > local(utcnow()).replace(tzinfo=None):
        raise ValidationError("This cannot be in the future.")
    if field.data and field.data < EARLIEST:
        raise ValidationError("Give a date after 2000.")


class IntakeForm(FlaskForm):
    title = StringField(
        "Neutral short title",
        description="Shown on the board in shared rooms: no names, nothing identifying.",
        validators=[DataRequired("Give the case a short neutral title."), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )
    what_happened = TextAreaField(
        "What happened",
        validators=[DataRequired("Say what happened."), Length(max=20000)],
        render_kw={"rows": 6},
    )
    occurred_at = DateTimeLocalField(
        "When it happened",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Say when it happened."), not_in_the_future],
    )
    location = StringField(
        "Where it happened",
        validators=[DataRequired("Say where it happened."), Length(max=200)],
    )
    people_involved = TextAreaField(
        "Who was involved",
        description="Names where known, or a description.",
        validators=[Length(max=5000)],
        render_kw={"rows": 3, "autocomplete": "off"},
    )
    raised_by = StringField(
        "Raised by",
        validators=[DataRequired("Say who raised it."), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    severity = SelectField(
        "Severity",
        choices=[SelectChoice(s, s.title()) for s in SEVERITIES],
        validators=[InputRequired("Choose a severity.")],
    )
    safety_steps = TextAreaField(
        "Immediate safety steps taken",
        validators=[Length(max=5000)],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, kind="complaint", **kwargs):
        super().__init__(*args, **kwargs)
        if kind == "complaint":
            self.raised_by.description = (
                "The participant who complained, or who raised it for them."
            )
        else:
            self.raised_by.description = "The staff member or volunteer reporting the incident."
