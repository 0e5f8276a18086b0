"""The public pages: the posted procedures, the poster, raising a concern without an
account, and the receipt code's page (what its holder can and cannot see, wrong codes,
throttling). Nothing of any case is on a public page, and public actions keep no
client address."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from rj import cases, concerns, i18n, public_limits, settings, workflow
from rj import db as rjdb
from rj.clock import today, utcnow
from rj.models import AuditRecord, Case, ConcernReceipt, Entry
from tests.helpers import create_user, make_case

ADDRESS = "203.0.113.9"


@pytest.fixture
def open_filing(app):
    settings.put(concerns.PUBLIC_FILING, True)


@pytest.fixture
def visitor(app):
    """A browser with nobody signed in, from one address."""
    return app.test_client()


def raise_concern(client, what="Someone shouted at me by the kettle.", address=ADDRESS, **more):
    data = {"what_happened": what, "submission": more.pop("submission", "key-" + what), **more}
    return client.post("/concerns/new", data=data, environ_base={"REMOTE_ADDR": address})


def code_in(response):
    match = re.search(r"data-receipt-code>([^<]+)<", response.get_data(as_text=True))
    return match.group(1) if match else None


def look_up(client, code, address=ADDRESS):
    return client.post(
        "/concerns/receipt", data={"code": code}, environ_base={"REMOTE_ADDR": address}
    )


# --- The posted procedures and the poster ------------------------------------------------


def test_the_procedures_need_no_sign_in_and_show_the_steps_with_their_targets(visitor):
    html = visitor.get("/procedures").get_data(as_text=True)
    assert "How to raise a concern" in html  # the organisation's words (the default)
    assert "We aim to acknowledge it within 2 days." in html  # Filed's target
    assert "Usually within 14 days." in html  # Investigating's
    assert "representative" in html and "Appeal" in html and "Privacy" in html
    assert "Not for emergencies" in html and "tell a staff member on site now" in html


def test_the_steps_follow_the_settings(visitor, app):
    admin = create_user("admin")
    values = {s.key: (s.label, s.help, s.target_days) for s in workflow.board_stages()}
    values["filed"] = ("Received", "", 3)
    workflow.configure(admin, values, community_enabled=False, appeal_window_days=14)
    html = visitor.get("/procedures").get_data(as_text=True)
    assert "Received" in html and "within 3 days" in html
    assert "wider community" not in html  # Community is switched off


def test_no_public_page_shows_anything_of_a_case(visitor, open_filing):
    case = make_case(
        "investigating",
        title="Broken window in the quiet room",
        parties=[("harmed", None, "Robin Harmed"), ("caused", None, "Casey Caused")],
    )
    for path in ("/procedures", "/procedures/poster", "/concerns/new", "/concerns/receipt"):
        response = visitor.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        for secret in (case.reference, "Broken window", "Robin", "Casey", "lounge"):
            assert secret not in html, (path, secret)


def test_the_poster_has_the_steps_and_an_inline_qr_code_of_the_public_address(app, visitor):
    app.config["PUBLIC_URL"] = "https://mend.example.org/"
    settings.put(concerns.PUBLIC_FILING, True)
    html = visitor.get("/procedures/poster").get_data(as_text=True)
    assert "<svg" in html and 'class="qr"' in html and "<img" not in html
    assert "https://mend.example.org/concerns/new" in html
    assert "Not for emergencies" in html and "What happens" in html
    assert "We aim to acknowledge it within 2 days." in html


def test_with_public_filing_off_the_poster_points_at_the_procedures(app, visitor):
    app.config["PUBLIC_URL"] = "https://mend.example.org"
    html = visitor.get("/procedures/poster").get_data(as_text=True)
    assert "https://mend.example.org/procedures" in html
    assert "/concerns/new" not in html


def test_with_public_filing_off_the_form_says_to_raise_it_in_person(visitor):
    response = visitor.get("/concerns/new")
    assert response.status_code == 404
    assert "tell a staff member" in response.get_data(as_text=True)
    assert raise_concern(visitor).status_code == 404
    assert Case.select().count() == 0


# --- Markdown ------------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


HOSTILE = """\
## Our way

<script>alert("x")</script>
<style>body { display: none }</style>
<img src=x onerror="alert(1)">
<a href="#" onclick="alert(2)">click</a>
[a link](javascript:alert(3)) and [another](JaVaScRiPt:alert(4))
[fine](https://example.org/help) **bold**
"""


def test_markdown_keeps_no_script_style_event_attribute_or_javascript_link(client, login_as):
    login_as("admin")
    visitor = client
    settings_page = visitor.get("/admin/settings").get_data(as_text=True)
    form = {
        name: value
        for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', settings_page)
        if name != "csrf_token"
    }
    form.update(procedures=HOSTILE, appeal_window_days="14", public_filing="y")
    assert visitor.post("/admin/settings", data=form).status_code == 302
    html = visitor.get("/procedures").get_data(as_text=True)
    text = html[html.index('class="procedures-text"') : html.index('id="steps-heading"')]
    assert "<h2>Our way</h2>" in text and "<strong>bold</strong>" in text
    assert 'href="https://example.org/help"' in text
    tags = Tags()
    tags.feed(text)
    assert not {"script", "style", "img"} & {tag for tag, _ in tags.seen}
    attributes = [(name, value or "") for _, attrs in tags.seen for name, value in attrs]
    assert not [name for name, _ in attributes if name.startswith("on") or name == "style"]
    assert not [v for n, v in attributes if n == "href" and not v.startswith("https:")]
    assert "<script" not in text and "<style" not in text  # what is left of them is text
    assert concerns.public_filing_open()


# --- Raising a concern -----------------------------------------------------------------------


def test_a_public_concern_lands_in_filed_unassessed_with_no_author_and_a_neutral_title(
    visitor, open_filing
):
    response = raise_concern(visitor, name="Jordan", contact="07700 900123")
    assert response.status_code == 200 and code_in(response)
    case = Case.get()
    assert case.stage == "filed" and case.severity == "unassessed"
    assert case.raised_via == "public" and case.created_by is None
    assert case.title == f"Concern raised on {i18n.day_text(case.created_at)}"
    assert case.what_happened == "" and "kettle" not in case.title
    statement = Entry.get(Entry.case == case)
    assert statement.kind == "statement" and statement.audience == "facilitators"
    assert statement.author is None
    assert "kettle" in statement.body and "Jordan" in statement.body and "07700" in statement.body


def test_the_acknowledgement_is_due_by_filed_target_from_arrival(visitor, open_filing):
    raise_concern(visitor)
    case = Case.get()
    assert case.stage_due_on == today() + timedelta(days=workflow.stage("filed").target_days)
    assert case.stage_entered_at == case.created_at


def test_an_anonymous_concern_says_no_name_was_given(visitor, open_filing):
    raise_concern(visitor)
    assert "Did not give a name." in Entry.get().body


def test_public_actions_keep_no_client_address(visitor, open_filing):
    code = code_in(raise_concern(visitor))
    look_up(visitor, code)
    visitor.post(
        "/concerns/receipt/add",
        data={"code": code, "more": "One more thing."},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    records = list(AuditRecord.select().order_by(AuditRecord.id))
    assert [r.action for r in records] == [
        "case.raised_publicly",
        "entry.created",
        "receipt.used",
        "entry.created",
    ]
    assert {r.address for r in records} == {"public"}
    assert all(r.actor_id is None for r in records)
    assert not any(ADDRESS in (r.details + r.address) for r in records)


def test_the_code_is_kept_hashed_and_never_put_in_a_url_or_cookie(visitor, open_filing):
    response = raise_concern(visitor)
    code = code_in(response)
    plain = code.replace("-", "")
    assert ConcernReceipt.get().code_hash == concerns.code_hash(plain)
    assert plain not in str(list(ConcernReceipt.select().dicts()))
    assert code not in (response.headers.get("Set-Cookie") or "")
    status = look_up(visitor, code)
    html = status.get_data(as_text=True)
    assert code not in (status.headers.get("Set-Cookie") or "")
    assert not re.search(r'(href|action)="[^"]*' + re.escape(code), html)
    assert 'method="post"' in html
    # A code in a URL is never looked up.
    asked = visitor.get(f"/concerns/receipt?code={code}").get_data(as_text=True)
    assert "Your receipt code" in asked and "Where things are" not in asked


def test_a_double_tapped_submit_files_one_concern_and_the_last_code_works(visitor, open_filing):
    first = code_in(raise_concern(visitor, submission="same-key"))
    second = code_in(raise_concern(visitor, submission="same-key"))
    assert Case.select().count() == 1 and Entry.select().count() == 1
    assert first != second
    assert look_up(visitor, second).status_code == 200
    assert look_up(visitor, first).status_code == 404


def test_the_honeypot_gets_a_receipt_and_nothing_is_kept(visitor, open_filing):
    response = raise_concern(visitor, website="http://spam.example")
    assert response.status_code == 200 and code_in(response)
    assert Case.select().count() == 0 and AuditRecord.select().count() == 0


def test_the_public_form_refuses_too_long_or_empty_beside_the_field(visitor, open_filing):
    empty = raise_concern(visitor, what="  ")
    assert empty.status_code == 422 and "Tell us what happened." in empty.get_data(as_text=True)
    long = raise_concern(visitor, name="n" * 121)
    html = long.get_data(as_text=True)
    assert long.status_code == 422 and "at most 120 characters" in html
    assert "Someone shouted" in html  # what was typed is kept
    assert Case.select().count() == 0


def test_the_public_form_takes_no_files(visitor, open_filing):
    html = visitor.get("/concerns/new").get_data(as_text=True)
    assert 'type="file"' not in html and "multipart" not in html


# --- The receipt code's holder ---------------------------------------------------------------


def test_the_right_code_shows_the_stage_in_plain_words_typed_any_way(visitor, open_filing):
    code = code_in(raise_concern(visitor))
    sloppy = code.lower().replace("-", " ").replace("0", "o")
    response = look_up(visitor, sloppy)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your concern has been received." in html


def test_the_code_holder_sees_the_stage_and_nothing_else(visitor, open_filing):
    code = code_in(raise_concern(visitor))
    case = Case.get()
    fac = create_user("facilitator", display_name="Fran Facilitator")
    cases.correct_facts(
        case,
        fac,
        {**cases.facts_of(case), "title": "Shouting by the kettle", "location": "kitchen"},
        "Neutral title",
        case.facts_revision,
    )
    cases.add_party(case, cases.add_person("Taylor Other"), "caused", fac)
    from rj import entries

    entries.add_entry(case, fac, "note", "Private facilitator note.", audience="facilitators")
    cases.acknowledge(case, fac, utcnow(), "phone")
    Case.update(stage="acknowledged").where(Case.id == case.id).execute()
    html = look_up(visitor, code).get_data(as_text=True)
    assert "Your concern has been acknowledged." in html
    for hidden in (
        "Shouting by the kettle",
        "Taylor",
        "Private facilitator note",
        "Fran",
        case.reference,
        "kettle",
    ):
        assert hidden not in html, hidden


def test_a_wrong_code_says_nothing_about_whether_a_concern_exists(visitor, open_filing):
    code = code_in(raise_concern(visitor))
    case = Case.get()
    # A well-formed code never issued, one whose concern is gone, and rubbish.
    never = look_up(visitor, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    Case.update(stage="closed").where(Case.id == case.id).execute()
    ConcernReceipt.delete().execute()
    gone = look_up(visitor, code)
    rubbish = look_up(visitor, "hello")
    typed = ("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", code, "hello")
    bodies = {
        r.get_data(as_text=True).replace(f'value="{t}"', "")
        for r, t in zip((never, gone, rubbish), typed, strict=True)
    }
    assert {r.status_code for r in (never, gone, rubbish)} == {404}
    assert len(bodies) == 1
    assert "does not match a concern" in bodies.pop()


def test_the_code_holder_adds_information_for_the_facilitators_once(visitor, open_filing):
    code = code_in(raise_concern(visitor))
    data = {"code": code, "more": "It happened again today."}
    for _ in range(2):  # a reload sends it again
        response = visitor.post("/concerns/receipt/add", data=data)
        assert response.status_code == 200
    assert "with the facilitators" in response.get_data(as_text=True)
    added = list(Entry.select().order_by(Entry.id))[1:]
    assert len(added) == 1
    assert added[0].audience == "facilitators" and added[0].author is None
    assert added[0].body == "It happened again today."


def test_adding_with_a_wrong_code_adds_nothing(visitor, open_filing):
    raise_concern(visitor)
    response = visitor.post(
        "/concerns/receipt/add", data={"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "more": "Sneaky."}
    )
    assert response.status_code == 404
    assert Entry.select().count() == 1


def test_a_concern_closed_as_a_duplicate_says_it_was_joined_with_another(visitor, open_filing):
    code = code_in(raise_concern(visitor))
    case = Case.get()
    fac = create_user("facilitator")
    other = make_case("investigating", by=fac)
    workflow.close_early(
        case, "duplicate", "Same incident", fac, case.version, duplicate_of=other.reference
    )
    html = look_up(visitor, code).get_data(as_text=True)
    assert "joined with another concern" in html and "being handled" in html
    assert other.reference not in html
    assert "Add information" not in html  # closed: nothing more is taken here
    refused = visitor.post("/concerns/receipt/add", data={"code": code, "more": "More."})
    assert refused.status_code == 422 and Entry.select().count() == 1


# --- Throttling -----------------------------------------------------------------------------


@pytest.fixture
def throttled(app, open_filing):
    app.config.update(
        THROTTLE_ENABLED=True,
        PUBLIC_CONCERNS_PER_SESSION="2 per hour",
        PUBLIC_CONCERNS_PER_ADDRESS="3 per hour",
        PUBLIC_CONCERNS_OVERALL="4 per hour",
    )
    return app


def test_submissions_are_limited_per_browser_then_per_address_then_overall(throttled):
    one, two, three = (throttled.test_client() for _ in range(3))
    assert [raise_concern(one, f"a{i}").status_code for i in range(3)] == [200, 200, 429]
    assert "Too many concerns" in raise_concern(one, "a9").get_data(as_text=True)
    # Another browser at the same address: the address still has room for one.
    assert [raise_concern(two, f"b{i}").status_code for i in range(2)] == [200, 429]
    # Another address: the overall ceiling has room for one more.
    assert raise_concern(three, "c0", address="198.51.100.7").status_code == 200
    assert raise_concern(three, "c1", address="198.51.100.8").status_code == 429
    assert Case.select().count() == 4


def flood(client, n, address=ADDRESS, **headers):
    """``n`` posts of the public form from ``client``; their status codes."""
    return [
        client.post(
            "/concerns/new",
            data={"what_happened": f"Flood {i}", "submission": f"flood-{address}-{i}"},
            environ_base={"REMOTE_ADDR": address},
            headers=headers,
        ).status_code
        for i in range(n)
    ]


def test_an_address_that_keeps_posting_after_its_refusals_is_answered_without_any_work(
    throttled, monkeypatch
):
    """Refused as many times again as it may post (3) once its own limit is used up, an
    address is a flood: its requests for the form get a page made once, with no query,
    no cookie and nothing written; other addresses and the other public pages go on."""
    person, robot = throttled.test_client(), throttled.test_client()
    assert flood(person, 3) == [200, 200, 429]  # the browser's 2, then a refusal: not counted
    assert raise_concern(robot, "r0").status_code == 200  # the address's third
    assert "<form" in raise_concern(robot, "r1").get_data(as_text=True)  # counted: 1
    refused = raise_concern(person, "What I typed")  # counted: 2
    assert refused.status_code == 429 and "What I typed" in refused.get_data(as_text=True)
    assert "<form" in raise_concern(robot, "r2").get_data(as_text=True)  # counted: 3
    assert raise_concern(robot, "r3").status_code == 429  # a flood now: the page is made
    statements = []
    original = rjdb.database.obj.execute_sql
    monkeypatch.setattr(
        rjdb.database.obj,
        "execute_sql",
        lambda sql, *a, **k: statements.append(sql) or original(sql, *a, **k),
    )
    again = robot.get("/concerns/new", environ_base={"REMOTE_ADDR": ADDRESS})
    for answer in (raise_concern(robot, "r4"), again):
        html = answer.get_data(as_text=True)
        assert answer.status_code == 429 and "Too many concerns from here" in html
        assert "r4" not in html and "<form" not in html
        assert int(answer.headers["Retry-After"]) > 0
        assert "Set-Cookie" not in answer.headers
    assert statements == []
    monkeypatch.undo()
    assert Case.select().count() == 3
    usual = robot.get("/procedures", environ_base={"REMOTE_ADDR": ADDRESS})
    assert usual.status_code == 200
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "Cache-Control",
    ):
        assert again.headers[name] == usual.headers[name], name
    other = throttled.test_client().get(
        "/concerns/new", environ_base={"REMOTE_ADDR": "198.51.100.20"}
    )
    assert other.status_code == 200 and "<form" in other.get_data(as_text=True)


def test_refusals_that_are_not_the_addresss_own_never_close_the_form_to_it(throttled):
    """A browser over its own limit, however often it tries, leaves the address room for
    the next person: the form is closed to an address only for what the address did."""
    assert flood(throttled.test_client(), 12) == [200, 200] + [429] * 10
    assert raise_concern(throttled.test_client(), "Next person").status_code == 200


@pytest.mark.parametrize("app_overrides", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_proxy_the_flood_is_the_address_it_forwards(throttled):
    forwarded = {"X-Forwarded-For": "198.51.100.50"}
    statuses = [flood(throttled.test_client(), 2, **forwarded) for _ in range(4)]
    assert statuses == [[200, 200], [200, 429], [429, 429], [429, 429]]
    gated = throttled.test_client().get("/concerns/new", headers=forwarded)
    assert "Too many concerns from here" in gated.get_data(as_text=True)
    neighbour = throttled.test_client().get(
        "/concerns/new", headers={"X-Forwarded-For": "198.51.100.51"}
    )
    assert neighbour.status_code == 200 and "<form" in neighbour.get_data(as_text=True)


def test_the_gate_steps_aside_while_filing_is_switched_off(throttled):
    flood(throttled.test_client(), 6)  # three concerns, three refusals: a flood
    settings.put(concerns.PUBLIC_FILING, False)
    closed = throttled.test_client().get("/concerns/new", environ_base={"REMOTE_ADDR": ADDRESS})
    assert closed.status_code == 404 and "Too many concerns" not in closed.get_data(as_text=True)


def test_when_the_limits_cannot_be_read_the_gate_lets_the_app_answer(throttled, monkeypatch):
    def broken(address):
        raise ConnectionError("no storage")

    monkeypatch.setattr(public_limits, "flooding", broken)
    page = throttled.test_client().get("/concerns/new", environ_base={"REMOTE_ADDR": ADDRESS})
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)


def test_with_the_limits_off_no_address_is_a_flood(throttled):
    flood(throttled.test_client(), 8)  # a flood while the limits were on
    throttled.config["THROTTLE_ENABLED"] = False
    assert raise_concern(throttled.test_client(), "Limits off").status_code == 200


def test_wrong_codes_are_limited_per_browser_and_then_the_right_one_waits_too(throttled, visitor):
    code = code_in(raise_concern(visitor))
    guesser = throttled.test_client()
    statuses = [look_up(guesser, f"ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ{i:02d}").status_code for i in range(11)]
    assert statuses == [404] * 10 + [429]
    assert look_up(guesser, code).status_code == 429
    assert look_up(throttled.test_client(), code).status_code == 200  # another browser


def test_wrong_codes_are_limited_overall_not_only_per_address(throttled, visitor, monkeypatch):
    from limits import RateLimitItemPerHour

    monkeypatch.setattr(public_limits, "WRONG_CODES_OVERALL", RateLimitItemPerHour(3))
    code = code_in(raise_concern(visitor))
    for i in range(3):
        guesser = throttled.test_client()
        address = f"198.51.100.{i + 1}"
        assert look_up(guesser, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", address).status_code == 404
    fresh = throttled.test_client()
    assert look_up(fresh, code, "192.0.2.1").status_code == 429


def test_lookups_of_one_code_are_limited(throttled, visitor, monkeypatch):
    from limits import RateLimitItemPerHour

    monkeypatch.setattr(public_limits, "LOOKUPS_PER_CODE", RateLimitItemPerHour(2))
    code = code_in(raise_concern(visitor))
    statuses = [look_up(throttled.test_client(), code).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
