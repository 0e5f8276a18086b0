"""The board page: columns, cards, filters, paging, names, the poll and the query budget."""

import re
from datetime import timedelta

import pytest

from rj import cases
from rj.clock import today, utcnow
from rj.db import database
from rj.models import Action, Case, User
from tests.helpers import count_queries, create_user, make_case


def card_ids(html, stage):
    column = html.split(f'id="cards-{stage}"', 1)[1].split("</ol>", 1)[0]
    return [int(i) for i in re.findall(r'<li class="card[^"]*" id="case-(\d+)"', column)]


def count_of(html, stage):
    return int(re.search(rf'id="count-{stage}"[^>]*>(\d+)<', html).group(1))


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator", display_name="Fen Facil")


def test_board_shows_every_stage_column_in_order(client, fac):
    html = client.get("/board/").get_data(as_text=True)
    headings = re.findall(r'<h2 id="col-(\w+)-heading">', html)
    assert headings == [
        "filed",
        "acknowledged",
        "investigating",
        "hearing",
        "restoring",
        "community",
        "followup",
        "closed",
        "appeal",
    ]
    assert "Target: 2 days in this stage." in html


def test_a_card_shows_reference_title_severity_days_lead_and_next_due(client, fac):
    case = make_case("restoring", by=fac, severity="high", title="Words at the coffee urn")
    Case.update(
        stage_entered_at=utcnow() - timedelta(days=4), stage_due_on=today() + timedelta(days=9)
    ).where(Case.id == case.id).execute()
    Action.update(due_on=today() + timedelta(days=3)).where(Action.case == case.id).execute()

    def card():
        html = client.get("/board/").get_data(as_text=True)
        return html.split(f'id="case-{case.id}"', 1)[1].split("</li>", 1)[0]

    assert case.reference in card() and "Words at the coffee urn" in card()
    assert "High" in card() and "4 days" in card()
    assert '<abbr title="Fen Facil">FF</abbr>' in card()
    assert "Action due" in card() and "Restoring target" not in card()  # the earlier one
    Case.update(stage_due_on=today() + timedelta(days=1)).where(Case.id == case.id).execute()
    assert "Restoring target" in card() and "Action due" not in card()


def test_overdue_items_are_marked(client, fac):
    case = make_case("followup", by=fac)
    cases.add_checkin(case, fac, today() - timedelta(days=2))
    html = client.get("/board/").get_data(as_text=True)
    card = html.split(f'id="case-{case.id}"', 1)[1].split("</li>", 1)[0]
    assert "is-overdue" in html.split(f'id="case-{case.id}"', 1)[0].rsplit("<li", 1)[1]
    assert "Overdue" in card and "Check-in due" in card


def test_party_names_are_hidden_until_a_facilitator_turns_them_on(client, fac):
    make_case("filed", by=fac, parties=[("harmed", None, "Quinn Zephyr")])
    assert "Quinn Zephyr" not in client.get("/board/").get_data(as_text=True)
    client.post("/board/names")
    assert "Quinn Zephyr (harmed)" in client.get("/board/").get_data(as_text=True)
    client.post("/board/names")
    assert "Quinn Zephyr" not in client.get("/board/").get_data(as_text=True)


def test_columns_show_25_cards_then_show_more_pages_on_rank(client, fac):
    made = [make_case("filed", by=fac, title=f"Case {i}") for i in range(30)]
    html = client.get("/board/").get_data(as_text=True)
    first = card_ids(html, "filed")
    assert len(first) == 25 and count_of(html, "filed") == 30
    more = re.search(r'hx-get="(/board/columns/filed\?[^"]+)"', html).group(1).replace("&amp;", "&")
    rest = client.get(more, headers={"HX-Request": "true"}).get_data(as_text=True)
    second = [int(i) for i in re.findall(r'id="case-(\d+)"', rest)]
    assert len(second) == 5 and not set(first) & set(second)
    assert set(first) | set(second) == {c.id for c in made}
    assert "Show more" not in rest


def test_show_more_without_script_lengthens_the_column(client, fac):
    for i in range(27):
        make_case("filed", by=fac, title=f"Case {i}")
    response = client.get("/board/columns/filed?shown=25")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(card_ids(html, "filed")) == 27


def test_filters_are_in_the_url_and_counts_stay_exact(client, fac):
    other = create_user("facilitator")
    mine = make_case("filed", by=fac, severity="urgent", title="Shouting at intake")
    make_case("filed", by=other, lead=other, severity="low", title="Chair taken")
    late = make_case("followup", by=other, lead=other, title="Late check-in")
    cases.add_checkin(late, other, today() - timedelta(days=1))
    html = client.get("/board/?severity=urgent").get_data(as_text=True)
    assert card_ids(html, "filed") == [mine.id] and count_of(html, "filed") == 1
    html = client.get("/board/?q=chair").get_data(as_text=True)
    assert count_of(html, "filed") == 1 and "Chair taken" in html
    html = client.get(f"/board/?q={mine.reference.lower()}").get_data(as_text=True)
    assert card_ids(html, "filed") == [mine.id]
    html = client.get("/board/?overdue=1").get_data(as_text=True)
    assert card_ids(html, "followup") == [late.id] and count_of(html, "filed") == 0
    Case.update(lead=fac.id).where(Case.id == mine.id).execute()
    html = client.get("/board/?mine=1").get_data(as_text=True)
    assert card_ids(html, "filed") == [mine.id]


def test_an_unknown_severity_filter_is_explained_not_an_error(client, fac):
    response = client.get("/board/?severity=catastrophic")
    assert response.status_code == 400
    assert "There is no severity called “catastrophic”; showing all." in response.get_data(
        as_text=True
    )


def test_closed_column_shows_recent_cases_and_links_to_the_rest(client, fac):
    old = make_case("closed", by=fac, title="Long ago")
    Case.update(closed_at=utcnow() - timedelta(days=90)).where(Case.id == old.id).execute()
    recent = make_case("closed", by=fac, title="Last week")
    html = client.get("/board/").get_data(as_text=True)
    assert card_ids(html, "closed") == [recent.id]
    assert "All 2 closed cases" in html
    listing = client.get("/board/closed").get_data(as_text=True)
    assert "Long ago" in listing and "Last week" in listing


def test_poll_costs_a_304_when_nothing_changed(client, fac):
    case = make_case("filed", by=fac)
    first = client.get("/board/")
    tag = first.headers["ETag"].strip('"')
    headers = {"X-Mend-Background": "1", "If-None-Match": tag, "HX-Request": "true"}
    assert client.get("/board/", headers=headers).status_code == 304
    cases.acknowledge(case, fac, utcnow(), "phone")
    changed = client.get("/board/", headers={**headers, "HX-Target": "board"})
    assert changed.status_code == 200
    assert changed.get_data(as_text=True).lstrip().startswith('<div id="board"')


def test_a_case_where_the_facilitator_is_a_party_or_recused_is_not_on_their_board(client, fac):
    as_party = make_case("filed", parties=[("caused", User.get_by_id(fac.id), "Fen")])
    recused = make_case("filed")
    cases.declare_conflict(recused, fac, "My neighbour")
    visible = make_case("filed")
    html = client.get("/board/").get_data(as_text=True)
    assert card_ids(html, "filed") == [visible.id] and count_of(html, "filed") == 1
    assert as_party.reference not in html and recused.reference not in html


def _bulk_cases(n, lead):
    stages = [
        "filed",
        "acknowledged",
        "investigating",
        "hearing",
        "restoring",
        "community",
        "followup",
        "closed",
        "appeal",
    ]
    now = utcnow()
    rows = [
        dict(
            reference=f"RJ-2000-{i:05d}",
            kind="incident",
            title=f"Bulk {i}",
            what_happened="x",
            occurred_at=now,
            location="x",
            severity="low",
            stage=stages[i % len(stages)],
            stage_entered_at=now,
            rank=float(i),
            version=1,
            lead=lead.id,
            created_by=lead.id,
            updated_at=now,
            closed_at=now,
        )
        for i in range(n)
    ]
    with database.atomic():
        for start in range(0, n, 200):
            Case.insert_many(rows[start : start + 200]).execute()


def test_a_board_render_runs_the_same_number_of_queries_at_10_and_1000_cases(client, fac):
    _bulk_cases(10, fac)
    at_10 = count_queries(client, "/board/")
    Case.delete().execute()
    _bulk_cases(1000, fac)
    at_1000 = count_queries(client, "/board/")
    assert at_10 == at_1000
    client.post("/board/names")
    assert count_queries(client, "/board/") == at_1000 + 1  # the party names, one query
