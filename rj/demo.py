"""Demo data: clearly fictional people and cases for trying Mend.

Never loaded into a real database. Cases are built through the same domain
functions the app uses, and moved with ``workflow.move``, so every demo card
meets the rules of its stage.
"""

import random
from datetime import timedelta

from rj import cases, db, entries, passwords, settings, workflow
from rj.clock import today, utcnow
from rj.db import write_tx
from rj.models import Case, StageHistory, User

# username, role, password: printed by `make run`, so newcomers can sign in at once.
SIGN_INS = (
    ("coordinator", "admin", "demo-coordinator"),
    ("facilitator", "facilitator", "demo-facilitator"),
    ("farah", "facilitator", "demo-facilitator-2"),
    ("rep", "representative", "demo-representative"),
    ("participant", "participant", "demo-participant"),
    ("volunteer", "volunteer", "demo-volunteer"),
)
NAMES = {
    "coordinator": "Cora Ordinator",
    "facilitator": "Fen Facilitator",
    "farah": "Farah Demo",
    "rep": "Remy Representative",
    "participant": "Pat Participant",
    "volunteer": "Val Volunteer",
}

# (stage, severity, neutral title) for the demo board.
DEMO_CASES = (
    ("filed", "medium", "Raised voices at the coffee table"),
    ("filed", "low", "Locker taken without asking"),
    ("acknowledged", "high", "Threat made in the smoking area"),
    ("acknowledged", "low", "Music too loud in the lounge"),
    ("investigating", "medium", "Argument over the shared phone"),
    ("investigating", "urgent", "Shove near the front door"),
    ("hearing", "medium", "Names called during group"),
    ("restoring", "high", "Belongings damaged in the quiet room"),
    ("restoring", "low", "Queue jumping at the supply window"),
    ("community", "medium", "Rumours spread about a volunteer"),
    ("followup", "medium", "Harassment in the line for showers"),
    ("closed", "low", "Spilled drink and an insult"),
)
PLACES = ("front desk", "lounge", "kitchen", "garden", "quiet room", "harm reduction supply window")
FIRST = (
    "Ash",
    "Bay",
    "Cam",
    "Dee",
    "Eli",
    "Fox",
    "Gil",
    "Hal",
    "Ivy",
    "Jo",
    "Kit",
    "Lee",
    "Max",
    "Nic",
    "Oak",
    "Pip",
    "Quin",
    "Rae",
    "Sky",
    "Tam",
)
LAST = ("Example", "Sample", "Placeholder", "Fictional", "Demo", "Madeup", "Pretend", "Testcase")
TITLES = (
    "Dispute over seating",
    "Harsh words at intake",
    "Item went missing",
    "Conflict in line",
    "Upsetting comment in group",
    "Disagreement about the TV",
    "Door slammed in anger",
    "Mocking at the computer station",
    "Pushing in the hallway",
    "Bin kicked over",
)


def _person(rng):
    return cases.add_person(f"{rng.choice(FIRST)} {rng.choice(LAST)} (fictional)")


def advance(case, target, by, lead, rng=None):
    """Add what each stage needs and move ``case`` forward until it reaches ``target``."""
    rng = rng or random.Random(case.id)  # nosec B311
    path = workflow.ORDER[: workflow.ORDER.index(target) + 1]
    for key in path[1:]:
        case = Case.get_by_id(case.id)
        if key == "acknowledged":
            cases.acknowledge(case, by, utcnow(), "in person", "Told them we will follow up.")
        elif key == "investigating":
            cases.set_lead(case, lead, by)
        elif key == "hearing":
            entries.add_entry(case, lead, "finding", "Both accounts agree on the main events.")
            # A case that goes on past Hearing held its meeting already.
            when = timedelta(days=3) if target == "hearing" else -timedelta(days=1)
            cases.schedule_meeting(
                case,
                lead,
                utcnow() + when,
                "Meeting room",
                "Both parties, their representatives, the lead facilitator",
            )
        elif key == "restoring":
            meeting = case.meetings.first()
            cases.record_meeting_outcome(meeting, lead, "Everyone spoke.", "A plan was agreed.")
            cases.add_action(
                case,
                lead,
                "support",
                "Check in with the person harmed weekly",
                lead,
                today() + timedelta(days=rng.randint(-5, 20)),
            )
            cases.communicate_decision(case, lead, today() - timedelta(days=1))
        elif key == "community":
            cases.assess_community(case, lead, none_reason="Nobody else was affected.")
        elif key == "followup":
            cases.add_checkin(case, lead, today() + timedelta(days=rng.randint(-3, 30)))
        elif key == "closed":
            for action in case.actions:
                cases.set_action_status(action, lead, "done")
            cases.record_reflection(
                case, lead, "The harm was named and repaired.", "Quieter spaces help."
            )
            cases.communicate_decision(case, lead, today() - timedelta(days=60))
        case = workflow.move(Case.get_by_id(case.id), key, lead, Case.get_by_id(case.id).version)
    return case


def add_cases(count, by, lead, rng=None, stages=None):
    """Add ``count`` fictional open cases spread over the open stages."""
    rng = rng or random.Random(count)  # nosec B311
    stages = stages or [key for key in workflow.ORDER if key != "closed"]
    made = []
    with write_tx():  # one transaction: thousands of cases load in seconds
        for i in range(count):
            stage = stages[i % len(stages)]
            made.append(
                _fictional_case(
                    rng,
                    by,
                    lead,
                    stage,
                    rng.choice(TITLES),
                    rng.choice(("low", "medium", "high", "urgent")),
                )
            )
    db.checkpoint()  # a bulk load leaves a large write-ahead log behind
    return made


def _fictional_case(rng, by, lead, stage, title, severity):
    case = cases.file_case(
        by,
        kind=rng.choice(("complaint", "incident")),
        title=title,
        what_happened="A fictional account of what happened, for the demo.",
        occurred_at=utcnow() - timedelta(hours=rng.randint(1, 200)),
        location=rng.choice(PLACES),
        severity=severity,
    )
    cases.add_party(case, _person(rng), "harmed", by)
    cases.add_party(case, _person(rng), "caused", by)
    return advance(case, stage, by, lead, rng)


def load():
    """Mark the database as a demo and fill it. Call only on an empty database."""
    with write_tx():
        settings.put(settings.DEMO, True)
        users = {}
        for username, role, password in SIGN_INS:
            users[username] = User.create(
                username=username,
                display_name=NAMES[username],
                role=role,
                password_hash=passwords.hash_password(password),
            )
    rng = random.Random(42)  # nosec B311
    facilitator, farah = users["facilitator"], users["farah"]
    for i, (stage, severity, title) in enumerate(DEMO_CASES):
        lead = facilitator if i % 3 else farah
        case = _fictional_case(rng, facilitator, lead, stage, title, severity)
        _backdate(case, days=rng.randint(0, 12))
    return users


def _backdate(case, days):
    """Make a demo card look lived-in: entered its stage some days ago, due accordingly.
    Its stage history moves back with it."""
    entered = utcnow() - timedelta(days=days)
    due_on = workflow.stage_due_on(case.stage, today() - timedelta(days=days))
    Case.update(stage_entered_at=entered, stage_due_on=due_on).where(Case.id == case.id).execute()
    shift = timedelta(days=days)
    for stay in StageHistory.select().where(StageHistory.case_id == case.id):
        stay.entered_at -= shift
        if stay.left_at:
            stay.left_at -= shift
        else:
            stay.due_at = workflow.due_at(due_on)
        stay.save()
