"""Every word Mend uses for its own values: roles, kinds, severities, sides, audiences,
stages' default labels, the kinds and states of what a case records. One home for each,
so a page, a form, an export and the Due page say the same thing.

Values (the keys) are stored in the database; labels are what people read, marked for
translation and looked up when shown (lazy strings): ``str()`` one where a real string is
needed (JSON, a database column, a join).
"""

from flask_babel import lazy_gettext as _l

# --- Accounts ---------------------------------------------------------------------

ROLE_LABELS = {
    "admin": _l("Coordinator"),
    "facilitator": _l("Facilitator"),
    "representative": _l("Representative"),
    "participant": _l("Participant"),
    "volunteer": _l("Volunteer"),
}
ROLES = tuple(ROLE_LABELS)

# --- Cases ------------------------------------------------------------------------

CASE_KIND_LABELS = {"complaint": _l("Complaint"), "incident": _l("Incident")}
CASE_KINDS = tuple(CASE_KIND_LABELS)
# How a facilitator files each kind.
FILING_HEADINGS = {"complaint": _l("File a complaint"), "incident": _l("Report an incident")}

SEVERITY_LABELS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
    "unassessed": _l("Not yet assessed"),
}
SEVERITIES = tuple(SEVERITY_LABELS)
# Concerns from the public, from a participant or from the tablet arrive unassessed,
# until a facilitator sets the severity.
UNASSESSED = "unassessed"
# What a facilitator chooses, filing a case or assessing one: never "not yet assessed".
ASSESSED_SEVERITIES = tuple(s for s in SEVERITIES if s != UNASSESSED)

# How a case came in: filed by staff, raised by a participant from "My cases", raised
# by anyone on the public page, or reported on the tablet.
RAISED_VIA_LABELS = {
    "staff": _l("Filed by staff"),
    "participant": _l("Raised by a participant"),
    "public": _l("Raised publicly"),
    "tablet": _l("Reported on the tablet"),
}

# The stages of the process with the words an organisation starts with (settings may
# change the labels and help; rj/workflow.py holds their rules and time targets).
STAGE_DEFAULTS = {
    "filed": (_l("Filed"), _l("A complaint or incident report has come in.")),
    "acknowledged": (_l("Acknowledged"), _l("The concern was acknowledged to whoever raised it.")),
    "investigating": (_l("Investigating"), _l("Impartial fact finding: statements, witnesses.")),
    "hearing": (_l("Hearing"), _l("A meeting with the people involved and their representatives.")),
    "restoring": (_l("Restoring"), _l("Restorative actions for each person, by the decision.")),
    "community": (_l("Community"), _l("Restoring or transforming the community and the space.")),
    "followup": (_l("Follow-up"), _l("Check-ins and reflection on the agreed timeline.")),
    "closed": (_l("Closed"), _l("The record is complete.")),
    "appeal": (_l("Appeal"), _l("A participant asked for the decision to be reviewed.")),
}

# An empty column of the board says what belongs in it.
STAGE_ARRIVALS = {
    "filed": _l("New complaints and incident reports arrive here."),
    "acknowledged": _l("Cases arrive here once the concern is acknowledged."),
    "investigating": _l("Cases arrive here once a lead facilitator is set."),
    "hearing": _l("Cases arrive here once findings and a meeting are recorded."),
    "restoring": _l("Cases arrive here once the meeting's outcome and a decision are recorded."),
    "community": _l("Cases arrive here once the impact on the community is assessed."),
    "followup": _l("Cases arrive here once a check-in is scheduled."),
    "closed": _l(
        "Cases arrive here once every action is done, a reflection is recorded and "
        "the appeal window has passed."
    ),
    "appeal": _l("Cases arrive here when someone appeals a decision within the window."),
}

# The stage of a case, said plainly to the people in it.
PLAIN_STAGES = {
    "filed": _l("Your concern has been received."),
    "acknowledged": _l("Your concern has been acknowledged. A facilitator will look into it."),
    "investigating": _l(
        "A facilitator is finding out what happened, listening to everyone involved."
    ),
    "hearing": _l("A meeting is being arranged with the people involved and their supporters."),
    "restoring": _l("A decision has been made on what will be done to repair the harm."),
    "community": _l("The wider community and the space are being looked after too."),
    "followup": _l("Check-ins are happening to see how things are going."),
    "closed": _l("This case is closed."),
    "appeal": _l("The decision is being reviewed after an appeal."),
}

# How a case was closed: after follow-up ("resolved"), or early.
CLOSE_KIND_LABELS = {
    "resolved": _l("Closed after follow-up"),
    "withdrawn": _l("Withdrawn"),
    "duplicate": _l("Duplicate of another case"),
    "referred": _l("Referred elsewhere"),
}
CLOSE_KINDS = tuple(CLOSE_KIND_LABELS)
EARLY_CLOSE_KINDS = ("withdrawn", "duplicate", "referred")

# --- People in a case ------------------------------------------------------------------

SIDE_LABELS = {
    "harmed": _l("Harmed"),
    "caused": _l("Caused harm"),
    "impacted": _l("Impacted community member"),
}
SIDES = tuple(SIDE_LABELS)

# --- Entries ----------------------------------------------------------------------------

ENTRY_KIND_LABELS = {
    "statement": _l("Statement"),
    "witness": _l("Witness account"),
    "evidence": _l("Evidence"),
    "finding": _l("Findings"),
    "note": _l("Note"),
}
ENTRY_KINDS = tuple(ENTRY_KIND_LABELS)
ENTRY_HEADINGS = {
    "statement": _l("Add a statement"),
    "witness": _l("Add a witness account"),
    "evidence": _l("Add evidence"),
    "finding": _l("Record findings"),
    "note": _l("Add a note"),
}

AUDIENCE_LABELS = {
    "facilitators": _l("Facilitators only"),
    "team": _l("Case team"),
    "party": _l("One side"),
    "everyone": _l("Everyone in the case"),
}
AUDIENCES = tuple(AUDIENCE_LABELS)

# --- The process ------------------------------------------------------------------------

ACK_METHOD_LABELS = {
    "in person": _l("In person"),
    "phone": _l("Phone"),
    "message": _l("Message"),
    "letter": _l("Letter"),
}

# kind -> (label, the sides of the person it can be for)
ACTION_KINDS = {
    "support": (_l("Support"), ("harmed", "impacted")),
    "service": (_l("A service"), ("harmed", "impacted")),
    "repair": (_l("Repair"), ("caused",)),
    "learning": (_l("Learning"), ("caused",)),
    "boundaries": (_l("Agreed boundaries"), ("caused",)),
    "time_away": (_l("Time away from the space"), ("caused",)),
    "other": (_l("Other"), ("caused",)),
}
ACTION_STATUS_LABELS = {"open": _l("Open"), "done": _l("Done"), "waived": _l("Waived")}

APPEAL_OUTCOME_LABELS = {
    "upheld": _l("Upheld: the decision stands"),
    "hearing": _l("Back to Hearing"),
    "restoring": _l("Back to Restoring"),
}


# --- Reports ------------------------------------------------------------------------------

REPORT_PERIOD_LABELS = {
    "this-month": _l("This month"),
    "last-month": _l("Last month"),
    "this-quarter": _l("This quarter"),
    "last-quarter": _l("Last quarter"),
    "this-year": _l("This year"),
    "last-year": _l("Last year"),
    "custom": _l("Between two dates"),
}
# Where a restorative action due in a period stands now.
ACTION_STATE_LABELS = {
    "done": _l("Done"),
    "waived": _l("Waived"),
    "overdue": _l("Open, overdue"),
    "open": _l("Open, not yet due"),
}
# Where a check-in due in a period stands now.
CHECKIN_STATE_LABELS = {
    "on_time": _l("Held on time"),
    "late": _l("Held late"),
    "missed": _l("Not held, overdue"),
    "pending": _l("Not yet due"),
}


def action_label(kind):
    return ACTION_KINDS.get(kind, (kind,))[0]


def label(labels, value):
    """The label of ``value`` in ``labels``, or the value itself for one not (yet) known."""
    return labels.get(value, value)


# What happened to an account, as its history says it.
ACCOUNT_ACTION_LABELS = {
    "account.created": _l("Account created"),
    "account.code_issued": _l("Set-up code made"),
    "account.code_used": _l("Signed in with the set-up code"),
    "account.password_changed": _l("Password changed"),
    "account.role_changed": _l("Role changed"),
    "account.renamed": _l("Name changed"),
    "account.deactivated": _l("Turned off"),
    "account.reactivated": _l("Turned on again"),
    "account.two_factor_on": _l("Two-factor sign-in turned on"),
    "account.two_factor_reset": _l("Two-factor sign-in reset"),
    "account.recovery_code_used": _l("Signed in with a recovery code"),
}

# The label sets templates name, as in ``{{ case.severity|label("severity") }}``.
LABEL_SETS = {
    "role": ROLE_LABELS,
    "case_kind": CASE_KIND_LABELS,
    "severity": SEVERITY_LABELS,
    "close_kind": CLOSE_KIND_LABELS,
    "side": SIDE_LABELS,
    "entry_kind": ENTRY_KIND_LABELS,
    "audience": AUDIENCE_LABELS,
    "ack_method": ACK_METHOD_LABELS,
    "action_status": ACTION_STATUS_LABELS,
    "appeal_outcome": APPEAL_OUTCOME_LABELS,
    "plain_stage": PLAIN_STAGES,
    "account_action": ACCOUNT_ACTION_LABELS,
    "raised_via": RAISED_VIA_LABELS,
    "report_period": REPORT_PERIOD_LABELS,
}
