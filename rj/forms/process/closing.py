"""Forms of follow-up and closing: check-ins, the reflection, closing early, reopening."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
        _l("Check-in date"),
        validators=[InputRequired(_l("Give the date of the check-in.")), not_far_ahead],
    )

    def validate_due_on(self, field):
        self.not_before_filing(field, _("A check-in cannot be before the case was filed."))


class HoldCheckInForm(CaseForm):
    notes = TextAreaField(
        _l("Notes"),
        description=_l("How it went, and anything that needs following up."),
        validators=[DataRequired(_l("Say how the check-in went.")), Limit(10000)],
        render_kw={"rows": 5},
    )


class ReflectionForm(CaseForm):
    repaired = TextAreaField(
        _l("What was repaired"),
        validators=[DataRequired(_l("Say what was repaired.")), Limit(10000)],
        render_kw={"rows": 4},
    )
    learned = TextAreaField(
        _l("What the community learned"),
        validators=[DataRequired(_l("Say what the community learned.")), Limit(10000)],
        render_kw={"rows": 4},
    )


# --- Closing early and reopening ---------------------------------------------


class CloseEarlyForm(CaseForm):
    kind = SelectField(
        _l("Why it closes"),
        choices=[SelectChoice(k, CLOSE_KIND_LABELS[k]) for k in EARLY_CLOSE_KINDS],
        validators=[InputRequired(_l("Choose why the case closes."))],
    )
    duplicate_of = StringField(
        _l("Reference of the case it duplicates"),
        description=_l("Only for a duplicate, e.g. RJ-2026-0042."),
        validators=[Limit(20)],
        render_kw={"autocomplete": "off"},
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Closing a case early needs a reason.")), Limit(2000)],
        render_kw={"rows": 3},
    )


class ReopenForm(CaseForm):
    to = SelectField(
        _l("Reopen in stage"), validators=[InputRequired(_l("Choose the stage to reopen it in."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Reopening a case needs a reason.")), Limit(2000)],
        render_kw={"rows": 3},
    )
