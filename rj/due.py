"""What is due: acknowledgements, actions and check-ins, soon or overdue, across the cases
a facilitator can see. Three queries, whatever the number of cases."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from rj import policy
from rj.board import _as_date
from rj.clock import today
from rj.models import Acknowledgement, Action, Case, CheckIn, User
from rj.vocabulary import action_label

SOON_DAYS = 7


@dataclass
class DueItem:
    what: str
    detail: str
    due_on: date
    case: Case
    owner: str = ""

    @property
    def overdue(self):
        return self.due_on < today()


def items(user, soon_days=SOON_DAYS):
    """Everything due within ``soon_days`` or already overdue, earliest first."""
    horizon = today() + timedelta(days=soon_days)
    visible = policy.board_cases(user).where(Case.stage != "closed")
    visible_ids = visible.select(Case.id)
    found = []
    unacknowledged = visible.where(
        (Case.stage == "filed")
        & Case.stage_due_on.is_null(False)
        & (Case.stage_due_on <= horizon)
        & Case.id.not_in(Acknowledgement.select(Acknowledgement.case))
    )
    for case in unacknowledged:
        found.append(
            DueItem(
                _("Acknowledgement"),
                _("Acknowledge the concern to whoever raised it"),
                _as_date(case.stage_due_on),
                case,
            )
        )
    owner = User.alias("owner")
    actions = (
        Action.select(Action, Case, owner.display_name.alias("owner_name"))
        .join(Case)
        .switch(Action)
        .join(owner, on=(Action.owner == owner.id))
        .where(
            (Action.status == "open") & (Action.due_on <= horizon) & Action.case.in_(visible_ids)
        )
        .objects()
    )
    for action in actions:
        found.append(
            DueItem(
                _("Action: %(kind)s", kind=action_label(action.kind)),
                action.description,
                _as_date(action.due_on),
                action.case,
                action.owner_name,
            )
        )
    checkins = (
        CheckIn.select(CheckIn, Case)
        .join(Case)
        .where(
            CheckIn.held_at.is_null() & (CheckIn.due_on <= horizon) & CheckIn.case.in_(visible_ids)
        )
    )
    for checkin in checkins:
        found.append(
            DueItem(_("Check-in"), _("Follow-up check-in"), _as_date(checkin.due_on), checkin.case)
        )
    found.sort(key=lambda item: (item.due_on, item.case.reference))
    return found


@dataclass
class Unattended:
    what: str
    case: Case
    holder: str


def unattended(user):
    """Open work held by an account that cannot act on it (turned off, or no longer a
    facilitator), on the cases ``user`` can see: flagged until someone takes it on."""
    from rj import accounts

    held = accounts.unattended()
    hidden = set(policy.excluded_case_ids(user))
    holders = {c.lead_id for c in held.cases} | {a.owner_id for a in held.actions}
    holders |= {a.reviewer_id for a in held.appeals}
    names = dict(
        User.select(User.id, User.display_name).where(User.id.in_(holders or {0})).tuples()
    )
    found = [Unattended(_("Needs a new lead"), c, names.get(c.lead_id, "")) for c in held.cases]
    found += [
        Unattended(_("An action needs a new owner"), a.case, names.get(a.owner_id, ""))
        for a in held.actions
    ]
    found += [
        Unattended(_("An appeal needs a new reviewer"), a.case, names.get(a.reviewer_id, ""))
        for a in held.appeals
    ]
    return [item for item in found if item.case.id not in hidden]
