"""axe-core finds nothing on any page, for any role: every GET route of the URL map that a
role may open is loaded once in Chromium and checked once, with axe's default rules and
the experimental label-content-name-mismatch (a control's name starts with its visible
text). Also the board with the move dialog open and on a phone, the error pages, forms
sent back with their errors, and the tablet at a tablet's size with touch.

One world for the module; each role's pages in one browser context, signed in once.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from rj import db as rjdb
from rj import settings
from rj.vocabulary import ROLES
from tests.browser.conftest import LiveServer, sign_in
from tests.helpers import (
    PASSWORD,
    build_places,
    build_world,
    is_document,
    make_app,
    make_case,
    readable_pages,
    signed_in_as,
)

AXE = Axe()
OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}
LAST = ("auth.leave", "auth.signout")  # pages that end the session come last


@pytest.fixture(scope="module")
def site(browser, database_url, tmp_path_factory):
    """A live Mend with a world of every role and case, and, per role, the paths of the
    full pages that role may open (found with the test client, so the browser loads only
    those)."""
    app = make_app(database_url, tmp_path_factory.mktemp("axe"))
    with app.app_context():
        users, values = build_places(build_world())
        settings.put(settings.DEMO, True)  # the "Demo data" banner, as `make run` shows it
        for i in range(26):  # a column longer than one page of cards: "Show more"
            make_case("filed", by=users["facilitator"], title=f"Filed case {i}")
        client = app.test_client()
        client.post(  # a concern from the public, and so the board's notice of it
            "/concerns/new", data={"what_happened": "Someone shouted at me.", "submission": "k1"}
        )
        paths = {}
        for role in (None, *ROLES):
            found = []
            for endpoint, _, path in readable_pages(app, users, values):
                signed_in_as(client, users.get(role))
                response = client.get(path)
                if response.status_code == 200 and is_document(response):
                    found.append((endpoint, path))
            found.sort(key=lambda page: page[0] in LAST)
            paths[role or "signed out"] = found
        with LiveServer(app) as server:
            yield server, users, paths
        rjdb.database.close_all()


def describe(violation):
    nodes = "; ".join(
        f"{' '.join(map(str, node['target']))} {node['html'][:160]}"
        for node in violation["nodes"][:5]
    )
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {nodes}"


def check(page, name, found):
    """Run axe once on what the page shows now; add what it finds to ``found``."""
    results = AXE.run(page, options=OPTIONS).response
    for violation in results["violations"]:
        found.append(f"{name}: {describe(violation)}")
    return results


def new_page(browser, server, **context_options):
    context = browser.new_context(base_url=server.url, **context_options)
    page = context.new_page()
    page.set_default_timeout(10000)
    return page


def test_axe_runs_the_rule_for_names_that_hide_their_visible_text(browser, site):
    server, _, _ = site
    page = new_page(browser, server)
    page.goto("/signin")
    page.evaluate(
        """() => { const b = document.createElement("button");
        b.textContent = "Sign in"; b.setAttribute("aria-label", "Continue");
        document.querySelector("main").append(b); }"""
    )
    found = []
    check(page, "a button named otherwise than it reads", found)
    page.context.close()
    assert len(found) == 1 and "label-content-name-mismatch" in found[0], found


@pytest.mark.parametrize("role", ["signed out", *ROLES])
def test_every_page_a_role_opens_passes_axe(browser, site, role):
    server, users, paths = site
    assert len(paths[role]) >= 3
    page = new_page(browser, server)
    if role != "signed out":
        sign_in(page, users[role].username, PASSWORD)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    found, checked = [], 0
    for endpoint, path in paths[role]:
        response = page.goto(path)
        assert response.status == 200, f"{endpoint} {path}: {response.status}"
        checked += 1
        check(page, f"{endpoint} {path}", found)
    page.context.close()
    assert checked == len(paths[role])
    assert not found, f"{len(found)} violations as {role}:\n" + "\n".join(found)


def test_the_board_with_the_move_dialog_open_and_on_a_phone_passes_axe(browser, site):
    server, users, paths = site
    reference = next(p for e, p in paths["facilitator"] if e == "cases.show").rsplit("/", 1)[1]
    page = new_page(browser, server)
    sign_in(page, users["facilitator"].username, PASSWORD)
    expect(page.locator("#board")).to_have_attribute("data-ready", "true")
    found = []
    page.get_by_role("link", name=f"Move to… {reference}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("radio").first).to_be_visible()
    check(page, "the move dialog", found)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Show more").click()
    expect(page.get_by_text("Filed case 0", exact=True)).to_be_visible()
    check(page, "the board after Show more", found)
    page.set_viewport_size({"width": 360, "height": 740})
    expect(page.get_by_role("tablist", name="Stages")).to_be_visible()
    check(page, "the board on a phone", found)
    page.context.close()
    assert not found, "\n".join(found)


def test_error_pages_forms_with_errors_and_a_public_concern_pass_axe(browser, site):
    server, users, _ = site
    found = []
    page = new_page(browser, server)
    page.goto("/nothing-here")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    check(page, "404 signed out", found)
    sign_in(page, users["facilitator"].username, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    check(page, "sign-in refused", found)
    page.goto("/concerns/new")
    page.get_by_role("button", name="Send my concern").click()
    expect(page.get_by_text("Tell us what happened.").first).to_be_visible()
    check(page, "a public concern sent empty", found)
    page.get_by_label("What happened?").fill("Someone took my bag.")
    page.get_by_role("button", name="Send my concern").click()
    expect(page.get_by_role("heading", name="Your concern was received")).to_be_visible()
    check(page, "a public concern received", found)
    code = page.locator("[data-receipt-code]").inner_text()
    page.goto("/concerns/receipt")
    page.get_by_label("Your receipt code").fill(code)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_label("What do you want to add?")).to_be_visible()
    check(page, "a concern's stage, from its receipt code", found)
    page.context.close()

    page = new_page(browser, server)
    sign_in(page, users["facilitator"].username, PASSWORD)
    page.goto("/nothing-here")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    check(page, "404 signed in", found)
    page.goto("/cases/new/incident")
    page.get_by_role("button", name="File the case").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check(page, "a new case sent empty", found)
    page.context.close()

    page = new_page(browser, server)
    sign_in(page, users["participant"].username, PASSWORD)
    response = page.goto("/board/")
    assert response.status == 403
    check(page, "403", found)
    page.context.close()
    assert not found, "\n".join(found)


def test_the_tablet_at_a_tablets_size_passes_axe(browser, site):
    server, users, _ = site
    page = new_page(
        browser, server, viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True
    )
    sign_in(page, users["volunteer"].username, PASSWORD)
    found = []
    expect(page.get_by_role("heading", name="Witness accounts", level=1)).to_be_visible()
    check(page, "the tablet's list", found)
    page.get_by_role("button", name="Start a quick incident report").click()
    expect(page.get_by_role("button", name="Send the account")).to_be_visible()
    check(page, "a witness account", found)
    page.get_by_role("button", name="Send the account").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check(page, "a witness account sent empty", found)
    page.context.close()
    assert not found, "\n".join(found)
