"""Reports: cases built through the domain functions at known times, every figure checked
against one worked out by hand; small counts hidden on the page, the printable page
and the CSV; coordinators only; recorded; a fixed number of queries."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest

from rj import cases, demo, reports, workflow
from rj.models import AuditRecord, Case, CheckIn, StageHistory, User
from rj.reports import Count, between, count, named_period, protect, share
from tests.helpers import Clock, count_queries, create_user, make_case, sign_in_session

NOW = datetime(2026, 4, 15, 12, 0)  # mid-April: last quarter is January to March 2026
Q1 = "start=2026-01-01&end=2026-03-31"


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, NOW)


@pytest.fixture
def fac(app):
    return create_user("facilitator", display_name="Fen Facil")


@pytest.fixture
def coordinator(app):
    return create_user("admin", display_name="Cora Ordinator")


def file_at(clock, when, by, kind="incident", severity="medium"):
    clock.set(when)
    return cases.file_case(
        by,
        kind=kind,
        title="A neutral title",
        what_happened="Something happened.",
        occurred_at=when,
        location="lounge",
        severity=severity,
    )


def move_at(clock, when, case, to, by, reason=""):
    clock.set(when)
    case = Case.get_by_id(case.id)
    return workflow.move(case, to, by, case.version, reason)


def report_for(clock, query):
    """The report as the page builds it, asked for at NOW."""
    clock.set(NOW)
    args = dict(part.split("=") for part in query.split("&"))
    if "period" in args:
        return reports.build(named_period(args["period"]))
    return reports.build(
        between(date.fromisoformat(args["start"]), date.fromisoformat(args["end"]))
    )


def shown(table):
    """Each row's cells as the page says them, by row label."""
    return {row.label: [str(c) for c in row.cells] for row in table.all_rows}


def page(client, user, path):
    sign_in_session(client, user)
    response = client.get(path)
    return response, response.get_data(as_text=True)


# --- Time in stage -------------------------------------------------------------------------

# Hours each of ten cases spent in Filed, and days six of them spent in Acknowledged.
FILED_HOURS = (1, 2, 3, 4, 5, 70, 80, 90, 100, 110)
ACKNOWLEDGED_DAYS = (1, 2, 3, 4, 5, 6)


@pytest.fixture
def timed(clock, fac):
    """Ten cases filed a day apart from 2 Feb 2026, 10:00; six went on to Investigating."""
    for i, hours in enumerate(FILED_HOURS):
        filed = datetime(2026, 2, 2, 10) + timedelta(days=i)
        case = file_at(clock, filed, fac)
        acknowledged = filed + timedelta(hours=hours)
        clock.set(acknowledged)
        cases.acknowledge(case, fac, acknowledged, "phone")
        move_at(clock, acknowledged, case, "acknowledged", fac)
        if i < len(ACKNOWLEDGED_DAYS):
            cases.set_lead(case, fac, fac)
            later = acknowledged + timedelta(days=ACKNOWLEDGED_DAYS[i])
            move_at(clock, later, case, "investigating", fac)
    clock.set(NOW)


def test_time_in_each_stage_is_the_hand_computed_median_and_90th_percentile(clock, timed):
    table = report_for(clock, Q1)["time"]
    filed, acknowledged = table.rows[0].cells, table.rows[1].cells
    # Filed, ten stays of 1..5 and 70..110 hours: the median lies halfway between the
    # 5th and 6th (5 and 70 h: 37.5 h); the 90th percentile at 0.9 x 9 = 8.1 places in,
    # a tenth of the way from 100 to 110 h (101 h), as PERCENTILE_CONT interpolates.
    assert filed[1].number == pytest.approx(37.5 / 24)
    assert filed[2].number == pytest.approx(101 / 24)
    # Acknowledged, six stays of 1..6 days: median 3.5; 90th percentile at 4.5 places: 5.5.
    assert acknowledged[1].number == pytest.approx(3.5)
    assert acknowledged[2].number == pytest.approx(5.5)
    assert shown(table)["Filed"] == ["10", "1.6 days", "4.2 days", "2 days", "50%"]
    # All six met the 7-day target; a share of 100% would tell that fewer than 5 missed
    # it, so it is given as a bound: at least (6 - 4) / 6.
    assert shown(table)["Acknowledged"] == ["6", "3.5 days", "5.5 days", "7 days", "at least 33%"]
    assert shown(table)["Investigating"] == [
        "fewer than 5",
        "not shown",
        "not shown",
        "14 days",
        "not shown",
    ]


def test_filed_stays_met_the_target_when_acknowledged_by_the_end_of_its_due_day(clock, timed):
    # Filed at 10:00 with a 2-day target: due by the end of the second day after, 62 hours
    # on. 1..5 hours met it, 70..110 hours did not: 5 of 10.
    met = StageHistory.select().where(
        (StageHistory.stage == "filed") & (StageHistory.left_at < StageHistory.due_at)
    )
    assert met.count() == 5
    assert str(report_for(clock, Q1)["time"].rows[0].cells[4]) == "50%"


def test_open_cases_at_the_end_of_the_period_hide_a_small_stage_and_the_one_beside_it(clock, timed):
    table = report_for(clock, Q1)["open"]
    # Four in Acknowledged and six in Investigating on 31 March, all past their targets.
    # The four are hidden; with the total of ten shown, the six would give them away.
    assert shown(table)["Acknowledged"] == ["fewer than 5", "fewer than 5"]
    assert shown(table)["Investigating"] == ["not shown", "not shown"]
    assert shown(table)["Total"] == ["10", "10"]
    assert table.cell("investigating").value == 6


def test_a_period_not_yet_over_counts_what_is_open_now(clock, timed):
    clock.set(datetime(2026, 2, 14, 12))
    report = reports.build(named_period("this-month"))
    assert report["open"].total.cells[0].value == 10


# --- Cases filed, and the suppression of small counts ------------------------------------


def test_cases_filed_by_kind_and_severity_hide_small_cells_and_their_neighbours(clock, fac):
    for i in range(7):
        file_at(clock, datetime(2026, 3, 1, 9) + timedelta(hours=i), fac, severity="medium")
    for i in range(2):
        file_at(clock, datetime(2026, 3, 2, 9) + timedelta(hours=i), fac, severity="high")
    for i in range(6):
        file_at(clock, datetime(2026, 3, 3, 9) + timedelta(hours=i), fac, "complaint", "low")
    file_at(clock, datetime(2026, 4, 1, 9), fac, severity="urgent")  # after the period
    table = report_for(clock, Q1)["filed"]
    # Cases from the tablet or the public arrive "not yet assessed": a column of their own.
    assert table.columns == ["Low", "Medium", "High", "Urgent", "Not yet assessed", "Total"]
    # Incidents: 7 medium and 2 high. The 2 is hidden, and the 7 with it (or 9 - 7 = 2).
    assert shown(table)["Incident"] == [
        "fewer than 5",
        "not shown",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
        "9",
    ]
    # Complaints: 6 low and nothing else; the row's total would tell the noughts, so the
    # 6 is hidden (the total of 6 is not a count of anyone in particular).
    assert shown(table)["Complaint"] == [
        "not shown",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
        "6",
    ]
    # By severity, 6 low, 7 medium, 2 high, 0 urgent, 0 unassessed: the 2 and the 0s are
    # hidden, and the 6 beside them.
    assert shown(table)["Total"] == [
        "not shown",
        "7",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
        "15",
    ]
    assert str(dict(report_for(clock, Q1).headline)["Cases filed"]) == "15"


def _lines_hold(lines):
    """No hidden count can be worked out from a shown total: every line with a shown total
    has no hidden cell, or two or more adding up to 5 or more."""
    for *cells, total in lines:
        hidden = [c for c in cells if c.hidden]
        if total.hidden:
            assert hidden or not cells
        elif hidden:
            assert len(hidden) >= 2 and sum(c.value for c in hidden) >= 5


@pytest.mark.parametrize(
    "values",
    [
        [20, 0, 0, 0],
        [20, 3, 7, 6],
        [5, 1, 0, 0],
        [2, 2],
        [0, 0, 0],
        [30, 4, 4, 30],
        [6, 7, 2, 0],
    ],
)
def test_a_protected_line_never_gives_a_hidden_count_away(values):
    cells = [count(v) for v in values]
    total = count(sum(values))
    protect([[*cells, total]])
    _lines_hold([[*cells, total]])
    assert all(c.hidden == "small" for c in cells if c.value < 5)


def test_a_protected_table_holds_in_every_row_and_column():
    grid = [[7, 2, 0], [6, 0, 9], [12, 11, 1]]
    cells = [[count(v) for v in row] for row in grid]
    row_totals = [count(sum(row)) for row in grid]
    column_totals = [count(sum(col)) for col in zip(*grid, strict=True)]
    grand = count(sum(map(sum, grid)))
    lines = [[*cells[r], row_totals[r]] for r in range(3)]
    lines += [[*(cells[r][c] for r in range(3)), column_totals[c]] for c in range(3)]
    lines += [[*column_totals, grand], [*row_totals, grand]]
    protect(lines)
    _lines_hold(lines)


@pytest.mark.parametrize(
    ("met", "total", "said"),
    [
        (5, 10, "50%"),
        (10, 10, "at least 60%"),
        (18, 20, "at least 80%"),
        (1, 20, "at most 20%"),
        (3, 6, "not shown"),
        (4, 4, "not shown"),
        (0, 0, "not shown"),
        (7, 12, "58%"),
    ],
)
def test_a_share_never_gives_a_small_count_away(met, total, said):
    assert str(share(met, total)) == said


def test_a_count_says_what_it_hides():
    assert [str(count(v)) for v in (0, 4, 5, 1234)] == ["fewer than 5"] * 2 + ["5", "1,234"]
    assert str(Count(12, "secondary")) == "not shown"


def test_small_counts_are_hidden_on_the_page_the_printable_page_and_the_csv(
    client, clock, fac, coordinator
):
    for i in range(3):
        file_at(clock, datetime(2026, 3, 1, 9) + timedelta(hours=i), fac)
    clock.set(NOW)
    for path in (f"/reports/?{Q1}", f"/reports/print?{Q1}"):
        response, html = page(client, coordinator, path)
        assert response.status_code == 200
        filed = html[html.index('id="table-filed"') :]
        filed = filed[: filed.index("</table>")]
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", filed)
        assert cells and set(cells) == {"fewer than 5"}
        assert "Counts below 5 are shown as “fewer than 5”" in html
    response, text = page(client, coordinator, f"/reports/report.csv?{Q1}")
    rows = list(csv.reader(io.StringIO(text)))
    at = rows.index(["Cases filed, by kind and severity"])
    assert rows[at + 1] == ["Kind", "Low", "Medium", "High", "Urgent", "Not yet assessed", "Total"]
    for row in rows[at + 2 : at + 5]:
        assert row[1:] == ["fewer than 5"] * 6
    assert any("fewer than 5" in " ".join(r) for r in rows[:4])  # the note says so


def test_the_csv_carries_every_table_and_no_name_title_or_reference(
    client, clock, fac, coordinator
):
    case = make_case("followup", by=fac, title="Shouting at the lockers")
    clock.set(NOW)
    response, text = page(client, coordinator, "/reports/report.csv?period=this-year")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    for table in reports.build(named_period("this-year")).tables.values():
        assert table.title in text
    for private in (case.reference, case.title, fac.display_name, fac.username):
        assert private not in text


def test_a_label_a_spreadsheet_would_run_is_quoted_in_the_csv(client, clock, fac, coordinator):
    values = {s.key: (s.label, s.help, s.target_days) for s in workflow.DEFAULT_STAGES}
    values["filed"] = ("=HYPERLINK(1)", "", 2)
    workflow.configure(coordinator, values, True, 14)
    clock.set(NOW)
    _, text = page(client, coordinator, "/reports/report.csv")
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


# --- Endings, appeals, actions, check-ins, community, accounts ----------------------------


def test_how_cases_ended_and_reopened(clock, fac):
    made = [file_at(clock, datetime(2026, 1, 5, 9) + timedelta(hours=i), fac) for i in range(15)]
    kinds = ["withdrawn"] * 6 + ["referred"] * 7 + ["duplicate"] * 2
    for i, (case, kind) in enumerate(zip(made, kinds, strict=True)):
        clock.set(datetime(2026, 3, 1, 9) + timedelta(hours=i))
        original = made[0].reference if kind == "duplicate" else None
        workflow.close_early(Case.get_by_id(case.id), kind, "A reason", fac, None, original)
    for case in made[6:11]:  # five of the referred cases come back
        move_at(clock, datetime(2026, 3, 20, 9), case, "filed", fac, reason="Came back")
    table = report_for(clock, Q1)["ended"]
    # 6 withdrawn, 7 referred, 2 duplicates, 0 closed after follow-up: the 2 and the 0 add
    # up to 2, which the total would give away, so the 6 is hidden with them.
    assert shown(table) == {
        "Closed after follow-up": ["fewer than 5"],
        "Withdrawn": ["not shown"],
        "Duplicate of another case": ["fewer than 5"],
        "Referred elsewhere": ["7"],
        "Reopened in the period": ["5"],
        "Closed in the period": ["15"],
    }


def test_appeals_filed_and_their_outcomes(clock, fac):
    reviewer = create_user("facilitator")
    clock.set(datetime(2026, 2, 1, 9))
    appealed = []
    for _ in range(10):
        case = make_case("followup", by=fac)
        cases.communicate_decision(case, fac, date(2026, 2, 1))
        cases.appeal_case(Case.get_by_id(case.id), fac, "Not heard.", reviewer)
        appealed.append(case)
    clock.set(datetime(2026, 2, 10, 9))
    for i, case in enumerate(appealed):
        outcome = "upheld" if i < 5 else "hearing"
        workflow.record_appeal_outcome(Case.get_by_id(case.id), outcome, reviewer)
    table = report_for(clock, Q1)["appeals"]
    # Upheld 5, back to Hearing 5, back to Restoring 0: the 0 alone would be given away.
    assert shown(table) == {
        "Filed in the period": ["10"],
        "Upheld: the decision stands": ["not shown"],
        "Back to Hearing": ["5"],
        "Back to Restoring": ["fewer than 5"],
        "Decided in the period": ["10"],
    }


@pytest.mark.parametrize("app_overrides", [{"TIMEZONE": "America/Toronto"}])
def test_actions_due_in_the_period_by_where_they_stand_and_kind(clock, fac):
    clock.set(datetime(2026, 1, 10, 15))
    case = make_case("investigating", by=fac)

    def actions(kind, due, n, status=None):
        for _ in range(n):
            action = cases.add_action(case, fac, kind, "Something to do", fac, due)
            if status:
                cases.set_action_status(action, fac, status, "Not needed")

    actions("support", date(2026, 2, 1), 5, "done")
    actions("repair", date(2026, 2, 1), 5, "waived")
    actions("learning", date(2026, 3, 1), 5)  # open and overdue on 15 April
    actions("service", date(2026, 4, 20), 6)  # open, not yet due
    actions("support", date(2026, 5, 5), 3)  # after the period
    report = report_for(clock, "start=2026-01-01&end=2026-04-30")
    assert shown(report["actions"]) == {
        "Done": ["5"],
        "Waived": ["5"],
        "Open, overdue": ["5"],
        "Open, not yet due": ["6"],
        "Due in the period": ["21"],
    }
    # By kind, three kinds have none: their nought would be given away, so the smallest
    # kind shown is hidden too.
    assert shown(report["action_kinds"]) == {
        "Support": ["not shown"],
        "A service": ["6"],
        "Repair": ["5"],
        "Learning": ["5"],
        "Agreed boundaries": ["fewer than 5"],
        "Time away from the space": ["fewer than 5"],
        "Other": ["fewer than 5"],
        "Due in the period": ["21"],
    }


@pytest.mark.parametrize("app_overrides", [{"TIMEZONE": "America/Toronto"}])
def test_check_ins_are_on_time_when_held_by_the_end_of_their_day_in_the_organisations_zone(
    clock, fac
):
    clock.set(datetime(2026, 1, 10, 15))
    case = make_case("investigating", by=fac)

    def checkins(due, n, held_at=None):
        for _ in range(n):
            checkin = cases.add_checkin(case, fac, due)
            if held_at:
                clock.set(held_at)
                cases.hold_checkin(CheckIn.get_by_id(checkin.id), fac)

    # Toronto is UTC-5 until 8 March 2026, then UTC-4.
    checkins(date(2026, 2, 10), 5, datetime(2026, 2, 11, 4, 30))  # 23:30 on the 10th
    checkins(date(2026, 3, 10), 5, datetime(2026, 3, 11, 3, 30))  # 23:30 on the 10th
    checkins(date(2026, 3, 10), 5, datetime(2026, 3, 11, 4, 30))  # 00:30 on the 11th
    checkins(date(2026, 3, 20), 5)  # never held
    checkins(date(2026, 4, 20), 5)  # not yet due on 15 April
    table = report_for(clock, "start=2026-01-01&end=2026-04-30")["checkins"]
    assert shown(table) == {
        "Held on time": ["10"],
        "Held late": ["5"],
        "Not held, overdue": ["5"],
        "Not yet due": ["5"],
        "Total": ["25"],
    }


@pytest.mark.parametrize("app_overrides", [{"TIMEZONE": "America/Toronto"}])
def test_the_periods_days_are_the_organisations(clock, fac):
    # 23:30 on 31 March in Toronto is 03:30 on 1 April in UTC: it belongs to the first quarter.
    for i in range(5):
        file_at(clock, datetime(2026, 4, 1, 3, 30) + timedelta(minutes=i), fac)
    clock.set(NOW)
    assert str(reports.build(named_period("last-quarter"))["filed"].total.cells[-1]) == "5"
    assert reports.build(named_period("this-quarter"))["filed"].total.cells[-1].value == 0


def test_community_assessments_and_actions(clock, fac):
    clock.set(datetime(2026, 1, 10, 15))
    case = make_case("investigating", by=fac)
    clock.set(datetime(2026, 2, 10, 15))
    for _ in range(5):
        cases.assess_community(case, fac, impacted="Regulars", actions="A quieter corner")
    for _ in range(6):
        cases.assess_community(case, fac, none_reason="Nobody else was there")
    cases.assess_community(case, fac, impacted="Staff")  # impacted, no actions yet
    assert shown(report_for(clock, Q1)["community"]) == {
        "Others were impacted": ["6"],
        'None: "nobody else", with a reason': ["6"],
        "Community actions recorded": ["5"],
        "Assessments made": ["12"],
    }


def test_accounts_in_more_than_one_case_are_counted_never_named(client, clock, fac, coordinator):
    people = [create_user("participant", display_name=f"Person {i}") for i in range(6)]
    clock.set(datetime(2026, 2, 10, 15))
    for i, person in enumerate(people[:5]):
        for n in range(2):
            make_case("filed", by=fac, parties=[("harmed", person, f"Party {i}-{n}")])
    make_case("filed", by=fac, parties=[("caused", people[5], "Only once")])
    clock.set(datetime(2025, 6, 1, 9))  # two cases closed long before the period
    for n in range(2):
        old = make_case("filed", by=fac, parties=[("harmed", people[5], f"Old {n}")])
        workflow.close_early(Case.get_by_id(old.id), "withdrawn", "Done", fac, None)
    assert shown(report_for(clock, Q1)["accounts"]) == {
        "A party in more than one case open in the period": ["5"]
    }
    response, html = page(client, coordinator, f"/reports/?{Q1}")
    for person in people:
        assert person.display_name not in html and person.username not in html


# --- Periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "on", "first", "last"),
    [
        ("this-month", date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),
        ("last-month", date(2026, 1, 10), date(2025, 12, 1), date(2025, 12, 31)),
        ("this-quarter", date(2026, 11, 30), date(2026, 10, 1), date(2026, 12, 31)),
        ("last-quarter", date(2026, 1, 15), date(2025, 10, 1), date(2025, 12, 31)),
        ("last-quarter", date(2026, 4, 15), date(2026, 1, 1), date(2026, 3, 31)),
        ("this-year", date(2026, 7, 4), date(2026, 1, 1), date(2026, 12, 31)),
        ("last-year", date(2026, 7, 4), date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_named_periods(app, key, on, first, last):
    period = named_period(key, on)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-03-31&end=2026-01-01", "The last day comes before the first"),
        ("start=1999-12-31&end=2026-01-01", "Choose a day from Sat, 1 Jan 2000 on."),
        ("start=2026-01-01&end=9999-01-01", "Choose a day within the next two years."),
        ("start=2026-13-01&end=2026-12-01", "Not a valid date value."),
        ("start=99999999999999999999-01-01&end=2026-12-01", "Not a valid date value."),
        ("start=2026-01-01", "Give the last day."),
        ("period=next-decade", "Choose one of the periods offered."),
        ("start=2000-01-01&end=2026-01-01", "Choose at most ten years."),
    ],
)
def test_a_period_that_cannot_be_is_refused_beside_its_field_and_nothing_is_recorded(
    client, clock, coordinator, query, message
):
    before = AuditRecord.select().count()
    response, html = page(client, coordinator, f"/reports/?{query}")
    assert response.status_code == 422
    assert "There is a problem" in html and message in html
    assert 'id="table-filed"' not in html
    for path in ("/reports/report.csv", "/reports/print", "/reports/charts/filed.svg"):
        refused = client.get(f"{path}?{query}")
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert AuditRecord.select().count() == before


# --- Who may, and the record of it -----------------------------------------------------------

PATHS = (
    "/reports/",
    "/reports/print",
    "/reports/report.csv",
    "/reports/charts/time.svg",
)


@pytest.mark.parametrize("role", ["facilitator", "representative", "participant", "volunteer"])
def test_only_coordinators_open_reports(client, role):
    user = create_user(role)
    for path in PATHS:
        sign_in_session(client, user)
        assert client.get(path).status_code == 403, path


def test_signed_out_is_sent_to_sign_in(client):
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_the_navigation_offers_reports_to_coordinators_only(client, coordinator, fac):
    _, html = page(client, coordinator, "/reports/")
    assert '<a href="/reports/" aria-current="page">Reports</a>' in html
    _, html = page(client, fac, "/board/")
    assert 'href="/reports/"' not in html


@pytest.mark.parametrize(
    ("path", "action", "details"),
    [
        (f"/reports/?{Q1}", "report.viewed", {}),
        (f"/reports/print?{Q1}", "report.printed", {}),
        (f"/reports/report.csv?{Q1}", "report.exported", {"format": "csv"}),
    ],
)
def test_opening_or_downloading_a_report_is_recorded_with_its_period(
    client, clock, coordinator, path, action, details
):
    response, _ = page(client, coordinator, path)
    assert response.status_code == 200
    record = AuditRecord.select().order_by(AuditRecord.id.desc()).first()
    assert (record.action, record.actor_id, record.case_id) == (action, coordinator.id, None)
    recorded = __import__("json").loads(record.details)
    assert recorded == {"period": "custom", "first": "2026-01-01", "last": "2026-03-31", **details}


def test_the_dates_of_the_period_shown_are_ready_to_change(client, clock, coordinator):
    _, html = page(client, coordinator, "/reports/?period=last-quarter")
    assert 'name="start" required type="date" value="2026-01-01"' in html
    assert 'name="end" required type="date" value="2026-03-31"' in html


def test_a_chart_of_the_page_records_nothing_more(client, clock, coordinator):
    before = AuditRecord.select().count()
    response, _ = page(client, coordinator, "/reports/charts/open.svg?period=last-quarter")
    assert response.status_code == 200
    assert AuditRecord.select().count() == before


# --- Charts -------------------------------------------------------------------------------


def test_every_chart_is_an_svg_image_with_its_table_beside_it(client, clock, timed, coordinator):
    response, html = page(client, coordinator, f"/reports/?{Q1}")
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)" width="(\d+)" height="(\d+)">', html)
    assert len(images) == len(reports.CHARTS)
    for src, alt, _, _ in images:
        assert alt.startswith("Bar chart: ") and "The figures are in the table" in alt
        table_title = re.search(r"table “([^”]+)”", alt).group(1)
        assert f'<caption class="visually-hidden">{table_title}</caption>' in html
        chart = client.get(src.replace("&amp;", "&"))
        svg = chart.get_data(as_text=True)
        assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
        assert svg.startswith("<svg") and "<title" in svg
        assert "<script" not in svg and "<style" not in svg and " style=" not in svg
        assert "script-src 'self'" in chart.headers["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"] == chart.headers["Content-Security-Policy"]


def test_a_hidden_figure_has_no_bar_and_never_sets_the_scale(client, clock, timed, coordinator):
    _, svg = page(client, coordinator, f"/reports/charts/time.svg?{Q1}")
    # Filed and Acknowledged have bars; the rest say why they have none.
    assert svg.count('fill="#1d4f91"') == 2
    assert svg.count("not shown (fewer than 5 stays)") == len(workflow.STAGE_KEYS) - 3
    _, svg = page(client, coordinator, f"/reports/charts/open.svg?{Q1}")
    assert 'fill="#1d4f91"' not in svg and "10" not in re.sub(r'"[^"]*"', "", svg)


def test_an_unknown_chart_is_not_found(client, coordinator):
    sign_in_session(client, coordinator)
    assert client.get("/reports/charts/people.svg").status_code == 404


# --- Size ---------------------------------------------------------------------------------


def test_the_page_runs_the_same_queries_at_100_and_5000_cases(client, clock, fac, coordinator):
    accounts = [create_user("participant").id for _ in range(20)]
    clock.set(NOW)
    demo.add_year(100, fac, fac, accounts=accounts)
    sign_in_session(client, coordinator)
    at_100 = count_queries(client, "/reports/?period=this-year")
    demo.add_year(4_900, fac, fac, accounts=accounts)
    assert Case.select().count() == 5_000
    sign_in_session(client, coordinator)
    at_5000 = count_queries(client, "/reports/?period=this-year")
    assert at_100 == at_5000
    sign_in_session(client, coordinator)
    assert count_queries(client, "/reports/charts/time.svg?period=this-year") < at_100


def test_bulk_cases_have_the_history_the_domain_would_write(clock, fac):
    clock.set(NOW)
    demo.add_year(200, fac, fac)
    for case in Case.select().limit(50):
        stays = list(
            StageHistory.select()
            .where(StageHistory.case_id == case.id)
            .order_by(StageHistory.entered_at)
        )
        assert stays[0].how == "filed" and stays[0].entered_at == case.created_at
        assert stays[-1].stage == case.stage and stays[-1].left_at is None
        for before, after in zip(stays, stays[1:], strict=False):
            assert before.left_at == after.entered_at
    assert User.select().count() == 1  # no account made on the way


def test_the_demo_adds_a_year_of_cases_for_the_reports_to_show(cli, client):
    result = cli.invoke(args=["demo", "--year", "300"])
    assert result.exit_code == 0 and "Added a year of 300 fictional cases." in result.output
    coordinator = User.get(User.username == "coordinator")
    _, html = page(client, coordinator, "/reports/?period=last-month")
    filed = re.search(r"<dt>Cases filed</dt><dd>([\d,]+)</dd>", html)
    assert filed and int(filed.group(1).replace(",", "")) >= 5
