"""The tablet in Chromium with a tablet viewport and touch: nothing lost, nothing doubled."""

import re

import pytest
from playwright.sync_api import expect

from rj.models import Entry, WitnessDraft
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user, make_case


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 800, "height": 1280},
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def open_draft(page, case):
    create_user("volunteer", username="val", display_name="Val Volunteer")
    sign_in(page, "val", PASSWORD)
    expect(page.get_by_role("heading", name="Witness accounts")).to_be_visible()
    page.get_by_role("button", name=re.compile(case.reference)).tap()
    expect(page.get_by_label("What they saw and heard")).to_be_visible()


def fill(page, account="Saw a cup thrown at the wall."):
    page.get_by_label("Witness's name").fill("Wren Witness")
    page.get_by_label("How they relate to what happened").fill("Was in the queue")
    page.get_by_label("What they saw and heard").fill(account)
    page.get_by_label("When and where").fill("3pm, kitchen")


def witness_entries(case):
    return Entry.select().where((Entry.case == case) & (Entry.kind == "witness")).count()


def test_a_draft_comes_back_after_a_reload(tablet, live_app):
    case = make_case("investigating")
    open_draft(tablet, case)
    fill(tablet, "Half of what I saw")
    expect(tablet.locator("#tablet-status")).to_contain_text("Draft saved", timeout=8000)
    tablet.reload()
    expect(tablet.get_by_label("What they saw and heard")).to_have_value("Half of what I saw")
    width = tablet.evaluate("document.documentElement.scrollWidth")
    assert width <= 800


def test_offline_send_is_queued_then_saved_once_when_the_network_returns(tablet, live_app):
    case = make_case("filed")
    open_draft(tablet, case)
    fill(tablet)
    tablet.context.set_offline(True)
    tablet.get_by_role("button", name="Send the account").tap()
    expect(tablet.locator("#tablet-status")).to_contain_text("You are offline")
    assert tablet.evaluate("localStorage.getItem('mend-unsent-accounts')") is not None
    assert witness_entries(case) == 0
    tablet.context.set_offline(False)
    expect(tablet.get_by_text(re.compile(rf"Saved at .* for {case.reference}"))).to_be_visible(
        timeout=10000
    )
    assert witness_entries(case) == 1
    assert tablet.evaluate("localStorage.getItem('mend-unsent-accounts')") is None


def test_a_double_tap_and_a_retry_save_one_account(tablet, live_app):
    case = make_case("filed")
    open_draft(tablet, case)
    fill(tablet)
    send = tablet.get_by_role("button", name="Send the account")
    send.dblclick()
    expect(tablet.get_by_text(re.compile(rf"Saved at .* for {case.reference}"))).to_be_visible()
    draft = WitnessDraft.get(WitnessDraft.case == case)
    # A retry after a timeout: the same submission again, straight from the device.
    statuses = tablet.evaluate(
        """([url, key]) => Promise.all([1, 2].map(() => fetch(url, {method: 'POST',
             headers: {'Accept': 'application/json'},
             body: new URLSearchParams({witness_name: 'W', relation: 'R', account: 'A',
               when_where: 'W', taken_by: 'T', token: 'spent'})}).then(r => r.status)))""",
        [f"/tablet/drafts/{draft.key}/submit", draft.key],
    )
    assert statuses == [200, 200]
    assert witness_entries(case) == 1


def test_a_session_ending_mid_typing_loses_nothing(tablet, live_app):
    case = make_case("filed")
    open_draft(tablet, case)
    fill(tablet, "Started before the timeout")
    tablet.context.clear_cookies()  # the session ends (idle time-out on a shared tablet)
    tablet.get_by_label("What they saw and heard").fill("Started before the timeout, and after")
    tablet.get_by_role("button", name="Send the account").tap()
    expect(tablet.get_by_text(re.compile(rf"Saved at .* for {case.reference}"))).to_be_visible()
    entry = Entry.get((Entry.case == case) & (Entry.kind == "witness"))
    assert entry.body.startswith("Started before the timeout, and after")
    assert entry.author.username == "val"


def test_an_idle_tablet_signs_out_clears_the_screen_and_keeps_the_draft(tablet, live_app):
    live_app.config["TABLET_IDLE_MINUTES"] = 0.05  # three seconds
    case = make_case("filed")
    open_draft(tablet, case)
    fill(tablet, "Typed, then the volunteer walked away")
    expect(tablet.locator("#tablet-status")).to_contain_text("Draft saved", timeout=8000)
    expect(tablet.get_by_role("heading", name="Sign in")).to_be_visible(timeout=10000)
    assert "walked away" not in tablet.content()
    tablet.go_back()
    assert "walked away" not in tablet.content()
    sign_in(tablet, "val", PASSWORD)
    tablet.get_by_role("link", name=re.compile("Continue the account")).tap()
    expect(tablet.get_by_label("What they saw and heard")).to_have_value(
        "Typed, then the volunteer walked away"
    )


def test_an_account_refused_when_the_network_returns_stays_on_the_device_and_on_screen(
    tablet, live_app
):
    case = make_case("filed")
    open_draft(tablet, case)
    fill(tablet, "Queued, then refused for a missing detail")
    tablet.get_by_label("Taken by").fill("")
    tablet.context.set_offline(True)
    tablet.get_by_role("button", name="Send the account").tap()
    expect(tablet.locator("#tablet-status")).to_contain_text("You are offline")
    tablet.context.set_offline(False)
    expect(tablet.locator("#tablet-status")).to_contain_text(
        "This account was not sent: Say who took this account.", timeout=10000
    )
    expect(tablet.locator("#taken_by-error")).to_have_text("Say who took this account.")
    kept = tablet.evaluate("JSON.parse(localStorage.getItem('mend-unsent-accounts'))")
    assert len(kept) == 1 and kept[0]["fields"]["account"].startswith("Queued, then refused")
    draft = WitnessDraft.get(WitnessDraft.case == case)
    assert draft.account == "Queued, then refused for a missing detail"  # the server kept it
    assert witness_entries(case) == 0
    # After a reload the refusal is still in view; discarding on purpose lets it go.
    tablet.reload()
    expect(tablet.locator("#taken_by-error")).to_have_text("Say who took this account.")
    tablet.get_by_role("link", name="Discard this account…").tap()
    tablet.get_by_role("dialog").get_by_role("button", name="Yes, discard it").tap()
    expect(tablet.get_by_role("heading", name="Witness accounts")).to_be_visible()
    assert tablet.evaluate("localStorage.getItem('mend-unsent-accounts')") is None


def test_discard_asks_first_and_keep_writing_keeps_the_account(tablet, live_app):
    case = make_case("investigating")
    open_draft(tablet, case)
    fill(tablet, "Nearly lost by a stray tap")
    tablet.get_by_role("link", name="Discard this account…").tap()
    dialog = tablet.get_by_role("dialog", name="Discard this account?")
    expect(dialog).to_be_visible()
    keep = dialog.get_by_role("link", name="No, keep writing")
    expect(keep).to_be_focused()  # the safe choice is the one a stray Enter takes
    keep.tap()
    expect(dialog).to_be_hidden()
    expect(tablet.get_by_label("What they saw and heard")).to_have_value(
        "Nearly lost by a stray tap"
    )
    assert WitnessDraft.get(WitnessDraft.case == case).status == "draft"
    tablet.get_by_role("link", name="Discard this account…").tap()
    dialog.get_by_role("button", name="Yes, discard it").tap()
    expect(tablet.get_by_text("The account was discarded.")).to_be_visible()
    assert WitnessDraft.get(WitnessDraft.case == case).status == "discarded"


def test_the_receipt_after_send_is_the_one_the_server_shows(tablet, live_app):
    case = make_case("investigating")
    open_draft(tablet, case)
    fill(tablet)
    tablet.get_by_label("Taken by").fill("Val")
    tablet.get_by_role("button", name="Send the account").tap()
    receipt = tablet.locator(".tablet")
    expect(receipt.get_by_role("link", name="Correct it (15 minutes)")).to_be_visible()
    shown = receipt.inner_text()
    assert re.search(rf"Saved at \d\d:\d\d for {case.reference}\.", shown)
    tablet.reload()  # the server's own receipt page: word for word the same
    expect(tablet.locator(".tablet")).to_have_text(shown)


def test_a_limited_field_counts_in_the_page_s_words_and_says_when_it_is_over(tablet, live_app):
    case = make_case("investigating")
    open_draft(tablet, case)
    field = tablet.get_by_label("When and where")
    count = tablet.locator("#when_where-count")
    expect(count).to_have_text("Up to 300 characters.")
    field.fill("x" * 298)
    expect(count).to_have_text("You have 2 characters remaining.")
    field.fill("x" * 299)
    expect(count).to_have_text("You have 1 character remaining.")
    field.fill("x" * 301)
    expect(count).to_have_text("You have 1 character too many.")
    expect(count).to_have_class(re.compile("is-over"))
