"""What the board shows: filtered columns of cards, in a fixed number of queries.

A render runs the same queries whatever the number of cases: one for the column
counts (from the tally the database keeps, see rj/tally.py), one for the first cards
of every column, one for party names when they are shown, plus the stage settings.
"""

import hashlib
import math
import operator
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache, reduce

from flask_babel import gettext as _
from peewee import JOIN, SQL, fn

from rj import policy, tally, workflow
from rj.clock import local, today, utcnow, zone
from rj.db import MAX_INTEGER
from rj.models import STAFF_ROLES, Action, Case, CheckIn, Party, Person, User
from rj.vocabulary import SEVERITIES, SIDE_LABELS, UNASSESSED

PAGE_SIZE = 25
MAX_LOADED = 500  # the most cards one column re-renders for a poll
RECENT_CLOSED_DAYS = 30


@dataclass
class Filters:
    mine: bool = False
    severity: str = ""
    overdue: bool = False
    q: str = ""
    problems: list = field(default_factory=list)

    @classmethod
    def from_args(cls, args):
        filters = cls(
            mine=args.get("mine") == "1",
            overdue=args.get("overdue") == "1",
            q=(args.get("q") or "").strip()[:100],
        )
        severity = (args.get("severity") or "").strip().lower()
        if severity and severity not in SEVERITIES:
            filters.problems.append(
                _("There is no severity called “%(name)s”; showing all.", name=severity[:30])
            )
        else:
            filters.severity = severity
        return filters

    @property
    def active(self):
        return bool(self.mine or self.severity or self.overdue or self.q)

    def as_args(self):
        args = {}
        if self.mine:
            args["mine"] = "1"
        if self.severity:
            args["severity"] = self.severity
        if self.overdue:
            args["overdue"] = "1"
        if self.q:
            args["q"] = self.q
        return args


def _as_date(value):
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _open_action_due():
    due = Action.alias("due_action")
    return due.select(fn.MIN(due.due_on)).where((due.case == Case.id) & (due.status == "open"))


def _checkin_due():
    due = CheckIn.alias("due_checkin")
    return due.select(fn.MIN(due.due_on)).where((due.case == Case.id) & due.held_at.is_null())


def filtered(user, filters):
    """The cases on this user's board that match the filters."""
    query = policy.board_cases(user)
    if filters.mine:
        query = query.where(Case.lead == user.id)
    if filters.severity:
        query = query.where(Case.severity == filters.severity)
    if filters.q:
        needle = f"%{filters.q.lower()}%"
        query = query.where(
            fn.LOWER(Case.reference).contains(filters.q.lower()) | fn.LOWER(Case.title) ** needle
        )
    if filters.overdue:
        now = today()
        late_action = Action.alias("late_action")
        late_checkin = CheckIn.alias("late_checkin")
        query = query.where(
            (Case.stage != "closed")
            & (
                (Case.stage_due_on < now)
                | fn.EXISTS(
                    late_action.select(late_action.id).where(
                        (late_action.case == Case.id)
                        & (late_action.status == "open")
                        & (late_action.due_on < now)
                    )
                )
                | fn.EXISTS(
                    late_checkin.select(late_checkin.id).where(
                        (late_checkin.case == Case.id)
                        & late_checkin.held_at.is_null()
                        & (late_checkin.due_on < now)
                    )
                )
            )
        )
    return query


def _recent_closed_cutoff():
    """Midnight (UTC) 30 days ago: a whole-day cutoff, so the board's SQL is stable for a day."""
    start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return start - timedelta(days=RECENT_CLOSED_DAYS)


@dataclass
class Summary:
    """Exact counts per stage and what the board's ETag needs."""

    totals: dict
    recent_closed: int
    fingerprint: tuple


def summary(user, filters):
    """The count per stage, the recently closed, and the database's change counter.

    Unfiltered, the counts come from the tally the database keeps (rj/tally.py), less
    the cases this user may not see: the same few rows at 100 or 100,000 cases. A
    filtered board counts its matches. Every write to a case advances the change
    counter, so the counter and the counts tell a poll whether anything moved.
    """
    query = filtered(user, filters)
    if filters.active:
        _, changes = tally.read()
        totals = dict(
            query.select(Case.stage, fn.COUNT(Case.id)).group_by(Case.stage).order_by().tuples()
        )
    else:
        totals, changes = tally.read(policy.excluded_case_ids(user))
    recent_closed = 0
    if totals.get("closed"):
        recent_closed = (
            query.where((Case.stage == "closed") & (Case.closed_at >= _recent_closed_cutoff()))
            .select(fn.COUNT(Case.id))
            .order_by()
            .scalar()
        )
    fingerprint = (tuple(sorted(totals.items())), recent_closed, changes)
    return Summary(totals, recent_closed, fingerprint)


def counts(user, filters):
    """Exact number of cases per stage, and of recently closed ones."""
    result = summary(user, filters)
    return result.totals, result.recent_closed


@dataclass
class Card:
    id: int
    reference: str
    title: str
    severity: str
    stage: str
    version: int
    rank: float
    days_in_stage: int
    lead_initials: str
    lead_name: str
    lead_gone: bool  # the lead's account was turned off, or is no longer a facilitator
    due_label: str
    due_on: date | None
    overdue: bool
    raised_via: str = "staff"
    names: list = field(default_factory=list)

    def fingerprint(self, show_names):
        """Every value the card macro reads, as a hashable key."""
        return (
            self.id,
            self.reference,
            self.title,
            self.severity,
            self.stage,
            self.version,
            self.rank,
            self.days_in_stage,
            self.lead_initials,
            self.lead_name,
            self.lead_gone,
            self.due_label,
            self.due_on,
            self.overdue,
            self.raised_via,
            show_names,
            tuple(self.names) if show_names else (),
        )

    @property
    def dom_id(self):
        return f"case-{self.id}"

    @property
    def cursor(self):
        return f"{self.rank!r}:{self.id}"


def _card_query(query):
    lead = User.alias("lead")
    return (
        query.select(
            Case.id,
            Case.reference,
            Case.title,
            Case.severity,
            Case.stage,
            Case.version,
            Case.rank,
            Case.stage_entered_at,
            Case.stage_due_on,
            Case.raised_via,
            lead.display_name.alias("lead_name"),
            lead.is_active_account.alias("lead_active"),
            lead.role.alias("lead_role"),
            _open_action_due().alias("action_due"),
            _checkin_due().alias("checkin_due"),
        )
        .join(lead, JOIN.LEFT_OUTER, on=(Case.lead == lead.id))
        .where((Case.stage != "closed") | (Case.closed_at >= _recent_closed_cutoff()))
    )


@lru_cache(maxsize=1024)
def _initials(name):
    words = [w for w in (name or "").replace("-", " ").split() if w]
    return "".join(w[0] for w in words[:3]).upper()


def _due_words(stages):
    """What a card's date is for, in words, looked up once for all the cards: each stage's
    target (Filed's is the acknowledgement), and the keys "action" and "checkin"."""
    words = {s.key: _("%(stage)s target", stage=s.label) for s in stages}
    words["filed"] = _("Acknowledge")
    words["action"] = _("Action due")
    words["checkin"] = _("Check-in due")
    return words


def _card(row, words, now=None, tz=None):
    now = now or today()
    candidates = []
    if row["stage_due_on"] and row["stage"] != "closed":
        candidates.append((_as_date(row["stage_due_on"]), words[row["stage"]]))
    if row["action_due"]:
        candidates.append((_as_date(row["action_due"]), words["action"]))
    if row["checkin_due"]:
        candidates.append((_as_date(row["checkin_due"]), words["checkin"]))
    due_on, due_label = min(candidates) if candidates else (None, "")
    entered = local(row["stage_entered_at"], tz).date()
    return Card(
        id=row["id"],
        reference=row["reference"],
        title=row["title"],
        severity=row["severity"],
        stage=row["stage"],
        version=row["version"],
        rank=row["rank"],
        days_in_stage=max(0, (now - entered).days),
        lead_initials=_initials(row["lead_name"]),
        lead_name=row["lead_name"] or "",
        lead_gone=row["lead_name"] is not None
        and (not row["lead_active"] or row["lead_role"] not in STAFF_ROLES),
        due_label=due_label,
        due_on=due_on,
        overdue=bool(due_on and due_on < now),
        raised_via=row["raised_via"],
    )


def _attach_names(cards):
    by_id = {c.id: c for c in cards}
    if not by_id:
        return
    rows = (
        Party.select(Party.case, Party.side, Person.name)
        .join(Person)
        .where(Party.case.in_(list(by_id)))
        .order_by(Party.id)
        .tuples()
    )
    for case_id, side, name in rows:
        side_label = SIDE_LABELS.get(side, side).lower()
        by_id[case_id].names.append(_("%(name)s (%(side)s)", name=name, side=side_label))


@dataclass
class Column:
    stage: workflow.Stage
    cards: list
    count: int
    more: bool
    recent: int = 0
    recent_days = RECENT_CLOSED_DAYS  # how far back the Closed column reaches

    @property
    def key(self):
        return self.stage.key


# Building the card query's SQL with peewee costs more than running it. The SQL and its
# parameters follow only from the inputs in the key, so a board seen again reuses them.
_SQL_CACHE_SIZE = 512
_sql_cache = OrderedDict()


def _compiled(shape, build):
    key = (type(Case._meta.database.obj).__name__, shape)
    compiled = _sql_cache.get(key)
    if compiled is None:
        compiled = _sql_cache[key] = build()
        if len(_sql_cache) > _SQL_CACHE_SIZE:
            _sql_cache.popitem(last=False)
    return compiled


def _first_ids(query, limits):
    """The ids of each column's first cards: one LIMIT per column, all in one statement,
    so the work follows the cards shown, not the cases stored."""
    cutoff = _recent_closed_cutoff()
    parts = []
    for key, limit in limits.items():
        part = query.select(Case.id).where(Case.stage == key)
        if key == "closed":
            part = part.where(Case.closed_at >= cutoff)
        part = part.order_by(Case.rank, Case.id).limit(limit)
        parts.append(Case.select(SQL("*")).from_(part.alias(f"first_{key}")))
    return reduce(operator.add, parts)


def columns(user, filters, show_names=False, loaded=None):
    """The board's columns (the first cards of each, or as many as ``loaded`` asks for)
    and their summary."""
    stages = workflow.board_stages()
    words = _due_words(stages)
    query = filtered(user, filters)
    counted = summary(user, filters)
    limits = {s.key: min(MAX_LOADED, max(PAGE_SIZE, (loaded or {}).get(s.key, 0))) for s in stages}
    shape = (
        tuple(limits.items()),
        tuple(filters.as_args().items()),
        user.id,
        tuple(policy.excluded_case_ids(user)),
        _recent_closed_cutoff(),
        today(),
    )
    sql, params = _compiled(
        shape,
        lambda: (
            _card_query(Case.select())
            .where(Case.id.in_(_first_ids(query, limits)))
            .order_by(Case.rank, Case.id)
            .sql()
        ),
    )
    now, tz = today(), zone()
    cards = [_card(r, words, now, tz) for r in Case.raw(sql, *params).dicts()]
    if show_names:
        _attach_names(cards)
    by_stage = {s.key: [] for s in stages}
    for card in cards:
        by_stage[card.stage].append(card)
    result = []
    for s in stages:
        shown = by_stage[s.key]
        total = counted.totals.get(s.key, 0)
        if not s.enabled and not shown:
            continue
        visible_total = counted.recent_closed if s.key == "closed" else total
        result.append(
            Column(
                stage=s,
                cards=shown,
                count=total,
                more=len(shown) < visible_total,
                recent=counted.recent_closed,
            )
        )
    return result, counted


NOTICE_SHOWN = 5


@dataclass
class Notice:
    """New concerns nobody has assessed or opened yet: the first few, and how many."""

    cases: list
    total: int


def new_concerns(user):
    """The board's notice: open cases on this user's board whose severity is not yet
    assessed and that no facilitator has opened, oldest first, so an urgent-looking one
    is not lost in a long column. One query (the total is a window count)."""
    query = (
        policy.board_cases(user)
        .select(
            Case.id,
            Case.reference,
            Case.title,
            Case.raised_via,
            Case.created_at,
            fn.COUNT(Case.id).over().alias("total"),
        )
        .where(Case.opened_at.is_null() & (Case.severity == UNASSESSED) & (Case.stage != "closed"))
        .order_by(Case.created_at, Case.id)
        .limit(NOTICE_SHOWN)
    )
    rows = list(query.dicts())
    return Notice(rows, rows[0]["total"] if rows else 0)


def more_cards(user, filters, stage, cursor, show_names=False):
    """The next page of one column after ``cursor`` (rank:id), on (rank, id), never an offset."""
    words = _due_words(workflow.board_stages())
    rank, case_id = cursor
    query = (
        _card_query(filtered(user, filters))
        .where(
            (Case.stage == stage)
            & ((Case.rank > rank) | ((Case.rank == rank) & (Case.id > case_id)))
        )
        .order_by(Case.rank, Case.id)
        .limit(PAGE_SIZE + 1)
    )
    cards = [_card(r, words) for r in query.dicts()]
    more = len(cards) > PAGE_SIZE
    cards = cards[:PAGE_SIZE]
    if show_names:
        _attach_names(cards)
    return cards, more


def parse_cursor(text):
    """``rank:id`` from a Show more link, or None when it is not one."""
    try:
        rank, case_id = (text or "").rsplit(":", 1)
        rank, case_id = float(rank), int(case_id)
    except ValueError:
        return None
    if not math.isfinite(rank) or not 0 < case_id <= MAX_INTEGER:
        return None
    return rank, case_id


# Building the card query's SQL costs more than running it, and its shape never changes:
# build it once with a stand-in id, then run it with the real one.
_STAND_IN_ID = -7_654_321
_one_card_sql = {}


def _one_card_row(case_id):
    key = type(Case._meta.database.obj).__name__  # SQLite and PostgreSQL spell it differently
    if key not in _one_card_sql:
        query = _card_query(Case.select()).where(Case.id == _STAND_IN_ID)
        _one_card_sql[key] = query.sql()
    sql, params = _one_card_sql[key]
    rows = Case.raw(sql, *[case_id if p == _STAND_IN_ID else p for p in params]).dicts()
    return next(iter(rows), None)


def card_for(case, show_names=False):
    """The card of a case the caller has already loaded through the policy."""
    row = _one_card_row(case.id)
    if row is None:
        return None
    card = _card(row, _due_words(workflow.board_stages()))
    if show_names:
        _attach_names([card])
    return card


def etag(user, filters, show_names, loaded, counted=None):
    """A validator for the board as this user sees it: changes when any card would."""
    counted = counted or summary(user, filters)
    stage_settings = [
        (s.key, s.label, s.help, s.target_days, s.enabled) for s in workflow.board_stages()
    ]
    longer = sorted((k, n) for k, n in (loaded or {}).items() if n > PAGE_SIZE)
    key = repr(
        (
            user.id,
            filters.as_args(),
            show_names,
            longer,
            counted.fingerprint,
            stage_settings,
            today().isoformat(),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def neighbours(user, case):
    """The ids of the (up to) two cards above and two below ``case`` in its column, as
    ``user``'s board orders it: what "Move up" and "Move down" place it between."""
    column = policy.board_cases(user).select(Case.id).where(Case.stage == case.stage)
    above = column.where(
        (Case.rank < case.rank) | ((Case.rank == case.rank) & (Case.id < case.id))
    ).order_by(Case.rank.desc(), Case.id.desc())
    below = column.where(
        (Case.rank > case.rank) | ((Case.rank == case.rank) & (Case.id > case.id))
    ).order_by(Case.rank, Case.id)
    return [r[0] for r in above.limit(2).tuples()], [r[0] for r in below.limit(2).tuples()]
