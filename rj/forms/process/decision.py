"""Forms of the decision: restorative actions, when it was communicated, the community."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
    party = SelectField(
        _l("Who it is for"), validators=[InputRequired(_l("Choose who it is for."))]
    )
    kind = SelectField(
        _l("Kind of action"),
        description=_l(
            "Support or a service for someone harmed; repair, learning, agreed "
            "boundaries, time away or other for the person who caused harm."
        ),
        choices=[SelectChoice(k, label) for k, (label, _sides) in ACTION_KINDS.items()],
        validators=[InputRequired(_l("Choose a kind of action."))],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(_l("Describe the action.")), Limit(5000)],
        render_kw={"rows": 3},
    )
    owner = SelectField(
        _l("Owner"),
        description=_l("The facilitator who sees it done."),
        validators=[InputRequired(_l("Choose an owner."))],
    )
    due_on = DateField(
        _l("Due on"),
        validators=[InputRequired(_l("Give a due date.")), not_in_the_past, not_far_ahead],
    )


class ActionStatusForm(CaseForm):
    status = SelectField(
        _l("Status"),
        choices=choices(ACTION_STATUS_LABELS),
        validators=[InputRequired(_l("Choose a status."))],
    )
    waived_reason = TextAreaField(
        _l("Why it was waived"),
        description=_l("Needed when the action is waived."),
        validators=[Limit(2000)],
        render_kw={"rows": 3},
    )


class CommunicatedForm(CaseForm):
    on = DateField(
        _l("Date the decision was communicated to the parties"),
        description=_l("The appeal window counts from this day."),
        validators=[InputRequired(_l("Give the date.")), not_in_the_future_date],
    )

    def validate_on(self, field):
        self.not_before_filing(field, _("The decision cannot be before the case was filed."))


# --- Community ---------------------------------------------------------------


class CommunityForm(CaseForm):
    impacted = TextAreaField(
        _l("Who else was impacted"),
        description=_l("Witnesses, groups, the space itself."),
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )
    actions = TextAreaField(
        _l("Community actions"),
        description=_l("A circle, a change to the space, a policy review with participants."),
        validators=[Limit(5000)],
        render_kw={"rows": 3},
    )
    none_reason = TextAreaField(
        _l('Or "none": why nobody else was impacted'),
        validators=[Limit(2000)],
        render_kw={"rows": 2},
    )
