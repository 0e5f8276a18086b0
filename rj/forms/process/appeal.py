"""Forms of an appeal: filing it and recording its outcome."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
)

from rj.forms import (
    Limit,
    choices,
)
from rj.forms.process import CaseForm
from rj.vocabulary import (
    APPEAL_OUTCOME_LABELS,
)


class AppealForm(CaseForm):
    party = SelectField(_l("Who appeals"), validators=[InputRequired(_l("Choose who appeals."))])
    grounds = TextAreaField(
        _l("Grounds"),
        validators=[DataRequired(_l("Give the grounds of the appeal.")), Limit(10000)],
        render_kw={"rows": 5},
    )
    reviewer = SelectField(
        _l("Reviewing facilitator"),
        description=_l("Not the lead facilitator, not a party, without a declared conflict."),
        validators=[InputRequired(_l("Choose a reviewing facilitator."))],
    )


class AppealOutcomeForm(CaseForm):
    outcome = SelectField(
        _l("Outcome"),
        choices=choices(APPEAL_OUTCOME_LABELS),
        validators=[InputRequired(_l("Choose an outcome."))],
    )
    note = TextAreaField(_l("Reasons"), validators=[Limit(5000)], render_kw={"rows": 4})
