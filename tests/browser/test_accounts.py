"""Accounts in Chromium: a coordinator makes a facilitator's account, who sets it up from
the slip with two-factor sign-in; a facilitator gives a case's participant access, who
sees that case and nothing else. Then a participant leaves quickly."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from rj.models import Party, Person, User
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user, make_case


@pytest.fixture
def live_app(database_url, tmp_path):
    from tests.helpers import make_app

    return make_app(
        database_url,
        tmp_path,
        PUBLIC_URL="https://mend.example.org",
        TWO_FACTOR_ROLES=["admin", "facilitator"],
    )


def code_from(page):
    return page.locator("[data-slip-code]").inner_text().strip()


def test_a_coordinator_creates_a_facilitator_who_sets_up_with_two_factor(browser, live_server):
    create_user("admin", username="cora", display_name="Cora Ordinator")
    admin_context = browser.new_context(base_url=live_server.url)
    admin = admin_context.new_page()
    # The coordinator turns on two-factor sign-in first: their role needs it too.
    sign_in(admin, "cora", PASSWORD)
    expect(admin.get_by_role("heading", name="Turn on two-factor sign-in")).to_be_visible()
    secret = admin.locator("[data-secret]").inner_text()
    admin.get_by_label("The code your app shows now").fill(pyotp.TOTP(secret).now())
    admin.get_by_role("button", name="Turn it on").click()
    expect(admin.get_by_role("heading", name="Your recovery codes")).to_be_visible()

    admin.goto("/admin/users/new")
    admin.get_by_label("Username").fill("fen")
    admin.get_by_label("Name shown in Mend").fill("Fen Facilitator")
    admin.get_by_label("Role").select_option("facilitator")
    admin.get_by_role("button", name="Create it and show the slip").click()
    expect(admin.get_by_role("heading", name="An account for Fen Facilitator")).to_be_visible()
    expect(admin.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    code = code_from(admin)
    admin_context.close()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, "fen", code)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("a long phrase of my own")
    page.get_by_label("New password again").fill("a long phrase of my own")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_role("heading", name="Turn on two-factor sign-in")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_label("The code your app shows now").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn it on").click()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    page.get_by_role("button", name="Sign out").click()

    User.update(totp_last_step=None).where(User.username == "fen").execute()
    sign_in(page, "fen", "a long phrase of my own")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code from your app, or a recovery code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Board", level=1)).to_be_visible()
    context.close()


def test_a_participant_given_access_sees_that_case_and_nothing_else(browser, live_server):
    from rj import settings

    settings.put(settings.DEMO, True)  # no second factor for this facilitator
    fac = create_user("facilitator", username="fen")
    case = make_case("investigating", by=fac, parties=[("harmed", None, "Pat Person")])
    other = make_case("investigating", by=fac, title="Another matter entirely")
    party = Party.get(Party.case == case)

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, "fen", PASSWORD)
    page.goto(f"/cases/{case.reference}")
    page.get_by_role("link", name="Give access to Pat Person").click()
    page.get_by_label("No: make one, with a set-up slip").check()
    page.get_by_label("Username for the new account").fill("pat")
    page.get_by_label("Name shown in Mend").fill("Pat")
    page.get_by_role("button", name="Make the slip").click()
    code = code_from(page)
    context.close()

    context = browser.new_context(base_url=live_server.url)
    person = context.new_page()
    sign_in(person, "pat", code)
    person.get_by_label("New password", exact=True).fill("my own long phrase")
    person.get_by_label("New password again").fill("my own long phrase")
    person.get_by_role("button", name="Save my password").click()
    expect(person.get_by_role("heading", name="My cases")).to_be_visible()
    expect(person.get_by_role("link", name=re.compile(case.reference))).to_be_visible()
    expect(person.get_by_text(other.reference)).to_have_count(0)
    assert Person.get_by_id(party.person_id).user_id == User.named("pat").id

    person.get_by_role("link", name=re.compile(case.reference)).click()
    person.get_by_role("link", name="Leave quickly").click()
    expect(person).to_have_title("New tab")
    person.go_back()
    expect(person.get_by_text(case.reference)).to_have_count(0)
    context.close()
