"""Forms of the decision: restorative actions, when it was communicated, the community."""

from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
)

from rj.forms import (
    Limit,
    choices,
    not_far_ahead,
    not_in_the_future_date,
    not_in_the_past,
)
from rj.forms.process import CaseForm
from rj.vocabulary import (
    ACTION_KINDS,
    ACTION_STATUS_LABELS,
)


class ActionForm(CaseForm):
    party = SelectField("Who it is for", validators=[InputRequired("Choose who it is for.")])
    kind = SelectField(
        "Kind of action",
        description="Support or a service for someone harmed; repair, learning, agreed "
        "boundaries, time away or other for the person who caused harm.",
        choices=[SelectChoice(k, label) for k, (label, _) in ACTION_KINDS.items()],
        validators=[InputRequired("Choose a kind of action.")],
    )
    description = TextAreaField(
        "Description",
        validators=[DataRequired("Describe the action."), Limit(5000)],
        render_kw={"rows": 3},
    )
    owner = SelectField(
        "Owner",
        description="The facilitator who sees it done.",
        validators=[InputRequired("Choose an owner.")],
    )
    due_on = DateField(
        "Due on",
        validators=[InputRequired("Give a due date."), not_in_the_past, not_far_ahead],
    )


class ActionStatusForm(CaseForm):
    status = SelectField(
        "Status",
        choices=choices(ACTION_STATUS_LABELS),
        validators=[InputRequired("Choose a status.")],
    )
    waived_reason = TextAreaField(
        "Why it was waived",
        description="Needed when the action is waived.",
        validators=[Limit(2000)],
        render_kw={"rows": 3},
    )


class CommunicatedForm(CaseForm):
    on = DateField(
        "Date the decision was communicated to the parties",
        description="The appeal window counts from this day.",
        validators=[InputRequired("Give the date."), not_in_the_future_date],
    )

    def validate_on(self, field):
        self.not_before_filing(field, "The decision")


# --- Community ---------------------------------------------------------------


class CommunityForm(CaseForm):
    impacted = TextAreaField(
        "Who else was impacted",
        description="Witnesses, groups, the space itself.",
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )
    actions = TextAreaField(
        "Community actions",
        description="A circle, a change to the space, a policy review with participants.",
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )
    none_reason = TextAreaField(
        'Or "none": why nobody else was impacted',
        validators=[Limit(2000)],
        render_kw={"rows": 2},
    )
