"""Each role signs in through the form and lands where DESIGN.md says, seeing only what
its role has: the board for facilitators and admins, "My cases" for the people in a
case, the tablet for volunteers."""

import re

import pytest
from playwright.sync_api import expect

from rj import cases
from rj.models import Party
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user, make_case


@pytest.fixture
def people(live_app):
    with live_app.app_context():
        users = {
            role: create_user(role, display_name=f"Sam {role.title()}")
            for role in ("admin", "facilitator", "representative", "participant", "volunteer")
        }
        case = make_case(
            "acknowledged",
            by=users["facilitator"],
            title="Words at the front desk",
            parties=[("harmed", users["participant"], "Sam P")],
        )
        party = Party.get(Party.case == case)
        cases.add_representative(party, users["representative"], users["facilitator"])
        return users, case


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_staff_land_on_the_board(page, people, role):
    users, case = people
    sign_in(page, users[role].username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/board/$"))
    expect(page.get_by_role("heading", name="Board", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Board")).to_be_visible()


@pytest.mark.parametrize("role", ["representative", "participant"])
def test_people_in_a_case_land_on_my_cases_without_a_board(page, people, role):
    users, case = people
    sign_in(page, users[role].username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/my-cases/$"))
    expect(page.get_by_role("heading", name="My cases", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(re.escape(case.reference)))).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My cases")).to_be_visible()
    expect(nav.get_by_role("link", name="Board")).to_have_count(0)
    expect(nav.get_by_role("link", name="Due")).to_have_count(0)


def test_a_volunteer_lands_on_the_tablet(page, people):
    users, _ = people
    sign_in(page, users["volunteer"].username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/tablet/$"))
    expect(page.get_by_role("heading", name="Witness accounts", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Board")).to_have_count(0)


def test_a_participant_opening_the_board_is_told_it_is_not_for_them(page, people):
    users, case = people
    sign_in(page, users["participant"].username, PASSWORD)
    expect(page.get_by_role("heading", name="My cases", level=1)).to_be_visible()
    response = page.goto("/board/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not available to you")).to_be_visible()
    expect(page.get_by_text(case.title)).to_have_count(0)
