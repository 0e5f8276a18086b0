import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user


def test_facilitator_signs_in_and_sees_the_board(page, live_app):
    user = create_user("facilitator", display_name="Robin Facilitator")
    sign_in(page, user.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/board/$"))
    expect(page.get_by_role("heading", name="Board", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Filed")).to_be_visible()
    expect(page.get_by_text("Robin Facilitator")).to_be_visible()


def test_wrong_password_shows_the_message_beside_the_form(page, live_app):
    user = create_user("facilitator")
    sign_in(page, user.username, "not the right one")
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    expect(page.get_by_label("Username")).to_have_value(user.username)


def test_signing_out_leaves_nothing_behind_the_back_button(page, live_app):
    user = create_user("facilitator")
    sign_in(page, user.username, PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_in_page_fits_a_phone_without_horizontal_scroll(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, has_touch=True
    )
    page = context.new_page()
    page.goto("/signin")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    box = page.get_by_role("button", name="Sign in").bounding_box()
    assert box["height"] >= 44
    context.close()
