"""Forms of follow-up and closing: check-ins, the reflection, closing early, reopening."""

from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
)

from rj.forms import (
    Limit,
    not_far_ahead,
)
from rj.forms.process import CaseForm
from rj.vocabulary import (
    CLOSE_KIND_LABELS,
    EARLY_CLOSE_KINDS,
)


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
        choices=[SelectChoice(k, CLOSE_KIND_LABELS[k]) for k in EARLY_CLOSE_KINDS],
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


class ReopenForm(CaseForm):
    to = SelectField(
        "Reopen in stage", validators=[InputRequired("Choose the stage to reopen it in.")]
    )
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Reopening a case needs a reason."), Limit(2000)],
        render_kw={"rows": 3},
    )
