"""Reports: how the process is doing over a period, for coordinators, their team meetings
and the boards and funders they answer to.

A report is about the process, never a person: it holds counts, times and shares, no
name, title or reference. Every figure is aggregated in the database, in the same
number of queries whatever the number of cases (see ``build``). Before anything leaves
this module it is made safe to share:

- a count below 5 (nought included) is shown as "fewer than 5";
- where counts add up to a total, hidden counts alone in their row or column, or adding
  up to less than 5 there, would be given away by subtraction, so the smallest count
  shown beside them is hidden too ("not shown"), until every row and column holds;
- a median or percentile over fewer than 5 stays is not shown, and a share of stays
  that met a target is given as a bound ("at least 80%") when its count is small.

Periods are days in the organisation's time zone; times are stored in UTC.
"""

import csv
import io
import math
import operator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from peewee import SQL, NodeList, Value, fn
from peewee import Case as When

from rj import audit, db, i18n, workflow
from rj.clock import local, to_utc, today, utcnow
from rj.models import Action, Case, CheckIn, CommunityAssessment, Party, Person, StageHistory
from rj.refusals import Refused
from rj.vocabulary import (
    ACTION_KINDS,
    ACTION_STATE_LABELS,
    APPEAL_OUTCOME_LABELS,
    CASE_KIND_LABELS,
    CHECKIN_STATE_LABELS,
    CLOSE_KIND_LABELS,
    REPORT_PERIOD_LABELS,
    SEVERITY_LABELS,
    label,
)

# Counts below this are never shown.
SMALL = 5
FEWER = _l("fewer than %(small)s", small=SMALL)
NOT_SHOWN = _l("not shown")

EARLIEST = date(2000, 1, 1)
LONGEST_DAYS = 10 * 366
AHEAD_DAYS = 2 * 366

# --- Periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days ``first`` to ``last`` in the organisation's zone; ``start`` and ``end``
    are the same span in UTC, ``end`` excluded."""

    key: str
    first: date
    last: date

    @property
    def start(self):
        return to_utc(datetime.combine(self.first, datetime.min.time()))

    @property
    def end(self):
        return to_utc(datetime.combine(self.last + timedelta(days=1), datetime.min.time()))

    @property
    def label(self):
        return str(REPORT_PERIOD_LABELS[self.key])

    @property
    def dates(self):
        return _(
            "%(first)s to %(last)s",
            first=i18n.day_text(self.first),
            last=i18n.day_text(self.last),
        )

    @property
    def args(self):
        """The query string that asks for this period again."""
        if self.key == "custom":
            return {"start": self.first.isoformat(), "end": self.last.isoformat()}
        return {"period": self.key}

    def audit_details(self):
        return {"period": self.key, "first": self.first.isoformat(), "last": self.last.isoformat()}


def _quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month_before(day):
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def named_period(key, on=None):
    """The period called ``key`` (see REPORT_PERIOD_LABELS) as it stands on the day ``on``."""
    on = on or today()
    if key == "this-month":
        first = on.replace(day=1)
        return Period(key, first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    if key == "last-month":
        first = _month_before(on)
        return Period(key, first, on.replace(day=1) - timedelta(days=1))
    if key == "this-quarter":
        first = _quarter_start(on)
        return Period(key, first, _quarter_start(first + timedelta(days=95)) - timedelta(days=1))
    if key == "last-quarter":
        this = _quarter_start(on)
        return Period(key, _quarter_start(this - timedelta(days=1)), this - timedelta(days=1))
    if key == "this-year":
        return Period(key, date(on.year, 1, 1), date(on.year, 12, 31))
    if key == "last-year":
        return Period(key, date(on.year - 1, 1, 1), date(on.year - 1, 12, 31))
    raise Refused(_("Choose one of the periods offered."), "period")


def between(first, last):
    """The period of the days ``first`` to ``last``, both included."""
    if first < EARLIEST:
        raise Refused(_("Choose a day from %(day)s on.", day=i18n.day_text(EARLIEST)), "start")
    if last > today() + timedelta(days=AHEAD_DAYS):
        raise Refused(_("Choose a day within the next two years."), "end")
    if last < first:
        raise Refused(_("The last day comes before the first: swap them."), "end")
    if (last - first).days >= LONGEST_DAYS:
        raise Refused(_("Choose at most ten years."), "end")
    return Period("custom", first, last)


# --- What is shown: counts, times and shares made safe ------------------------------------


@dataclass(eq=False)
class Count:
    """A count, and whether it is hidden: ``small`` (below 5) or ``secondary`` (hidden
    so that a small one beside it cannot be worked out from a total)."""

    value: int
    hidden: str | None = None

    @property
    def shown(self):
        """The number, or None when it is hidden."""
        return None if self.hidden else self.value

    def __str__(self):
        if self.hidden == "small":
            return str(FEWER)
        if self.hidden == "secondary":
            return str(NOT_SHOWN)
        return f"{self.value:,}"


def count(value):
    """A count, hidden when below 5."""
    value = int(value or 0)
    return Count(value, "small" if value < SMALL else None)


def protect(lines):
    """Hide more cells until no hidden count can be worked out by subtraction.

    A line is cells that add up to a total, the total last. While the total is shown,
    its hidden cells must be two or more and add up to 5 or more, or the total would
    give them away; a hidden total needs a hidden cell beside it, or the cells would.
    Where a line falls short, its smallest shown cell is hidden too (the total only
    when no cell is left). Lines share their Count objects, so a cell hidden for one
    line counts in every line it belongs to; repeated until every line holds."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            *cells, total = line
            hidden = [c for c in cells if c.hidden]
            if total.hidden:
                exposed = not hidden and cells
            else:
                exposed = hidden and (len(hidden) == 1 or sum(c.value for c in hidden) < SMALL)
            if not exposed:
                continue
            shown = [c for c in cells if not c.hidden] or [total]
            min(shown, key=lambda c: c.value).hidden = "secondary"
            changed = True


@dataclass
class Text:
    """A figure that is not a count (a time, a share, a target), already in words."""

    text: str
    number: float | None = None

    @property
    def shown(self):
        return self.number

    def __str__(self):
        return self.text


def days_text(days):
    if days is None:
        return _("none")
    if days < 1:
        hours = f"{days * 24:.1f}"
        return _("%(hours)s hours", hours=hours)
    figure = f"{days:.1f}"
    return _("%(days)s days", days=figure)


def duration(days, stays):
    """A median or percentile in days, not shown over fewer than 5 stays."""
    if stays < SMALL or days is None:
        return Text(str(NOT_SHOWN))
    return Text(days_text(days), days)


def share(met, total):
    """The share of ``total`` that met a target, without giving away a small count: a
    bound when the stays that met it, or those that did not, are fewer than 5."""
    missed = total - met
    if total < SMALL or (met < SMALL and missed < SMALL):
        return Text(str(NOT_SHOWN))
    if missed < SMALL:
        bound = math.floor(100 * (total - SMALL + 1) / total)
        return Text(_("at least %(percent)s%%", percent=bound))
    if met < SMALL:
        return Text(_("at most %(percent)s%%", percent=math.ceil(100 * (SMALL - 1) / total)))
    return Text(_("%(percent)s%%", percent=round(100 * met / total)), 100 * met / total)


# --- Tables -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    cells: list
    key: str = ""


@dataclass
class Table:
    """One table of the report, as the page, the printable page, the CSV and the charts
    show it: a heading for the row labels, column headings, rows and a total row."""

    key: str
    title: str
    row_heading: str
    columns: list
    rows: list
    total: Row | None = None
    note: str = ""

    def cell(self, row_key, column=0):
        return next(r.cells[column] for r in self.rows if r.key == row_key)

    @property
    def all_rows(self):
        return [*self.rows, *([self.total] if self.total else [])]


def _grid(row_heading, rows, columns, values, row_labels, column_labels, total_label=None):
    """Rows by columns of counts with their totals, protected as one table."""
    cells = {(r, c): count(values.get((r, c), 0)) for r in rows for c in columns}
    row_totals = {r: count(sum(values.get((r, c), 0) for c in columns)) for r in rows}
    column_totals = {c: count(sum(values.get((r, c), 0) for r in rows)) for c in columns}
    grand = count(sum(values.values()))
    lines = [[*(cells[r, c] for c in columns), row_totals[r]] for r in rows]
    lines += [[*(cells[r, c] for r in rows), column_totals[c]] for c in columns]
    lines.append([*(column_totals[c] for c in columns), grand])
    lines.append([*(row_totals[r] for r in rows), grand])
    protect(lines)
    body = [
        Row(str(label(row_labels, r)), [*(cells[r, c] for c in columns), row_totals[r]], r)
        for r in rows
    ]
    total = Row(total_label or _("Total"), [*(column_totals[c] for c in columns), grand], "total")
    headings = [str(label(column_labels, c)) for c in columns] + [_("Total")]
    return row_heading, headings, body, total


def _list(keys, values, labels, total_label=None):
    """One column of counts with their total, protected: rows and the total row."""
    cells = {k: count(values.get(k, 0)) for k in keys}
    total = count(sum(values.get(k, 0) for k in keys))
    protect([[*cells.values(), total]])
    rows = [Row(str(label(labels, k)), [cells[k]], k) for k in keys]
    return rows, Row(total_label or _("Total"), [total], "total")


def _ordered(known, seen):
    """The known values in their order, then any other value found, so none is lost."""
    return [*known, *sorted(v for v in seen if v not in known)]


# --- The report ---------------------------------------------------------------------------


@dataclass
class Report:
    period: Period
    made_at: datetime
    tables: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.tables[key]

    @property
    def headline(self):
        """The figures at the top of the page, the same cells as in their tables."""
        return [
            (_("Cases filed"), self["filed"].total.cells[-1]),
            (_("Open at the end of the period"), self["open"].total.cells[0]),
            (_("Cases closed"), self["ended"].total.cells[0]),
            (_("Appeals filed"), self["appeals"].cell("filed")),
        ]


SECTIONS = ("filed", "open", "time", "ended", "appeals", "actions", "checkins", "community")
SECTIONS += ("accounts",)


def build(period, sections=SECTIONS, now=None):
    """The report for ``period``: its tables by key, each section (SECTIONS) read in one
    query, two for the time in stage. ``sections`` picks fewer (a chart needs one)."""
    now = now or utcnow()
    report = Report(period, now)
    for key in sections:
        made = BUILDERS[key](period, now)
        for table in made if isinstance(made, tuple) else (made,):
            report.tables[table.key] = table
    return report


def _between(column, period):
    return (column >= period.start) & (column < period.end)


def _filed(period, now):
    query = (
        Case.select(Case.kind, Case.severity, fn.COUNT(Case.id))
        .where(_between(Case.created_at, period))
        .group_by(Case.kind, Case.severity)
        .tuples()
    )
    values = {(kind, severity): n for kind, severity, n in query}
    kinds = _ordered(list(CASE_KIND_LABELS), {k for k, _ in values})
    severities = _ordered(list(SEVERITY_LABELS), {s for _, s in values})
    heading, columns, rows, total = _grid(
        _("Kind"), kinds, severities, values, CASE_KIND_LABELS, SEVERITY_LABELS
    )
    return Table(
        "filed",
        _("Cases filed, by kind and severity"),
        heading,
        columns,
        rows,
        total,
        _("Every case filed in the period, with its severity as it is now."),
    )


def _open_stages():
    return [key for key in workflow.STAGE_KEYS if key != "closed"]


def _open(period, now):
    edge = min(period.end, now)
    past_target = fn.SUM(When(None, [(StageHistory.due_at <= edge, 1)], 0))
    query = (
        StageHistory.select(StageHistory.stage, fn.COUNT(StageHistory.id), past_target)
        .where(
            (StageHistory.entered_at < edge)
            & (StageHistory.left_at.is_null() | (StageHistory.left_at >= edge))
            & (StageHistory.stage != "closed")
        )
        .group_by(StageHistory.stage)
        .tuples()
    )
    found = {stage: (n, late) for stage, n, late in query}
    stages = _ordered(_open_stages(), set(found))
    labels = {s.key: s.label for s in workflow.stages().values()}
    rows, total = _list(stages, {k: v[0] for k, v in found.items()}, labels)
    late_rows, late_total = _list(stages, {k: v[1] or 0 for k, v in found.items()}, labels)
    for row, late in zip(rows, late_rows, strict=True):
        row.cells.append(late.cells[0])
    total.cells.append(late_total.cells[0])
    return Table(
        "open",
        _("Open at the end of the period, by stage"),
        _("Stage"),
        [_("Open"), _("Past the stage's target")],
        rows,
        total,
        _(
            "Cases open on the last day of the period (or now, for a period not yet over), "
            "and how many of them had been in their stage longer than its time target."
        ),
    )


def _stay_days():
    """A stay's length in days, in SQL."""
    if db.is_postgres():
        return fn.date_part("epoch", StageHistory.left_at - StageHistory.entered_at) / 86400.0
    return fn.julianday(StageHistory.left_at) - fn.julianday(StageHistory.entered_at)


# Percentiles as fractions a/b: the median and the 90th percentile.
PERCENTILES = {"median": (1, 2), "p90": (9, 10)}


def _time(period, now):
    """Stays that ended in the period, per stage: how many, how many had a target and
    met it, and the two stays around each percentile in order of length (as
    PERCENTILE_CONT interpolates). Two queries: the counts, then the stays at the
    places the counts give, numbered in SQL."""
    ended = _between(StageHistory.left_at, period) & (StageHistory.stage != "closed")
    timed = When(None, [(StageHistory.due_at.is_null(), 0)], 1)
    met = When(None, [(StageHistory.left_at < StageHistory.due_at, 1)], 0)
    counts = (
        StageHistory.select(
            StageHistory.stage, fn.COUNT(StageHistory.id), fn.SUM(timed), fn.SUM(met)
        )
        .where(ended)
        .group_by(StageHistory.stage)
        .tuples()
    )
    totals = {stage: (n, int(t or 0), int(m or 0)) for stage, n, t, m in counts}
    places = {stage: _places(n) for stage, (n, _, _) in totals.items()}
    days = _stay_days()
    numbered = (
        StageHistory.select(
            StageHistory.stage,
            days.alias("days"),
            fn.ROW_NUMBER()
            .over(partition_by=[StageHistory.stage], order_by=[days, StageHistory.id])
            .alias("place"),
        )
        .where(ended)
        .cte("numbered")
    )
    wanted = [
        (numbered.c.stage == stage) & numbered.c.place.in_(sorted(set(at)))
        for stage, at in places.items()
    ]
    picked = (
        numbered.select_from(numbered.c.stage, numbered.c.place, numbered.c.days)
        .where(reduce(operator.or_, wanted) if wanted else SQL("1 = 0"))
        .tuples()
    )
    lengths = {(stage, place): float(value) for stage, place, value in picked}
    found = {}
    for stage, (n, timed_n, met_n) in totals.items():
        values = [lengths.get((stage, place)) for place in places[stage]]
        found[stage] = (n, timed_n, met_n, *values)
    stages = workflow.stages()
    rows = []
    for key in _ordered(_open_stages(), set(found)):
        stays_n, timed, met, *values = found.get(key, (0, 0, 0, None, None, None, None))
        stage = stages.get(key)
        figures = {}
        for (name, (a, b)), lo, hi in zip(
            PERCENTILES.items(), values[::2], values[1::2], strict=True
        ):
            figures[name] = _interpolate(lo, hi, a * (stays_n - 1) % b / b if stays_n else 0)
        target = stage.target_days if stage else None
        rows.append(
            Row(
                str(stage.label) if stage else key,
                [
                    count(stays_n),
                    duration(figures["median"], stays_n),
                    duration(figures["p90"], stays_n),
                    Text(_target_text(target), target),
                    share(int(met or 0), int(timed or 0)),
                ],
                key,
            )
        )
    return Table(
        "time",
        _("Time in each stage"),
        _("Stage"),
        [_("Stays ended"), _("Median"), _("90th percentile"), _("Target"), _("Met the target")],
        rows,
        None,
        _(
            "Stays in a stage that ended in the period, however long ago they began; a case "
            "that went back to a stage has a stay each time. The target is the stage's time "
            "target now; whether a stay met it is judged by the target it had when it began. "
            "Filed comes first: the time to acknowledge a concern."
        ),
    )


def _places(n):
    """The places (from 1, in order of length) of the two stays around each percentile
    of ``n`` stays: below and above the point a/b of the way from the first to the last."""
    places = []
    for a, b in PERCENTILES.values():
        places += [a * (n - 1) // b + 1, -(-a * (n - 1) // b) + 1]
    return places


def _target_text(days):
    if days is None:
        return _("none")
    return ngettext("%(num)s day", "%(num)s days", days)


def _interpolate(lo, hi, fraction):
    if lo is None or hi is None:
        return None
    return float(lo) + (float(hi) - float(lo)) * fraction


def _ended(period, now):
    """Cases closed in the period, by how, and cases reopened in it."""
    query = (
        StageHistory.select(StageHistory.how, fn.COUNT(StageHistory.id))
        .where(
            StageHistory.how.in_([*CLOSE_KIND_LABELS, "reopened"])
            & _between(StageHistory.entered_at, period)
        )
        .group_by(StageHistory.how)
        .tuples()
    )
    found = dict(query)
    reopened = found.pop("reopened", 0)
    kinds = _ordered(list(CLOSE_KIND_LABELS), set(found))
    rows, total = _list(kinds, found, CLOSE_KIND_LABELS, _("Closed in the period"))
    rows.append(Row(_("Reopened in the period"), [count(reopened)], "reopened"))
    return Table(
        "ended",
        _("How cases ended"),
        _("How"),
        [_("Cases")],
        rows,
        total,
        _(
            "Cases closed in the period, by how they were closed; a case reopened and closed "
            "again counts each time. Reopened cases are not part of the total."
        ),
    )


APPEAL_OUTCOME = "appeal_"


def _appeals(period, now):
    """Appeals filed in the period, and the outcomes of those decided in it."""
    query = (
        StageHistory.select(StageHistory.how, fn.COUNT(StageHistory.id))
        .where(
            StageHistory.how.in_(["appealed", *(APPEAL_OUTCOME + k for k in APPEAL_OUTCOME_LABELS)])
            & _between(StageHistory.entered_at, period)
        )
        .group_by(StageHistory.how)
        .tuples()
    )
    found = dict(query)
    filed = found.pop("appealed", 0)
    outcomes = {how.removeprefix(APPEAL_OUTCOME): n for how, n in found.items()}
    keys = _ordered(list(APPEAL_OUTCOME_LABELS), set(outcomes))
    rows, total = _list(keys, outcomes, APPEAL_OUTCOME_LABELS, _("Decided in the period"))
    return Table(
        "appeals",
        _("Appeals and their outcomes"),
        _("Appeals"),
        [_("Appeals")],
        [Row(_("Filed in the period"), [count(filed)], "filed"), *rows],
        total,
        _(
            "Appeals filed in the period, and the outcomes of the appeals decided in it. "
            "Filed appeals are not part of the total."
        ),
    )


def _actions(period, now):
    """Actions due in the period: where they stand now, and their kinds. Two columns of
    the same actions, so that a table of kinds by states, mostly small, hides nothing."""
    state = When(
        None,
        [
            (Action.status == "done", "done"),
            (Action.status == "waived", "waived"),
            (Action.due_on < local(now).date(), "overdue"),
        ],
        "open",
    )
    query = (
        Action.select(Action.kind, state, fn.COUNT(Action.id))
        .where(Action.due_on.between(period.first, period.last))
        .group_by(SQL("1"), SQL("2"))
        .tuples()
    )
    states, kinds = {}, {}
    for kind, where, n in query:
        states[where] = states.get(where, 0) + n
        kinds[kind] = kinds.get(kind, 0) + n
    total = count(sum(states.values()))
    state_cells = {k: count(states.get(k, 0)) for k in ACTION_STATE_LABELS}
    kind_keys = _ordered(list(ACTION_KINDS), set(kinds))
    kind_cells = {k: count(kinds.get(k, 0)) for k in kind_keys}
    protect([[*state_cells.values(), total], [*kind_cells.values(), total]])
    kind_labels = {k: v[0] for k, v in ACTION_KINDS.items()}
    note = _(
        "Actions of a decision whose due date falls in the period, where they stand now "
        "and of which kind (the same actions twice, so both add up to the one total)."
    )
    by_state = Table(
        "actions",
        _("Restorative actions due in the period"),
        _("Where they stand"),
        [_("Actions")],
        [Row(str(label(ACTION_STATE_LABELS, k)), [c], k) for k, c in state_cells.items()],
        Row(_("Due in the period"), [total], "total"),
        note,
    )
    by_kind = Table(
        "action_kinds",
        _("Restorative actions due in the period, by kind"),
        _("Kind"),
        [_("Actions")],
        [Row(str(label(kind_labels, k)), [c], k) for k, c in kind_cells.items()],
        Row(_("Due in the period"), [total], "total"),
    )
    return by_state, by_kind


def _plus_seconds(column, seconds):
    """A date column plus a number of seconds, as a UTC time, in SQL."""
    if db.is_postgres():
        return NodeList(
            (column, SQL("+"), Value(seconds), SQL("* INTERVAL '1 second'")), parens=True
        )
    return fn.datetime(column, f"{seconds:+d} seconds")


def _day_end(column, period):
    """When the day in ``column`` (a date in the organisation's zone, within ``period``)
    ends, as UTC, in SQL: one offset for each run of days the clocks do not change."""
    runs, day = [], period.first
    while day <= period.last:
        midnight = datetime.combine(day + timedelta(days=1), datetime.min.time())
        seconds = int(
            (to_utc(midnight) - datetime.combine(day, datetime.min.time())).total_seconds()
        )
        if runs and runs[-1][1] == seconds:
            runs[-1][0] = day
        else:
            runs.append([day, seconds])
        day += timedelta(days=1)
    *earlier, (_, seconds) = runs
    if not earlier:
        return _plus_seconds(column, seconds)
    cases = [(column <= last, _plus_seconds(column, shift)) for last, shift in earlier]
    return When(None, cases, _plus_seconds(column, seconds))


def _checkins(period, now):
    state = When(
        None,
        [
            (
                CheckIn.held_at.is_null() & (CheckIn.due_on < local(now).date()),
                "missed",
            ),
            (CheckIn.held_at.is_null(), "pending"),
            (CheckIn.held_at < _day_end(CheckIn.due_on, period), "on_time"),
        ],
        "late",
    )
    query = (
        CheckIn.select(state, fn.COUNT(CheckIn.id))
        .where(CheckIn.due_on.between(period.first, period.last))
        .group_by(SQL("1"))
        .tuples()
    )
    rows, total = _list(list(CHECKIN_STATE_LABELS), dict(query), CHECKIN_STATE_LABELS)
    return Table(
        "checkins",
        _("Follow-up check-ins due in the period"),
        _("Check-ins"),
        [_("Check-ins")],
        rows,
        total,
        _("Check-ins whose date falls in the period; on time means held by the end of that day."),
    )


def _community(period, now):
    blank = (fn.TRIM(CommunityAssessment.impacted) == "") & (
        fn.TRIM(CommunityAssessment.actions) == ""
    )
    query = CommunityAssessment.select(
        fn.COUNT(CommunityAssessment.id),
        fn.SUM(When(None, [(blank, 1)], 0)),
        fn.SUM(When(None, [(fn.TRIM(CommunityAssessment.actions) != "", 1)], 0)),
    ).where(_between(CommunityAssessment.at, period))
    made, none, with_actions = query.tuples().get()
    made, none, with_actions = int(made or 0), int(none or 0), int(with_actions or 0)
    rows, total = _list(
        ["impacted", "none"],
        {"impacted": made - none, "none": none},
        {
            "impacted": _("Others were impacted"),
            "none": _('None: "nobody else", with a reason'),
        },
        _("Assessments made"),
    )
    rows.append(Row(_("Community actions recorded"), [count(with_actions)], "community_actions"))
    return Table(
        "community",
        _("Community assessments and actions"),
        _("Assessments"),
        [_("Assessments")],
        rows,
        total,
        _(
            "Assessments of the community's part in a case, made in the period, and those "
            "that recorded community actions (changes to the space, policy or support)."
        ),
    )


def _accounts(period, now):
    """Accounts that are a party in more than one case open during the period: a count,
    never who. Person records belong to one case, so only linked accounts are counted."""
    open_then = StageHistory.select(SQL("1")).where(
        (StageHistory.case_id == Party.case)
        & (StageHistory.stage != "closed")
        & (StageHistory.entered_at < period.end)
        & (StageHistory.left_at.is_null() | (StageHistory.left_at > period.start))
    )
    per_account = (
        Party.select(Person.user)
        .join(Person)
        .where(Person.user.is_null(False) & fn.EXISTS(open_then))
        .group_by(Person.user)
        .having(fn.COUNT(fn.DISTINCT(Party.case)) > 1)
    )
    many = per_account.count()
    return Table(
        "accounts",
        _("People in more than one case"),
        _("Accounts"),
        [_("Accounts")],
        [Row(_("A party in more than one case open in the period"), [count(many)], "many")],
        None,
        _(
            "Accounts linked to a party in two or more cases open at some time in the period. "
            "People without an account cannot be counted: their records belong to one case."
        ),
    )


BUILDERS = {
    "filed": _filed,
    "open": _open,
    "time": _time,
    "ended": _ended,
    "appeals": _appeals,
    "actions": _actions,
    "checkins": _checkins,
    "community": _community,
    "accounts": _accounts,
}


# --- Opening a report ---------------------------------------------------------------------


def record_opened(user, period, action="report.viewed", **details):
    """Opening or downloading a report goes in the audit trail: who, which period, how.
    No case: a report is about all of them."""
    with db.write_tx():
        audit.record(action, actor=user, **period.audit_details(), **details)


# --- Charts -------------------------------------------------------------------------------


@dataclass
class Bar:
    """One bar: its label, its length (None when the figure is hidden), what it says,
    and a mark across it (a target)."""

    label: str
    value: float | None
    text: str
    mark: float | None = None


@dataclass
class Chart:
    """A bar chart: drawn by templates/reports/chart.svg, in the geometry given here (the
    page's <img> states the same size)."""

    key: str
    title: str
    alt: str
    bars: list
    width = 600
    area = 320  # the longest bar
    row = 44
    top = 8

    @property
    def height(self):
        return self.top * 2 + self.row * len(self.bars)

    def length(self, value):
        return round(self.area * value / self.scale, 1)

    @property
    def scale(self):
        """The longest bar or mark. Only what is shown counts: a hidden figure never
        sets the scale, or its size could be read from the others."""
        values = [b.value for b in self.bars if b.value is not None]
        values += [b.mark for b in self.bars if b.mark is not None]
        return max(values, default=0) or 1


def _count_bars(pairs):
    return [Bar(name, cell.shown, str(cell)) for name, cell in pairs]


def _time_bars(table):
    bars = []
    for row in table.rows:
        median, target = row.cells[1], row.cells[3]
        if median.shown is not None:
            text = str(median)
        else:
            text = _("not shown (fewer than %(small)s stays)", small=SMALL)
        if target.shown is not None:
            text = _("%(figure)s, target %(target)s", figure=text, target=target)
        bars.append(Bar(row.label, median.shown, text, target.shown))
    return bars


# chart key -> (the section it draws, title, the bars from its table)
CHARTS = {
    "filed": (
        "filed",
        _l("Cases filed, by severity"),
        lambda t: _count_bars(zip(t.columns[:-1], t.total.cells[:-1], strict=True)),
    ),
    "open": (
        "open",
        _l("Open at the end of the period, by stage"),
        lambda t: _count_bars((r.label, r.cells[0]) for r in t.rows),
    ),
    "time": ("time", _l("Median time in each stage, beside its target"), _time_bars),
    "ended": (
        "ended",
        _l("How cases ended"),
        lambda t: _count_bars((r.label, r.cells[0]) for r in t.rows if r.key != "reopened"),
    ),
    "actions": (
        "actions",
        _l("Restorative actions due in the period, by where they stand"),
        lambda t: _count_bars((r.label, r.cells[0]) for r in t.rows),
    ),
    "checkins": (
        "checkins",
        _l("Follow-up check-ins due in the period"),
        lambda t: _count_bars((r.label, r.cells[0]) for r in t.rows),
    ),
}


def charts(report):
    """The charts of the report's sections, by the section each stands beside."""
    return {
        section: chart(report, key)
        for key, (section, _, _) in CHARTS.items()
        if section in report.tables
    }


def chart(report, key):
    """The chart ``key`` of ``report`` (which holds its section)."""
    section, title, bars = CHARTS[key]
    table = report[section]
    alt = _(
        "Bar chart: %(title)s, %(dates)s. The figures are in the table “%(table)s” beside it.",
        title=title.lower(),
        dates=report.period.dates,
        table=table.title,
    )
    return Chart(key, str(title), alt, bars(table))


# --- The CSV ------------------------------------------------------------------------------

SAFE_TO_SHARE = _l(
    "Counts below %(small)s are shown as “%(fewer)s”; where a total would give such a count "
    "away, another count is “%(not_shown)s”; medians and percentiles over fewer than "
    "%(small)s stays are not shown. No names, titles or references.",
    small=SMALL,
    fewer=FEWER,
    not_shown=NOT_SHOWN,
)


def _spreadsheet_safe(value):
    """Text a spreadsheet will not run as a formula (labels are the organisation's own)."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(report):
    """The report's tables, one after the other, as CSV: what the page shows, hidden
    figures as the page says them."""
    out = io.StringIO()
    writer = csv.writer(out)
    period = report.period
    made = i18n.when_text(report.made_at)
    for line in (
        [_("Mend report: how the process is doing")],
        [_("Period"), period.label, period.dates],
        [_("Made"), made],
        [_("Safe to share"), str(SAFE_TO_SHARE)],
    ):
        writer.writerow(line)
    for table in report.tables.values():
        writer.writerow([])
        writer.writerow([_spreadsheet_safe(table.title)])
        writer.writerow([_spreadsheet_safe(c) for c in [table.row_heading, *table.columns]])
        for row in table.all_rows:
            writer.writerow([_spreadsheet_safe(c) for c in [row.label, *row.cells]])
        if table.note:
            writer.writerow([_spreadsheet_safe(table.note)])
    return out.getvalue()
