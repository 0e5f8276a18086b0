"""What a participant or representative may add to their own case."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from rj.concerns import LIMITS
from rj.entries import BODY_MAX
from rj.forms import Limit


class StatementForm(FlaskForm):
    kind = SelectField(
        _l("What you are adding"),
        choices=[SelectChoice("statement", _l("A statement"))],
        validators=[InputRequired(_l("Choose what you are adding."))],
    )
    party = SelectField(_l("For"), validators=[InputRequired(_l("Choose whose side this is for."))])
    body = TextAreaField(
        _l("Your words"),
        description=_l("Seen by the facilitators, this side of the case and its representatives."),
        validators=[DataRequired(_l("Write something first.")), Limit(BODY_MAX)],
        render_kw={"rows": 8},
    )


class CaseCodeForm(FlaskForm):
    code = StringField(
        _l("Case code"),
        description=_l("From the slip a facilitator gave you, for example ABCD-EFGH-JKLM."),
        validators=[DataRequired(_l("Type the code from your slip.")), Limit(40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class ConcernForm(FlaskForm):
    """A complaint about one's own experience, raised from "My cases"."""

    what_happened = TextAreaField(
        _l("What happened?"),
        description=_l(
            "In your own words. The facilitators read it, and so do your side of the "
            "case and its representatives; nobody on the other side does."
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
