"""The form of a card's move: from a drag, the "Move to…" dialog or the no-script page."""

from wtforms import (
    Form,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from rj.forms import Limit, WholeNumberField


class MoveForm(Form):
    """A move of a card: from a drag, the "Move to…" dialog or the no-script page."""

    to = SelectField(
        "Move to", validate_choice=False, validators=[InputRequired("Choose a stage.")]
    )
    version = WholeNumberField(
        "Card version",
        widget=HiddenInput(),
        validators=[InputRequired("The card's version is missing. Reload the board.")],
    )
    reason = TextAreaField(
        "Why it moves back",
        description="Only for a move back: kept in the case record, for facilitators.",
        validators=[Optional(), Limit(2000)],
    )
    before = WholeNumberField(widget=HiddenInput(), validators=[Optional()])
    after = WholeNumberField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, formdata=None, case=None, **kwargs):
        super().__init__(formdata, **kwargs)
        from rj import workflow

        self.to.choices = [SelectChoice(s.key, s.label) for s in workflow.board_stages()]
        if case is not None and formdata is None:
            self.to.data = case.stage
            self.version.data = case.version

    def validate_to(self, field):
        from rj import workflow

        if field.data not in workflow.STAGE_KEYS:
            raise ValidationError("That is not a stage of the process.")
