"""The public pages' forms: raising a concern, and a receipt code with what its holder
adds. Shape only; rj/concerns.py owns the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired

from rj.concerns import LIMITS
from rj.forms import Limit

CODE_MAX = 40  # a 20-character code with its dashes and a few stray spaces


class ConcernForm(FlaskForm):
    what_happened = TextAreaField(
        _l("What happened?"),
        description=_l(
            "In your own words. Nobody else in the case sees this, only the facilitators."
        ),
        validators=[DataRequired(_l("Tell us what happened.")), Limit(LIMITS["what_happened"])],
        render_kw={"rows": 8},
    )
    when_where = StringField(
        _l("When and where did it happen?"),
        description=_l("For example: Tuesday afternoon, in the kitchen."),
        validators=[Limit(LIMITS["when_where"])],
        render_kw={"autocomplete": "off"},
    )
    name = StringField(
        _l("Your name"),
        description=_l("Leave it empty to stay anonymous."),
        validators=[Limit(LIMITS["name"])],
        render_kw={"autocomplete": "off"},
    )
    contact = StringField(
        _l("How can we reach you?"),
        description=_l(
            "A phone number, or when you are usually here. Leave it empty if you "
            "would rather check with your receipt code."
        ),
        validators=[Limit(LIMITS["contact"])],
        render_kw={"autocomplete": "off"},
    )
    # Left empty by people (it is hidden from them); robots fill it in.
    website = StringField(_l("Leave this empty"), validators=[Limit(200)])
    # One key per form shown: sent twice, it files one concern.
    submission = HiddenField()


class ReceiptForm(FlaskForm):
    code = StringField(
        _l("Your receipt code"),
        description=_l("It is on your slip, for example K7QD-9MXR-2HFT-W4PN-6CJA."),
        validators=[DataRequired(_l("Type the code from your receipt.")), Limit(CODE_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class AddInformationForm(ReceiptForm):
    more = TextAreaField(
        _l("What do you want to add?"),
        description=_l("Only the facilitators read it."),
        validators=[DataRequired(_l("Write what you want to add.")), Limit(LIMITS["more"])],
        render_kw={"rows": 6},
    )
