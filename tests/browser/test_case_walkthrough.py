"""One case from Filed to Closed with the keyboard alone: filed from the New case page,
then each stage reached by following the case page's Next step panel."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from rj.clock import local, today, utcnow
from rj.models import Case, Meeting
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user


def tab_to(page, target, limit=400):
    """Press Tab until ``target`` (a locator) has the focus, as a keyboard user would."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def press(page, target, key="Enter"):
    tab_to(page, target)
    page.keyboard.press(key)


def follow(page, name):
    """Follow a link of the Next step panel (or any link of that name) by keyboard."""
    panel = page.locator(".next-step")
    link = panel.get_by_role("link", name=name, exact=True)
    if not link.count():
        link = page.get_by_role("link", name=name, exact=True).first
    press(page, link)


def type_in(page, label, text):
    tab_to(page, page.get_by_label(label, exact=True))
    page.keyboard.type(text)


def choose(page, label, option):
    """A select's option, picked by typing its first letters, as keyboards do."""
    control = page.get_by_label(label, exact=True)
    tab_to(page, control)
    page.keyboard.type(option)
    expect(control.locator("option:checked")).to_have_text(option)


def type_date(page, label, day):
    tab_to(page, page.get_by_label(label, exact=True))
    page.keyboard.type(day.strftime("%m%d%Y"))


def type_datetime(page, label, moment):
    tab_to(page, page.get_by_label(label, exact=True))
    page.keyboard.type(moment.strftime("%m%d%Y"))
    page.keyboard.press("ArrowRight")  # a year may have more digits: on to the hour
    page.keyboard.type(moment.strftime("%I%M") + moment.strftime("%p")[0])


def submit(page, button):
    press(page, page.get_by_role("button", name=button, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text("RJ-")


def move_on(page, reference, stage):
    """Everything the next stage needs is recorded: the panel's primary button moves it."""
    button = page.locator(".next-step").get_by_role("button", name=f"Move to {stage}")
    press(page, button)
    expect(page.get_by_text(f"{reference} moved to {stage}.")).to_be_visible()
    current = page.locator('.progress [aria-current="step"]')
    expect(current).to_contain_text(stage)


def test_a_case_walks_from_filed_to_closed_by_keyboard(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10000)
    create_user("facilitator", username="fen", display_name="Fen Facil")
    sign_in(page, "fen", PASSWORD)
    now = local(utcnow())

    press(page, page.get_by_role("link", name="New case"))
    press(page, page.get_by_role("link", name="Report an incident"))
    type_in(page, "Neutral short title", "Raised voices at the urn")
    type_in(page, "What happened", "Two regulars argued about the last cup.")
    type_datetime(page, "When it happened", now - timedelta(hours=2))
    type_in(page, "Where it happened", "Kitchen")
    type_in(page, "Raised by", "Val, volunteer")
    choose(page, "Severity", "Medium")
    submit(page, "File the case")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Raised voices at the urn")
    reference = re.search(r"RJ-\d{4}-\d{4}", heading.inner_text()).group(0)
    case = Case.get(Case.reference == reference)
    assert case.location == "Kitchen" and case.severity == "medium"

    # The people, from the People panel's empty state and then its records.
    follow(page, "Add the people involved")
    type_in(page, "Name or chosen name", "Ash Example")
    choose(page, "Side", "Harmed")
    submit(page, "Add to the case")
    expect(page.locator(".saved-note")).to_contain_text("Ash Example is added as harmed.")
    press(page, page.locator("summary", has_text="Records for other stages"))
    follow(page, "Add a person")
    type_in(page, "Name or chosen name", "Bay Sample")
    choose(page, "Side", "Caused harm")
    submit(page, "Add to the case")

    follow(page, "Record the acknowledgement")
    choose(page, "How it was communicated", "In person")
    submit(page, "Record the acknowledgement")
    move_on(page, reference, "Acknowledged")

    follow(page, "Set the lead facilitator")
    choose(page, "Lead facilitator", "Fen Facil (fen)")
    submit(page, "Set the lead")
    move_on(page, reference, "Investigating")

    follow(page, "Record findings")
    type_in(page, "The entry", "Both agree words were exchanged.")
    submit(page, "Save to the timeline")
    follow(page, "Schedule a meeting")
    type_datetime(page, "When", now + timedelta(days=1))
    type_in(page, "Where", "Meeting room")
    type_in(page, "Who attends", "Ash, Bay, Fen")
    submit(page, "Schedule the meeting")
    move_on(page, reference, "Hearing")

    # The meeting takes place.
    Meeting.update(scheduled_at=utcnow() - timedelta(hours=1)).where(Meeting.case == case).execute()
    page.reload()
    follow(page, "Record the meeting's outcome")
    type_in(page, "Minutes", "Both spoke and listened.")
    type_in(page, "Outcome", "An apology and a plan.")
    submit(page, "Record the outcome")
    follow(page, "Add a restorative action")
    choose(page, "Who it is for", "Ash Example (Harmed)")
    choose(page, "Kind of action", "Support")
    type_in(page, "Description", "Weekly check-in with Ash")
    choose(page, "Owner", "Fen Facil (fen)")
    type_date(page, "Due on", today() + timedelta(days=7))
    submit(page, "Add the action")
    move_on(page, reference, "Restoring")

    follow(page, "Assess the impact on the community")
    type_in(page, 'Or "none": why nobody else was impacted', "It happened after hours.")
    submit(page, "Record the assessment")
    move_on(page, reference, "Community")

    follow(page, "Add a check-in")
    type_date(page, "Check-in date", today() + timedelta(days=1))
    submit(page, "Add the check-in")
    move_on(page, reference, "Follow-up")

    follow(page, "Mark every action done, or waived with a reason")
    follow(page, "Set status of this action")
    choose(page, "Status", "Done")
    submit(page, "Save the status")
    follow(page, "Record the closing reflection")
    type_in(page, "What was repaired", "Trust at the urn.")
    type_in(page, "What the community learned", "Two urns.")
    submit(page, "Record the reflection")
    # The decision was communicated long ago: the appeal window has passed.
    Case.update(decision_communicated_on=today() - timedelta(days=30)).where(
        Case.id == case.id
    ).execute()
    page.reload()
    move_on(page, reference, "Closed")

    expect(page.get_by_text("Moved from Follow-up to Closed")).to_be_visible()
    assert Case.get_by_id(case.id).stage == "closed"
    context.close()
