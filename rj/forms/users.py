"""Forms of the coordinators' account pages: a new account, a role, handing work over."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired

from rj.accounts import DISPLAY_NAME_MAX, USERNAME_MAX
from rj.forms import Limit, choices
from rj.vocabulary import ROLE_LABELS


def _roles():
    return [SelectChoice("", _l("Choose…"))] + choices(ROLE_LABELS)


class NewUserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        description=_l("What they type to sign in: one word, no spaces. Not their e-mail."),
        validators=[DataRequired(_l("Choose a username.")), Limit(USERNAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Name shown in Mend"),
        validators=[DataRequired(_l("Give the name to show.")), Limit(DISPLAY_NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(
        _l("Role"), choices=_roles(), validators=[InputRequired(_l("Choose a role."))]
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("New role"), choices=_roles(), validators=[InputRequired(_l("Choose a role."))]
    )


def handover_form(base, held, staff):
    """``base`` with a field per duty in ``held`` (accounts.Duties): who takes it on, and
    one field that gives everything to one person."""
    people = [SelectChoice("", _("Keep it flagged for now"))] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in staff
    ]

    class HandoverForm(base):
        everything_to = SelectField(_("Give all of it to"), choices=people, default="")

    for case in held.cases:
        setattr(
            HandoverForm,
            f"case_{case.id}",
            SelectField(
                _(
                    "New lead for %(reference)s · %(title)s",
                    reference=case.reference,
                    title=case.title,
                ),
                choices=people,
                default="",
            ),
        )
    for action in held.actions:
        setattr(
            HandoverForm,
            f"action_{action.id}",
            SelectField(
                _("New owner of an action on %(reference)s", reference=action.case.reference),
                choices=people,
                default="",
            ),
        )
    for appeal in held.appeals:
        setattr(
            HandoverForm,
            f"appeal_{appeal.id}",
            SelectField(
                _("New reviewer of the appeal on %(reference)s", reference=appeal.case.reference),
                choices=people,
                default="",
            ),
        )
    return HandoverForm
