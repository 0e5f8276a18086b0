"""Forms of an appeal: filing it and recording its outcome."""

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
        choices=choices(APPEAL_OUTCOME_LABELS),
        validators=[InputRequired("Choose an outcome.")],
    )
    note = TextAreaField("Reasons", validators=[Limit(5000)], render_kw={"rows": 4})
