"""The form of a card's move: from a drag, the "Move to…" dialog or the no-script page."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
        _l("Move to"), validate_choice=False, validators=[InputRequired(_l("Choose a stage."))]
    )
    version = WholeNumberField(
        _l("Card version"),
        widget=HiddenInput(),
        validators=[InputRequired(_l("The card's version is missing. Reload the board."))],
    )
    reason = TextAreaField(
        _l("Why it moves back"),
        description=_l("Only for a move back: kept in the case record, for facilitators."),
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
            raise ValidationError(_("That is not a stage of the process."))
