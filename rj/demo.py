"""Demo data: clearly fictional people and cases for trying Mend.

Never loaded into a real database. Cases are built through the same domain
functions the app uses, and moved with ``workflow.move``, so every demo card
meets the rules of its stage.
"""

import random
from datetime import datetime, timedelta

from peewee import fn

from rj import accounts, cases, db, entries, settings, workflow
from rj.clock import local, today, utcnow
from rj.db import write_tx
from rj.models import (
    Acknowledgement,
    Action,
    Case,
    CaseFacts,
    CheckIn,
    CommunityAssessment,
    Party,
    Person,
    StageHistory,
)

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
        users = {
            username: accounts.create(username, role, password, NAMES[username])
            for username, role, password in SIGN_INS
        }
    rng = random.Random(42)  # nosec B311
    facilitator, farah = users["facilitator"], users["farah"]
    made = []
    for i, (stage, severity, title) in enumerate(DEMO_CASES):
        lead = facilitator if i % 3 else farah
        case = _fictional_case(rng, facilitator, lead, stage, title, severity)
        _backdate(case, days=rng.randint(0, 12))
        made.append(case)
    _link_demo_people(made, users)
    return users


def _link_demo_people(made, users):
    """So that "My cases" is not empty when one tries it: the demo participant is a
    party to two cases (harmed in one, caused harm in another), and the demo
    representative represents a party in one of them."""
    by_title = {case.title: case for case in made}
    harmed = by_title["Harassment in the line for showers"].parties.where(Party.side == "harmed")
    caused = by_title["Names called during group"].parties.where(Party.side == "caused")
    Person.update(user=users["participant"].id).where(
        Person.id.in_([harmed.get().person_id, caused.get().person_id])
    ).execute()
    cases.add_representatives(harmed.get(), [users["rep"]], users["facilitator"])


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


# --- A year of cases, in bulk ------------------------------------------------------------

# The tables a bulk case fills, in the order they are written.
BULK_TABLES = {
    "cases": Case,
    "case_facts": CaseFacts,
    "stage_history": StageHistory,
    "acknowledgement": Acknowledgement,
    "person": Person,
    "party": Party,
    "action": Action,
    "community_assessment": CommunityAssessment,
    "checkin": CheckIn,
}
# How a bulk case ends, and how often (the rest stay open somewhere on the way).
ENDINGS = (("resolved", 50), ("withdrawn", 10), ("duplicate", 4), ("referred", 6), (None, 30))


def add_year(count, by, lead, end=None, rng=None, accounts=()):
    """``count`` fictional cases filed over the year before ``end``, each with the rows the
    domain would have written for its path through the stages: the case and its facts,
    its stage history, an acknowledgement, two parties (some linked to ``accounts``),
    actions, check-ins, a community assessment and appeals. Written in bulk, for the
    reports' benchmark and tests: nothing else (no audit records, no entries)."""
    rng = rng or random.Random(count)  # nosec B311
    end = end or utcnow()
    start = end - timedelta(days=365)
    rows = {name: [] for name in BULK_TABLES}
    case_id = (Case.select(fn.MAX(Case.id)).scalar() or 0) + 1
    person_id = (Person.select(fn.MAX(Person.id)).scalar() or 0) + 1
    for _ in range(count):
        filed = start + timedelta(seconds=rng.randint(0, 365 * 86400 - 1))
        reference = f"RJ-{filed.year}-B{case_id:06d}"  # apart from the counter's references
        _bulk_case(rows, rng, case_id, reference, filed, end, by, lead)
        for side in ("harmed", "caused"):
            linked = rng.choice(accounts) if accounts and rng.random() < 0.2 else None
            rows["person"].append(
                {"id": person_id, "name": f"{rng.choice(FIRST)} (fictional)", "user": linked}
            )
            rows["party"].append({"case": case_id, "person": person_id, "side": side})
            person_id += 1
        case_id += 1
    with write_tx():
        for name, model in BULK_TABLES.items():
            for batch in range(0, len(rows[name]), 500):
                model.insert_many(rows[name][batch : batch + 500]).execute()
        for model in (Case, Person):
            _catch_up_sequence(model)
    db.checkpoint()


def _catch_up_sequence(model):
    """After rows written with their own ids, PostgreSQL's next id must come after them."""
    if db.is_postgres():
        last = model.select(fn.MAX(model.id)).scalar()
        db.database.execute_sql(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", (model._meta.table_name, last)
        )


def _bulk_case(rows, rng, case_id, reference, filed, end, by, lead):
    ending = rng.choices([e for e, _ in ENDINGS], [w for _, w in ENDINGS])[0]
    if ending in ("withdrawn", "duplicate", "referred"):
        path = workflow.ORDER[: rng.randint(1, 4)]
    elif ending == "resolved":
        path = workflow.ORDER[:-1]
    else:
        path = workflow.ORDER[: rng.randint(1, 7)]
    stays, at, complete = [], filed, True
    for key in path:
        if at >= end:
            complete = False
            break
        stays.append((key, at))
        target = workflow.stage(key).target_days or 30
        at = at + timedelta(days=target * rng.uniform(0.05, 1.6))
        if key in workflow.APPEAL_FROM and rng.random() < 0.06 and at < end:
            stays.append(("appeal", at))
            at = at + timedelta(days=rng.uniform(2, 20))
            stays.append((key, at))
            at = at + timedelta(days=target * rng.uniform(0.05, 1.0))
    if ending and complete and at < end:
        stays.append(("closed", at))
    stage, entered = stays[-1]
    history = rows["stage_history"]
    for index, (key, at) in enumerate(stays):
        left = stays[index + 1][1] if index + 1 < len(stays) else None
        if index == 0:
            how = "filed"
        elif key == "closed":
            how = ending
        elif key == "appeal":
            how = "appealed"
        elif stays[index - 1][0] == "appeal":
            how = "appeal_upheld"
        else:
            how = "forward"
        due_on = workflow.stage_due_on(key, local(at).date())
        history.append(
            {
                "case_id": case_id,
                "reference": reference,
                "stage": key,
                "how": how,
                "entered_at": at,
                "entered_by": by.id,
                "due_at": workflow.due_at(due_on),
                "left_at": left,
                "left_by": by.id if left else None,
            }
        )
    reached = {key for key, _ in stays}
    closed = stage == "closed"
    facts = {
        "title": rng.choice(TITLES),
        "what_happened": "A fictional account of what happened, for the benchmark.",
        "occurred_at": filed - timedelta(hours=rng.randint(1, 48)),
        "location": rng.choice(PLACES),
    }
    rows["cases"].append(
        {
            "id": case_id,
            "reference": reference,
            "kind": rng.choice(("complaint", "incident")),
            "severity": rng.choice(("low", "medium", "medium", "high", "urgent")),
            "stage": stage,
            "stage_entered_at": entered,
            "stage_due_on": workflow.stage_due_on(stage, local(entered).date()),
            "rank": float(case_id),
            "lead": lead.id if "investigating" in reached else None,
            "created_by": by.id,
            "created_at": filed,
            "updated_at": entered,
            "close_kind": ending if closed else None,
            "closed_at": entered if closed else None,
            **facts,
        }
    )
    rows["case_facts"].append(
        {"case": case_id, "number": 1, "author": by.id, "created_at": filed, **facts}
    )
    times = dict(stays)
    if "acknowledged" in reached:
        rows["acknowledgement"].append(
            {"case": case_id, "by": by.id, "at": times["acknowledged"], "method": "in person"}
        )
    if "restoring" in reached:
        for _ in range(rng.randint(1, 3)):
            due = local(times["restoring"]).date() + timedelta(days=rng.randint(3, 40))
            status = "done" if closed else rng.choice(("open", "done", "done", "waived"))
            rows["action"].append(
                {
                    "case": case_id,
                    "kind": rng.choice(("support", "service", "repair", "learning")),
                    "description": "A fictional action.",
                    "owner": lead.id,
                    "due_on": due,
                    "status": status,
                    "waived_reason": "Not needed any more." if status == "waived" else "",
                    "created_at": times["restoring"],
                }
            )
    if "community" in reached:
        none = rng.random() < 0.5
        rows["community_assessment"].append(
            {
                "case": case_id,
                "impacted": "" if none else "People in the lounge.",
                "actions": "" if none else "A quieter corner.",
                "none_reason": "Nobody else was affected." if none else "",
                "by": lead.id,
                "at": times["community"],
            }
        )
    if "followup" in reached:
        due = local(times["followup"]).date() + timedelta(days=rng.randint(7, 30))
        held = datetime.combine(due, datetime.min.time()) + timedelta(hours=rng.randint(-72, 60))
        rows["checkin"].append(
            {
                "case": case_id,
                "due_on": due,
                "held_at": held if held < end and (closed or rng.random() < 0.7) else None,
                "created_at": times["followup"],
            }
        )
