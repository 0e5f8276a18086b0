"""The organisation's settings form: stage labels, help and time targets, appeal window,
the posted procedures and whether anyone may raise a concern without an account."""

from flask_babel import gettext as _
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
            _("Appeal window (days after the decision is communicated)"),
            validators=[
                InputRequired(_("Give the appeal window in days.")),
                NumberRange(1, 365, _("Between 1 and 365 days.")),
            ],
        )
        community_enabled = BooleanField(_("Use the Community stage"))
        procedures = TextAreaField(
            _("How to raise a concern, in your words"),
            description=_(
                "Shown on the public procedures page, above the steps and their "
                "time targets. Markdown: ## headings, - lists, **bold**, [links](https://…). "
                "HTML, scripts and styles are removed."
            ),
            validators=[Limit(TEXT_MAX)],
            render_kw={"rows": 14},
        )
        public_filing = BooleanField(
            _("Anyone may raise a concern on the public page, without an account")
        )

    for stage in DEFAULT_STAGES:
        setattr(
            SettingsForm,
            f"label_{stage.key}",
            StringField(
                _("%(stage)s: label", stage=stage.label),
                validators=[DataRequired(_("Give the stage a label.")), Limit(40)],
            ),
        )
        setattr(
            SettingsForm,
            f"help_{stage.key}",
            TextAreaField(
                _("%(stage)s: help text", stage=stage.label),
                validators=[Limit(500)],
                render_kw={"rows": 2},
            ),
        )
        if stage.key != "closed":
            setattr(
                SettingsForm,
                f"target_{stage.key}",
                WholeNumberField(
                    _("%(stage)s: time target (days, empty for none)", stage=stage.label),
                    validators=[Optional(), NumberRange(0, 365, _("Between 0 and 365 days."))],
                ),
            )
    return SettingsForm
