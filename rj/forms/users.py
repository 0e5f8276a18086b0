"""Forms of the coordinators' account pages: a new account, a role, handing work over."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired

from rj.accounts import DISPLAY_NAME_MAX, USERNAME_MAX
from rj.forms import Limit, choices
from rj.vocabulary import ROLE_LABELS


def _roles():
    return [SelectChoice("", "Choose…")] + choices(ROLE_LABELS)


class NewUserForm(FlaskForm):
    username = StringField(
        "Username",
        description="What they type to sign in: one word, no spaces. Not their e-mail.",
        validators=[DataRequired("Choose a username."), Limit(USERNAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        "Name shown in Mend",
        validators=[DataRequired("Give the name to show."), Limit(DISPLAY_NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField("Role", choices=_roles(), validators=[InputRequired("Choose a role.")])


class RoleForm(FlaskForm):
    role = SelectField("New role", choices=_roles(), validators=[InputRequired("Choose a role.")])


def handover_form(base, held, staff):
    """``base`` with a field per duty in ``held`` (accounts.Duties): who takes it on, and
    one field that gives everything to one person."""
    people = [SelectChoice("", "Keep it flagged for now")] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in staff
    ]

    class HandoverForm(base):
        everything_to = SelectField("Give all of it to", choices=people, default="")

    for case in held.cases:
        setattr(
            HandoverForm,
            f"case_{case.id}",
            SelectField(
                f"New lead for {case.reference} · {case.title}", choices=people, default=""
            ),
        )
    for action in held.actions:
        setattr(
            HandoverForm,
            f"action_{action.id}",
            SelectField(
                f"New owner of an action on {action.case.reference}", choices=people, default=""
            ),
        )
    for appeal in held.appeals:
        setattr(
            HandoverForm,
            f"appeal_{appeal.id}",
            SelectField(
                f"New reviewer of the appeal on {appeal.case.reference}",
                choices=people,
                default="",
            ),
        )
    return HandoverForm
