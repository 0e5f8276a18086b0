"""The board in Chromium: mouse drag, refused drag, keyboard "Move to…", touch drag, keyboard
reorder, and a phone-sized board of stage tabs."""

import re

from playwright.sync_api import expect

from rj import cases
from rj.clock import utcnow
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user, make_case


def card(page, case):
    return page.locator(f"#case-{case.id}")


def column(page, stage):
    return page.locator(f"#cards-{stage}")


def signed_in_board(page, user):
    sign_in(page, user.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/board/$"))
    expect(page.locator("#board")).to_have_attribute("data-ready", "true")


def test_a_mouse_drag_moves_the_card_and_persists_across_a_reload(page, live_app):
    fac = create_user("facilitator")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "phone")
    make_case("acknowledged", by=fac, title="Already there")
    signed_in_board(page, fac)
    card(page, case).drag_to(column(page, "acknowledged"))
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible()
    expect(page.locator("#board-announce")).to_contain_text(
        f"{case.reference} moved to Acknowledged"
    )
    expect(card(page, case)).to_have_attribute("data-version", str(case.version + 1))
    page.reload()
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible()
    expect(page.locator("#count-acknowledged")).to_have_text("2")


def test_a_refused_drag_snaps_back_with_its_message(page, live_app):
    fac = create_user("facilitator")
    case = make_case("filed", by=fac)
    signed_in_board(page, fac)
    card(page, case).drag_to(column(page, "acknowledged"))
    expect(page.get_by_role("alert").filter(has_text="Not moved")).to_contain_text(
        "Needs an acknowledgement before Acknowledged"
    )
    expect(column(page, "filed").locator(f"#case-{case.id}")).to_be_visible()
    expect(card(page, case)).to_be_focused()
    page.reload()
    expect(column(page, "filed").locator(f"#case-{case.id}")).to_be_visible()


def test_the_keyboard_alternative_moves_a_card_and_keeps_focus_on_it(page, live_app):
    fac = create_user("facilitator")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "letter")
    signed_in_board(page, fac)
    move_button = page.get_by_role("link", name=f"Move to… {case.reference}")
    move_button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # The next allowed stage is chosen and focused: Enter, Enter moves it on.
    next_stage = dialog.get_by_role("radio", name="Acknowledged")
    expect(next_stage).to_be_focused()
    expect(next_stage).to_be_checked()
    expect(dialog.get_by_role("radio", name="Investigating")).to_be_disabled()
    expect(dialog.locator("#why-investigating")).to_contain_text("Needs a lead facilitator")
    expect(dialog.get_by_label("Why it moves back")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible()
    expect(card(page, case)).to_be_focused()
    expect(page.locator("#board-announce")).to_have_text(f"{case.reference} moved to Acknowledged.")


def test_a_backward_move_in_the_dialog_asks_for_a_reason(page, live_app):
    fac = create_user("facilitator")
    case = make_case("investigating", by=fac)
    signed_in_board(page, fac)
    page.get_by_role("link", name=f"Move to… {case.reference}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name="Acknowledged").check()
    dialog.get_by_role("button", name="Move").click()
    expect(dialog.get_by_text("A move back to Acknowledged needs a reason.")).to_be_visible()
    dialog.get_by_label("Why it moves back").fill("The lead stepped down.")
    dialog.get_by_role("button", name="Move").click()
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible()


def test_a_touch_drag_on_a_tablet_moves_the_card(browser, live_server):
    fac = create_user("facilitator")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "in person")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    signed_in_board(page, fac)
    source = card(page, case).locator(".card-title").bounding_box()
    target = column(page, "acknowledged").bounding_box()
    cdp = context.new_cdp_session(page)

    def touch(kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    x0, y0 = source["x"] + source["width"] / 2, source["y"] + source["height"] / 2
    x1, y1 = target["x"] + target["width"] / 2, target["y"] + 40
    touch("touchStart", x0, y0)
    page.wait_for_timeout(600)  # a press, not a swipe (delayOnTouchOnly)
    steps = 15
    for i in range(1, steps + 1):
        touch("touchMove", x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
        page.wait_for_timeout(50)
    page.wait_for_timeout(100)
    touch("touchEnd", x1, y1)
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible()
    expect(page.locator("#board-announce")).to_contain_text("moved to Acknowledged")
    page.reload()
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible()
    context.close()


def test_a_stale_drag_is_refused_with_who_moved_it_and_the_current_state(page, live_app):
    from rj import workflow
    from rj.models import Case

    fac = create_user("facilitator")
    other = create_user("facilitator", display_name="Sam Second")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "phone")
    signed_in_board(page, fac)
    workflow.move(Case.get_by_id(case.id), "acknowledged", other, case.version)
    card(page, case).drag_to(column(page, "investigating"))
    expect(page.get_by_role("alert").filter(has_text="Not moved")).to_contain_text(
        "changed by Sam Second"
    )
    # The board shows where the card really is now.
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible()
    assert Case.get_by_id(case.id).stage == "acknowledged"


def test_another_facilitators_move_appears_without_a_reload(page, live_app):
    from rj import workflow
    from rj.models import Case

    live_app.config["BOARD_POLL_SECONDS"] = 1
    fac = create_user("facilitator")
    other = create_user("facilitator")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "phone")
    signed_in_board(page, fac)
    polls = []
    page.on("response", lambda r: polls.append(r.status) if "/board/?" in r.url else None)
    page.wait_for_timeout(1500)
    assert 304 in polls  # nothing changed yet: the poll cost a 304
    workflow.move(Case.get_by_id(case.id), "acknowledged", other, case.version)
    expect(column(page, "acknowledged").locator(f"#case-{case.id}")).to_be_visible(timeout=5000)
    expect(page.locator("#board-announce")).to_contain_text(
        f"{case.reference} is now in Acknowledged"
    )


def _order(stage):
    from rj.models import Case

    rows = Case.select().where(Case.stage == stage).order_by(Case.rank, Case.id)
    return [c.reference for c in rows]


def test_a_card_is_reordered_in_its_column_by_keyboard_alone(page, live_app):
    fac = create_user("facilitator")
    first = make_case("filed", by=fac, title="First in the column")
    second = make_case("filed", by=fac, title="Second in the column")
    before = _order("filed")
    signed_in_board(page, fac)
    top = column(page, "filed").locator(".card").first
    moving = (
        card(page, first) if top.get_attribute("id") == f"case-{first.id}" else card(page, second)
    )
    reference = moving.get_attribute("id")
    first_or_second = first.reference if reference == f"case-{first.id}" else second.reference
    # Alt+Down on the focused card: the same request as a drag, announced, focus kept.
    link = moving.get_by_role("link").first
    link.focus()
    with page.expect_response(lambda response: response.url.endswith("/move")) as sent:
        page.keyboard.press("Alt+ArrowDown")
    assert sent.value.status == 200
    expect(page.locator("#board-announce")).to_have_text(f"{first_or_second} reordered in Filed.")
    expect(column(page, "filed").locator(".card").last).to_have_attribute("id", reference)
    focus_in = (
        "document.activeElement.closest('.card') && document.activeElement.closest('.card').id"
    )
    assert page.evaluate(focus_in) == reference  # the focus stayed with the card
    page.reload()
    expect(column(page, "filed").locator(".card").last).to_have_attribute("id", reference)
    assert _order("filed") == list(reversed(before))
    # And back up from the "Move to…" dialog, with Enter on its "Move up" button.
    moving.get_by_role("link", name=re.compile("^Move to…")).focus()
    page.keyboard.press("Enter")
    up = page.get_by_role("dialog").get_by_role("button", name="Move up in Filed")
    up.focus()
    with page.expect_response(lambda response: "/move" in response.url) as sent:
        page.keyboard.press("Enter")
    assert sent.value.status == 200
    expect(column(page, "filed").locator(".card").first).to_have_attribute("id", reference)
    page.reload()
    expect(column(page, "filed").locator(".card").first).to_have_attribute("id", reference)
    assert _order("filed") == before


def test_a_phone_sized_board_switches_stages_by_tab(browser, live_server):
    fac = create_user("facilitator")
    filed = make_case("filed", by=fac, title="Waiting in Filed")
    acknowledged = make_case("acknowledged", by=fac, title="Waiting in Acknowledged")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    signed_in_board(page, fac)
    tabs = page.get_by_role("tablist", name="Stages")
    expect(tabs).to_be_visible()
    filed_tab = tabs.get_by_role("tab", name="Filed (1)")
    expect(filed_tab).to_have_attribute("aria-selected", "true")
    expect(card(page, filed)).to_be_visible()
    expect(card(page, acknowledged)).to_be_hidden()
    # Arrow keys move along the tabs, as in any tab list; the panel follows.
    filed_tab.focus()
    page.keyboard.press("ArrowRight")
    acknowledged_tab = tabs.get_by_role("tab", name="Acknowledged (1)")
    expect(acknowledged_tab).to_be_focused()
    expect(acknowledged_tab).to_have_attribute("aria-selected", "true")
    expect(card(page, acknowledged)).to_be_visible()
    expect(card(page, filed)).to_be_hidden()
    # The menu and the filters fold away; the page never scrolls sideways.
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    expect(page.get_by_role("link", name="Due")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_show_more_loads_the_next_cards_in_place(page, live_app):
    fac = create_user("facilitator")
    for i in range(26):
        make_case("filed", by=fac, title=f"Filed case {i}")
    signed_in_board(page, fac)
    expect(column(page, "filed").get_by_role("listitem")).to_have_count(25)
    page.get_by_role("link", name="Show more").click()
    expect(column(page, "filed").get_by_role("listitem")).to_have_count(26)
    expect(page).to_have_url(re.compile(r"/board/$"))  # no page load: htmx added the card
    expect(page.get_by_role("link", name="Show more")).to_have_count(0)
