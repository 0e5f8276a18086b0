"""Forms of the people in a case: acknowledging, parties, representatives, the lead, conflicts."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    ValidationError,
)

from rj.accounts import DISPLAY_NAME_MAX, USERNAME_MAX
from rj.forms import (
    Limit,
    MultiCheckboxField,
    choices,
    local_now,
    not_in_the_future,
)
from rj.forms.process import CaseForm
from rj.vocabulary import (
    ACK_METHOD_LABELS,
    SIDE_LABELS,
)


class AcknowledgementForm(CaseForm):
    by = SelectField(
        _l("Who acknowledged it"),
        validators=[InputRequired(_l("Say who acknowledged it."))],
    )
    at = DateTimeLocalField(
        _l("When"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Say when it was acknowledged.")), not_in_the_future],
    )
    method = SelectField(
        _l("How it was communicated"),
        choices=choices(ACK_METHOD_LABELS),
        validators=[InputRequired(_l("Say how it was communicated."))],
    )
    note = TextAreaField(
        _l("Note"),
        description=_l("What was said, and to whom."),
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted() and self.at.data is None:
            self.at.data = local_now()


# --- People ------------------------------------------------------------------


class PartyForm(CaseForm):
    name = StringField(
        _l("Name or chosen name"),
        validators=[DataRequired(_l("Give a name or chosen name.")), Limit(120)],
        render_kw={"autocomplete": "off"},
    )
    pronouns = StringField(
        _l("Pronouns"), validators=[Limit(40)], render_kw={"autocomplete": "off"}
    )
    side = SelectField(
        _l("Side"),
        choices=choices(SIDE_LABELS),
        validators=[InputRequired(_l("Choose a side."))],
    )
    contact = StringField(
        _l("Contact"),
        description=_l("How to reach them, if they want to be reached. Never required."),
        validators=[Limit(200)],
        render_kw={"autocomplete": "off"},
    )


class RepresentativesForm(CaseForm):
    users = MultiCheckboxField(
        _l("Representatives"),
        description=_l("Choose one or more."),
        validators=[DataRequired(_l("Choose at least one representative."))],
    )


class LeadForm(CaseForm):
    lead = SelectField(
        _l("Lead facilitator"),
        description=_l("Not a party to the case and without a declared conflict."),
        validators=[InputRequired(_l("Choose a lead facilitator."))],
    )


class ConflictForm(CaseForm):
    note = TextAreaField(
        _l("Why (optional, facilitators only)"),
        description=_l("After this the case leaves your board and you can no longer open it."),
        validators=[Limit(2000)],
        render_kw={"rows": 3},
    )


class AccessForm(CaseForm):
    """Access to a case for a person in it, or for a new representative of theirs."""

    how = RadioField(
        _l("Do they have an account in Mend already?"),
        choices=choices(
            {
                "new": _l("No: make one, with a set-up slip"),
                "existing": _l("Yes: give them a one-time case code instead"),
            }
        ),
        validators=[InputRequired(_l("Choose one."))],
    )
    username = StringField(
        _l("Username for the new account"),
        description=_l(
            "What they will type to sign in: one word, no spaces. Only for a new account."
        ),
        validators=[Limit(USERNAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Name shown in Mend"),
        description=_l("Only for a new account."),
        validators=[Limit(DISPLAY_NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )

    def validate_username(self, field):
        if self.how.data == "new" and not (field.data or "").strip():
            raise ValidationError(_("Choose a username for the new account."))
