"""Forms of one's own account: the name shown, two-factor sign-in."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from rj.accounts import DISPLAY_NAME_MAX
from rj.forms import Limit


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        _l("Your name as Mend shows it"),
        description=_l("Shown to the people you work with in Mend."),
        validators=[DataRequired(_l("Give the name to show.")), Limit(DISPLAY_NAME_MAX)],
        render_kw={"autocomplete": "name"},
    )


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("The code your app shows now"),
        description=_l("Six digits. It changes every 30 seconds."),
        validators=[DataRequired(_l("Enter the code your app shows.")), Limit(20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
