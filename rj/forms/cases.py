"""Forms of a case: filing it, and its facts corrected and redacted."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
        _l("Neutral short title"),
        description=_l("Shown on the board in shared rooms: no names, nothing identifying."),
        validators=[
            DataRequired(_l("Give the case a short neutral title.")),
            Limit(FACT_LIMITS["title"]),
        ],
        render_kw={"autocomplete": "off"},
    )
    what_happened = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(_l("Say what happened.")), Limit(FACT_LIMITS["what_happened"])],
        render_kw={"rows": 6},
    )
    occurred_at = DateTimeLocalField(
        _l("When it happened"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Say when it happened.")), not_in_the_future],
    )
    location = StringField(
        _l("Where it happened"),
        validators=[DataRequired(_l("Say where it happened.")), Limit(FACT_LIMITS["location"])],
    )
    people_involved = TextAreaField(
        _l("Who was involved"),
        description=_l("Names where known, or a description."),
        validators=[Limit(FACT_LIMITS["people_involved"])],
        render_kw={"rows": 3, "autocomplete": "off"},
    )
    raised_by = StringField(
        _l("Raised by"),
        validators=[DataRequired(_l("Say who raised it.")), Limit(FACT_LIMITS["raised_by"])],
        render_kw={"autocomplete": "off"},
    )
    safety_steps = TextAreaField(
        _l("Immediate safety steps taken"),
        validators=[Limit(FACT_LIMITS["safety_steps"])],
        render_kw={"rows": 3},
    )

    def facts(self):
        return {name: getattr(self, name).data for name in FACT_FIELDS}


def severity_choices():
    """Low to urgent, after an empty "Choose…": there is no silent default, and "not yet
    assessed" is never chosen."""
    return [SelectChoice("", _l("Choose…"))] + choices(
        {s: SEVERITY_LABELS[s] for s in ASSESSED_SEVERITIES}
    )


class IntakeForm(FactsFields):
    severity = SelectField(
        _l("Severity"),
        choices=severity_choices(),
        validators=[InputRequired(_l("Choose a severity."))],
    )

    def __init__(self, *args, kind="complaint", **kwargs):
        super().__init__(*args, **kwargs)
        if kind == "complaint":
            self.raised_by.description = _(
                "The participant who complained, or who raised it for them."
            )
        else:
            self.raised_by.description = _("The staff member or volunteer reporting the incident.")


class FactsForm(FactsFields):
    """A correction of the case's facts: a new revision, with why."""

    reason = TextAreaField(
        _l("Why they are corrected"),
        description=_l("Kept with the correction, for everyone who reads its history."),
        validators=[DataRequired(_l("Say why the facts are being corrected.")), Limit(REASON_MAX)],
        render_kw={"rows": 2},
    )
    revision = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()])


class FactsRedactForm(FlaskForm):
    fields = MultiCheckboxField(
        _l("Which facts to redact"),
        choices=[SelectChoice(name, FACT_LABELS[name]) for name in TEXT_FACT_FIELDS],
        validators=[DataRequired(_l("Choose which facts to redact."))],
    )
    reason = TextAreaField(
        _l("Why they are redacted"),
        description=_l("Kept with the redaction. Do not repeat what is being removed."),
        validators=[DataRequired(_l("Say why these facts are redacted.")), Limit(REASON_MAX)],
        render_kw={"rows": 3},
    )


class SeverityForm(FlaskForm):
    severity = SelectField(
        _l("Severity"),
        choices=severity_choices(),
        validators=[InputRequired(_l("Choose a severity."))],
    )
