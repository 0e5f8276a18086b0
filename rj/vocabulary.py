"""Every word Mend uses for its own values: roles, kinds, severities, sides, audiences,
stages' default labels, the kinds and states of what a case records. One home for each,
so a page, a form, an export and the Due page say the same thing.

Values (the keys) are stored in the database; labels are what people read.
"""

# --- Accounts ---------------------------------------------------------------------

ROLE_LABELS = {
    "admin": "Coordinator",
    "facilitator": "Facilitator",
    "representative": "Representative",
    "participant": "Participant",
    "volunteer": "Volunteer",
}
ROLES = tuple(ROLE_LABELS)

# --- Cases ------------------------------------------------------------------------

CASE_KIND_LABELS = {"complaint": "Complaint", "incident": "Incident"}
CASE_KINDS = tuple(CASE_KIND_LABELS)
# How a facilitator files each kind.
FILING_HEADINGS = {"complaint": "File a complaint", "incident": "Report an incident"}

SEVERITY_LABELS = {
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "urgent": "Urgent",
    "unassessed": "Not yet assessed",
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
    "staff": "Filed by staff",
    "participant": "Raised by a participant",
    "public": "Raised publicly",
    "tablet": "Reported on the tablet",
}

# The stages of the process with the words an organisation starts with (settings may
# change the labels and help; rj/workflow.py holds their rules and time targets).
STAGE_DEFAULTS = {
    "filed": ("Filed", "A complaint or incident report has come in."),
    "acknowledged": ("Acknowledged", "The concern was acknowledged to whoever raised it."),
    "investigating": ("Investigating", "Impartial fact finding: statements, witnesses."),
    "hearing": ("Hearing", "A meeting with the people involved and their representatives."),
    "restoring": ("Restoring", "Restorative actions for each person, by the decision."),
    "community": ("Community", "Restoring or transforming the community and the space."),
    "followup": ("Follow-up", "Check-ins and reflection on the agreed timeline."),
    "closed": ("Closed", "The record is complete."),
    "appeal": ("Appeal", "A participant asked for the decision to be reviewed."),
}

# An empty column of the board says what belongs in it.
STAGE_ARRIVALS = {
    "filed": "New complaints and incident reports arrive here.",
    "acknowledged": "Cases arrive here once the concern is acknowledged.",
    "investigating": "Cases arrive here once a lead facilitator is set.",
    "hearing": "Cases arrive here once findings and a meeting are recorded.",
    "restoring": "Cases arrive here once the meeting's outcome and a decision are recorded.",
    "community": "Cases arrive here once the impact on the community is assessed.",
    "followup": "Cases arrive here once a check-in is scheduled.",
    "closed": "Cases arrive here once every action is done, a reflection is recorded and "
    "the appeal window has passed.",
    "appeal": "Cases arrive here when someone appeals a decision within the window.",
}

# The stage of a case, said plainly to the people in it.
PLAIN_STAGES = {
    "filed": "Your concern has been received.",
    "acknowledged": "Your concern has been acknowledged. A facilitator will look into it.",
    "investigating": "A facilitator is finding out what happened, listening to everyone involved.",
    "hearing": "A meeting is being arranged with the people involved and their supporters.",
    "restoring": "A decision has been made on what will be done to repair the harm.",
    "community": "The wider community and the space are being looked after too.",
    "followup": "Check-ins are happening to see how things are going.",
    "closed": "This case is closed.",
    "appeal": "The decision is being reviewed after an appeal.",
}

# How a case was closed: after follow-up ("resolved"), or early.
CLOSE_KIND_LABELS = {
    "resolved": "Closed after follow-up",
    "withdrawn": "Withdrawn",
    "duplicate": "Duplicate of another case",
    "referred": "Referred elsewhere",
}
CLOSE_KINDS = tuple(CLOSE_KIND_LABELS)
EARLY_CLOSE_KINDS = ("withdrawn", "duplicate", "referred")

# --- People in a case ------------------------------------------------------------------

SIDE_LABELS = {
    "harmed": "Harmed",
    "caused": "Caused harm",
    "impacted": "Impacted community member",
}
SIDES = tuple(SIDE_LABELS)

# --- Entries ----------------------------------------------------------------------------

ENTRY_KIND_LABELS = {
    "statement": "Statement",
    "witness": "Witness account",
    "evidence": "Evidence",
    "finding": "Findings",
    "note": "Note",
}
ENTRY_KINDS = tuple(ENTRY_KIND_LABELS)
ENTRY_HEADINGS = {
    "statement": "Add a statement",
    "witness": "Add a witness account",
    "evidence": "Add evidence",
    "finding": "Record findings",
    "note": "Add a note",
}

AUDIENCE_LABELS = {
    "facilitators": "Facilitators only",
    "team": "Case team",
    "party": "One side",
    "everyone": "Everyone in the case",
}
AUDIENCES = tuple(AUDIENCE_LABELS)

# --- The process ------------------------------------------------------------------------

ACK_METHOD_LABELS = {
    "in person": "In person",
    "phone": "Phone",
    "message": "Message",
    "letter": "Letter",
}

# kind -> (label, the sides of the person it can be for)
ACTION_KINDS = {
    "support": ("Support", ("harmed", "impacted")),
    "service": ("A service", ("harmed", "impacted")),
    "repair": ("Repair", ("caused",)),
    "learning": ("Learning", ("caused",)),
    "boundaries": ("Agreed boundaries", ("caused",)),
    "time_away": ("Time away from the space", ("caused",)),
    "other": ("Other", ("caused",)),
}
ACTION_STATUS_LABELS = {"open": "Open", "done": "Done", "waived": "Waived"}

APPEAL_OUTCOME_LABELS = {
    "upheld": "Upheld: the decision stands",
    "hearing": "Back to Hearing",
    "restoring": "Back to Restoring",
}


# --- Reports ------------------------------------------------------------------------------

REPORT_PERIOD_LABELS = {
    "this-month": "This month",
    "last-month": "Last month",
    "this-quarter": "This quarter",
    "last-quarter": "Last quarter",
    "this-year": "This year",
    "last-year": "Last year",
    "custom": "Between two dates",
}
# Where a restorative action due in a period stands now.
ACTION_STATE_LABELS = {
    "done": "Done",
    "waived": "Waived",
    "overdue": "Open, overdue",
    "open": "Open, not yet due",
}
# Where a check-in due in a period stands now.
CHECKIN_STATE_LABELS = {
    "on_time": "Held on time",
    "late": "Held late",
    "missed": "Not held, overdue",
    "pending": "Not yet due",
}


def action_label(kind):
    return ACTION_KINDS.get(kind, (kind,))[0]


def label(labels, value):
    """The label of ``value`` in ``labels``, or the value itself for one not (yet) known."""
    return labels.get(value, value)


# What happened to an account, as its history says it.
ACCOUNT_ACTION_LABELS = {
    "account.created": "Account created",
    "account.code_issued": "Set-up code made",
    "account.code_used": "Signed in with the set-up code",
    "account.password_changed": "Password changed",
    "account.role_changed": "Role changed",
    "account.renamed": "Name changed",
    "account.deactivated": "Turned off",
    "account.reactivated": "Turned on again",
    "account.two_factor_on": "Two-factor sign-in turned on",
    "account.two_factor_reset": "Two-factor sign-in reset",
    "account.recovery_code_used": "Signed in with a recovery code",
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
