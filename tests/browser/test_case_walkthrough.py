"""One case from Filed to Closed, through the pages a facilitator uses."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from rj.clock import local, today, utcnow
from rj.models import Case, Meeting
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user


def move_to(page, reference, stage_label):
    page.goto(f"/board/cases/{reference}/move")
    page.get_by_role("radio", name=stage_label, exact=True).check()
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text(f"{reference} moved to {stage_label}.")).to_be_visible()
    page.goto(f"/cases/{reference}")


def record(page, link, fields, button):
    page.get_by_role("link", name=link).first.click()
    for label, value in fields:
        control = page.get_by_label(label, exact=True)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RJ-")


def test_a_case_walks_from_filed_to_closed(page, live_app):
    create_user("facilitator", username="fen", display_name="Fen Facil")
    create_user("facilitator", username="olu", display_name="Olu Other")
    sign_in(page, "fen", PASSWORD)
    now = local(utcnow())

    page.get_by_role("link", name="New case").click()
    page.get_by_role("link", name="Report an incident").click()
    page.get_by_label("Neutral short title").fill("Raised voices at the urn")
    page.get_by_label("What happened").fill("Two regulars argued about the last cup.")
    page.get_by_label("When it happened").fill(
        (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Where it happened").fill("Kitchen")
    page.get_by_label("Raised by").fill("Val, volunteer")
    page.get_by_label("Severity").select_option("medium")
    page.get_by_role("button", name="File the case").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Raised voices at the urn")
    reference = re.search(r"RJ-\d{4}-\d{4}", heading.inner_text()).group(0)

    record(
        page,
        "Add a person",
        [("Name or chosen name", "Ash Example"), ("Side", "Harmed")],
        "Add to the case",
    )
    record(
        page,
        "Add a person",
        [("Name or chosen name", "Bay Sample"), ("Side", "Caused harm")],
        "Add to the case",
    )
    record(
        page,
        "Record the acknowledgement",
        [("How it was communicated", "In person")],
        "Record the acknowledgement",
    )
    move_to(page, reference, "Acknowledged")

    record(
        page, "Set the lead facilitator", [("Lead facilitator", "Fen Facil (fen)")], "Set the lead"
    )
    move_to(page, reference, "Investigating")

    page.get_by_role("link", name="Record findings").click()
    page.get_by_label("The entry", exact=True).fill("Both agree words were exchanged.")
    page.get_by_role("button", name="Save to the timeline").click()
    meeting_at = (now + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    record(
        page,
        "Schedule a meeting",
        [("When", meeting_at), ("Where", "Meeting room"), ("Who attends", "Ash, Bay, Fen")],
        "Schedule the meeting",
    )
    move_to(page, reference, "Hearing")

    # The meeting takes place.
    case = Case.get(Case.reference == reference)
    Meeting.update(scheduled_at=utcnow() - timedelta(hours=1)).where(Meeting.case == case).execute()
    record(
        page,
        "Record the meeting's outcome",
        [("Minutes", "Both spoke and listened."), ("Outcome", "An apology and a plan.")],
        "Record the outcome",
    )
    record(
        page,
        "Add a restorative action",
        [
            ("Who it is for", "Ash Example (Harmed)"),
            ("Kind of action", "Support"),
            ("Description", "Weekly check-in with Ash"),
            ("Owner", "Fen Facil (fen)"),
            ("Due on", (today() + timedelta(days=7)).isoformat()),
        ],
        "Add the action",
    )
    record(
        page,
        "Record when the decision was communicated",
        [("Date the decision was communicated to the parties", today().isoformat())],
        "Record the date",
    )
    move_to(page, reference, "Restoring")

    record(
        page,
        "Assess the impact on the community",
        [('Or "none": why nobody else was impacted', "It happened after hours.")],
        "Record the assessment",
    )
    move_to(page, reference, "Community")

    record(
        page,
        "Add a check-in",
        [("Check-in date", (today() + timedelta(days=1)).isoformat())],
        "Add the check-in",
    )
    move_to(page, reference, "Follow-up")

    page.get_by_role("link", name="Set status").first.click()
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Save the status").click()
    record(page, "Mark as held", [("Notes", "All well.")], "Mark as held")
    record(
        page,
        "Record the closing reflection",
        [("What was repaired", "Trust at the urn."), ("What the community learned", "Two urns.")],
        "Record the reflection",
    )
    # The appeal window passes.
    Case.update(decision_communicated_on=today() - timedelta(days=30)).where(
        Case.id == case.id
    ).execute()
    move_to(page, reference, "Closed")

    expect(page.get_by_text("Moved from Follow-up to Closed")).to_be_visible()
    assert Case.get_by_id(case.id).stage == "closed"
