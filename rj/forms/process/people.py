"""Forms of the people in a case: acknowledging, parties, representatives, the lead, conflicts."""

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
        "Who acknowledged it",
        validators=[InputRequired("Say who acknowledged it.")],
    )
    at = DateTimeLocalField(
        "When",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Say when it was acknowledged."), not_in_the_future],
    )
    method = SelectField(
        "How it was communicated",
        choices=choices(ACK_METHOD_LABELS),
        validators=[InputRequired("Say how it was communicated.")],
    )
    note = TextAreaField(
        "Note",
        description="What was said, and to whom.",
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
        "Name or chosen name",
        validators=[DataRequired("Give a name or chosen name."), Limit(120)],
        render_kw={"autocomplete": "off"},
    )
    pronouns = StringField("Pronouns", validators=[Limit(40)], render_kw={"autocomplete": "off"})
    side = SelectField(
        "Side",
        choices=choices(SIDE_LABELS),
        validators=[InputRequired("Choose a side.")],
    )
    contact = StringField(
        "Contact (optional)",
        description="How to reach them, if they want to be reached. Never required.",
        validators=[Limit(200)],
        render_kw={"autocomplete": "off"},
    )


class RepresentativesForm(CaseForm):
    users = MultiCheckboxField(
        "Representatives",
        description="Choose one or more.",
        validators=[DataRequired("Choose at least one representative.")],
    )


class LeadForm(CaseForm):
    lead = SelectField(
        "Lead facilitator",
        description="Not a party to the case and without a declared conflict.",
        validators=[InputRequired("Choose a lead facilitator.")],
    )


class ConflictForm(CaseForm):
    note = TextAreaField(
        "Why (optional, facilitators only)",
        description="After this the case leaves your board and you can no longer open it.",
        validators=[Limit(2000)],
        render_kw={"rows": 3},
    )


class AccessForm(CaseForm):
    """Access to a case for a person in it, or for a new representative of theirs."""

    how = RadioField(
        "Do they have an account in Mend already?",
        choices=choices(
            {
                "new": "No: make one, with a set-up slip",
                "existing": "Yes: give them a one-time case code instead",
            }
        ),
        validators=[InputRequired("Choose one.")],
    )
    username = StringField(
        "Username for the new account",
        description="What they will type to sign in: one word, no spaces. Only for a new account.",
        validators=[Limit(USERNAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        "Name shown in Mend",
        description="Only for a new account.",
        validators=[Limit(DISPLAY_NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )

    def validate_username(self, field):
        if self.how.data == "new" and not (field.data or "").strip():
            raise ValidationError("Choose a username for the new account.")
