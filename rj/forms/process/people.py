"""Forms of the people in a case: acknowledging, parties, representatives, the lead, conflicts."""

from wtforms import (
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Optional,
)

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
    account = SelectField(
        "Their account in Mend (optional)",
        description="Link an account if they have one: the case then shows in their "
        '"My cases", and leaves their board.',
        validators=[Optional()],
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
