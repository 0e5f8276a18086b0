"""The organisation's settings form: stage labels, help and time targets, appeal window,
the posted procedures and whether anyone may raise a concern without an account."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from rj.forms import Limit, WholeNumberField
from rj.procedures import TEXT_MAX
from rj.workflow import DEFAULT_STAGES


def settings_form_class():
    """A form with label, help and target fields for every stage."""

    class SettingsForm(FlaskForm):
        appeal_window_days = WholeNumberField(
            "Appeal window (days after the decision is communicated)",
            validators=[
                InputRequired("Give the appeal window in days."),
                NumberRange(1, 365, "Between 1 and 365 days."),
            ],
        )
        community_enabled = BooleanField("Use the Community stage")
        procedures = TextAreaField(
            "How to raise a concern, in your words",
            description="Shown on the public procedures page, above the steps and their "
            "time targets. Markdown: ## headings, - lists, **bold**, [links](https://…). "
            "HTML, scripts and styles are removed.",
            validators=[Limit(TEXT_MAX)],
            render_kw={"rows": 14},
        )
        public_filing = BooleanField(
            "Anyone may raise a concern on the public page, without an account"
        )

    for stage in DEFAULT_STAGES:
        setattr(
            SettingsForm,
            f"label_{stage.key}",
            StringField(
                f"{stage.label}: label",
                validators=[DataRequired("Give the stage a label."), Limit(40)],
            ),
        )
        setattr(
            SettingsForm,
            f"help_{stage.key}",
            TextAreaField(
                f"{stage.label}: help text", validators=[Limit(500)], render_kw={"rows": 2}
            ),
        )
        if stage.key != "closed":
            setattr(
                SettingsForm,
                f"target_{stage.key}",
                WholeNumberField(
                    f"{stage.label}: time target (days, empty for none)",
                    validators=[Optional(), NumberRange(0, 365, "Between 0 and 365 days.")],
                ),
            )
    return SettingsForm
