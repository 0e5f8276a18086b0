"""Reports in Chromium: a coordinator opens them, switches the period, and finds each chart
(an image the strict content security policy lets through) with its table beside it."""

import re

from playwright.sync_api import expect

from rj import demo
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD, create_user


def test_a_coordinator_switches_the_period_and_finds_a_chart_and_its_table(page, live_app):
    coordinator = create_user("admin")
    fac = create_user("facilitator")
    demo.add_year(150, fac, fac)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, coordinator.username, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("^This month: "))).to_be_visible()

    periods = page.get_by_role("navigation", name="Period")
    periods.get_by_role("link", name="This year").click()
    expect(
        page.get_by_role(
            "heading", level=2, name=re.compile(r"^This year: \w{3}, 1 Jan \d{4} to \w{3}, 31 Dec")
        )
    ).to_be_visible()
    expect(periods.get_by_role("link", name="This year")).to_have_attribute("aria-current", "page")

    chart = page.get_by_role("img", name=re.compile("^Bar chart: median time in each stage"))
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 0
    table = page.get_by_role("table", name="Time in each stage")
    expect(table.get_by_role("rowheader", name="Filed")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Median")).to_be_visible()

    page.get_by_label("First day").fill("2025-01-01")
    page.get_by_label("Last day").fill("2025-01-31")
    page.get_by_role("button", name="Show these dates").click()
    expect(
        page.get_by_role(
            "heading", level=2, name="Between two dates: Wed, 1 Jan 2025 to Fri, 31 Jan 2025"
        )
    ).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Bar chart: cases filed"))).to_be_visible()
    expect(page.get_by_role("table", name="Cases filed, by kind and severity")).to_be_visible()
    assert blocked == []
