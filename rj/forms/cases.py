"""Forms of a case: filing it, and its facts corrected and redacted."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import HiddenInput

from rj.cases import FACT_LABELS, FACT_LIMITS
from rj.entries import REASON_MAX
from rj.forms import Limit, MultiCheckboxField, WholeNumberField, choices, not_in_the_future
from rj.models import FACT_FIELDS, TEXT_FACT_FIELDS
from rj.vocabulary import ASSESSED_SEVERITIES, SEVERITY_LABELS


class FactsFields(FlaskForm):
    """The facts of a case: filed with it, corrected as revisions."""

    title = StringField(
        "Neutral short title",
        description="Shown on the board in shared rooms: no names, nothing identifying.",
        validators=[
            DataRequired("Give the case a short neutral title."),
            Limit(FACT_LIMITS["title"]),
        ],
        render_kw={"autocomplete": "off"},
    )
    what_happened = TextAreaField(
        "What happened",
        validators=[DataRequired("Say what happened."), Limit(FACT_LIMITS["what_happened"])],
        render_kw={"rows": 6},
    )
    occurred_at = DateTimeLocalField(
        "When it happened",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Say when it happened."), not_in_the_future],
    )
    location = StringField(
        "Where it happened",
        validators=[DataRequired("Say where it happened."), Limit(FACT_LIMITS["location"])],
    )
    people_involved = TextAreaField(
        "Who was involved",
        description="Names where known, or a description.",
        validators=[Limit(FACT_LIMITS["people_involved"])],
        render_kw={"rows": 3, "autocomplete": "off"},
    )
    raised_by = StringField(
        "Raised by",
        validators=[DataRequired("Say who raised it."), Limit(FACT_LIMITS["raised_by"])],
        render_kw={"autocomplete": "off"},
    )
    safety_steps = TextAreaField(
        "Immediate safety steps taken",
        validators=[Limit(FACT_LIMITS["safety_steps"])],
        render_kw={"rows": 3},
    )

    def facts(self):
        return {name: getattr(self, name).data for name in FACT_FIELDS}


def severity_choices():
    """Low to urgent, after an empty "Choose…": there is no silent default, and "not yet
    assessed" is never chosen."""
    return [SelectChoice("", "Choose…")] + choices(
        {s: SEVERITY_LABELS[s] for s in ASSESSED_SEVERITIES}
    )


class IntakeForm(FactsFields):
    severity = SelectField(
        "Severity",
        choices=severity_choices(),
        validators=[InputRequired("Choose a severity.")],
    )

    def __init__(self, *args, kind="complaint", **kwargs):
        super().__init__(*args, **kwargs)
        if kind == "complaint":
            self.raised_by.description = (
                "The participant who complained, or who raised it for them."
            )
        else:
            self.raised_by.description = "The staff member or volunteer reporting the incident."


class FactsForm(FactsFields):
    """A correction of the case's facts: a new revision, with why."""

    reason = TextAreaField(
        "Why they are corrected",
        description="Kept with the correction, for everyone who reads its history.",
        validators=[DataRequired("Say why the facts are being corrected."), Limit(REASON_MAX)],
        render_kw={"rows": 2},
    )
    revision = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()])


class FactsRedactForm(FlaskForm):
    fields = MultiCheckboxField(
        "Which facts to redact",
        choices=[SelectChoice(name, FACT_LABELS[name]) for name in TEXT_FACT_FIELDS],
        validators=[DataRequired("Choose which facts to redact.")],
    )
    reason = TextAreaField(
        "Why they are redacted",
        description="Kept with the redaction. Do not repeat what is being removed.",
        validators=[DataRequired("Say why these facts are redacted."), Limit(REASON_MAX)],
        render_kw={"rows": 3},
    )


class SeverityForm(FlaskForm):
    severity = SelectField(
        "Severity", choices=severity_choices(), validators=[InputRequired("Choose a severity.")]
    )
