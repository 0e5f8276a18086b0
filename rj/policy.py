"""Who may see or do what. Every route asks this module, and only this module.

A route declares its rule with one of the decorators below; a request to an
endpoint that declares none is refused (and a test walks the URL map so such a
route never ships). ``can(user, ability, case)`` is the one question; the scoped
queries (``board_cases``, ``my_cases``, ``tablet_cases``) answer it for lists, so a
case you may not see does not exist for you (404).
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, flash, g, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rj import audit
from rj.clock import utcnow
from rj.models import Action, Appeal, Case, Conflict, Entry, Party, Person, Representative

PUBLIC = "public"
SIGNED_IN = "signed-in"

# What each account role may do, whatever the case.
ROLE_ABILITIES = {
    "admin": frozenset(
        {
            "board.view",
            "case.file",
            "due.view",
            "users.manage",
            "settings.manage",
            "reports.view",
            "tablet.use",
            "mycases.view",
        }
    ),
    "facilitator": frozenset({"board.view", "case.file", "due.view", "tablet.use", "mycases.view"}),
    "representative": frozenset({"mycases.view"}),  # their own cases, never a board
    "participant": frozenset({"mycases.view"}),
    # A volunteer may be a party in a case too, like anyone.
    "volunteer": frozenset({"tablet.use", "mycases.view"}),
}

# Abilities about one case, and the role ability each needs. With a case, the case must
# also be on the user's board: not one where they are a party or have declared a conflict.
CASE_ABILITIES = {
    "case.view": "board.view",  # read the whole record
    "case.edit": "board.view",  # add to it, correct it, redact it
    "case.move": "board.view",  # move its card between stages
    "case.export": "board.view",  # the printable file and the ZIP
}

# Endpoints Flask itself adds.
EXEMPT_ENDPOINTS = {"static": PUBLIC}

# How long a volunteer may correct an account they sent from the tablet.
DRAFT_CORRECTION_MINUTES = 15


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def can(user, ability, case=None):
    """May ``user`` do ``ability`` (to ``case``, for an ability about one case)?"""
    if not _active(user):
        return False
    role_abilities = ROLE_ABILITIES.get(user.role, ())
    if ability in CASE_ABILITIES:
        if CASE_ABILITIES[ability] not in role_abilities:
            return False
        return case is None or case.id not in excluded_case_ids(user)
    return ability in role_abilities


def rule_for(view_function, endpoint=None):
    """The rule a view declared, or None."""
    if endpoint in EXEMPT_ENDPOINTS:
        return EXEMPT_ENDPOINTS[endpoint]
    return getattr(view_function, "policy_rule", None)


def public(view):
    """Anyone, signed in or not (sign-in page, health check)."""
    view.policy_rule = PUBLIC
    return view


def signed_in(view):
    """Any signed-in, active account."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapper.policy_rule = SIGNED_IN
    return wrapper


def requires(ability):
    """A signed-in account whose role has ``ability``; others get 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not can(current_user, ability):
                abort(403)
            return view(*args, **kwargs)

        wrapper.policy_rule = ability
        return wrapper

    return decorate


def enforce_declared_rule():
    """before_request: deny by default any endpoint that declared no rule."""
    if request.endpoint is None:
        return  # Flask answers 404/405 itself
    view = current_app.view_functions.get(request.endpoint)
    if rule_for(view, request.endpoint) is None:
        current_app.logger.error("Endpoint %s has no policy rule; refused", request.endpoint)
        abort(403)


def landing_endpoint(user):
    """Where a user lands after sign-in."""
    if can(user, "board.view"):
        return "board.index"
    if can(user, "tablet.use"):
        return "tablet.index"
    return "mycases.index"


# What the navigation offers, in order: (ability, endpoint, label, the pages it is current
# on: endpoints, or blueprint prefixes ending in a dot).
NAVIGATION = (
    ("board.view", "board.index", _l("Board"), ("board.", "cases.", "entries.", "process.")),
    ("due.view", "due.index", _l("Due"), ("due.",)),
    ("case.file", "cases.new", _l("New case"), ("cases.new", "cases.file")),
    ("users.manage", "users.index", _l("Accounts"), ("users.",)),
    ("reports.view", "reports.index", _l("Reports"), ("reports.",)),
    ("settings.manage", "admin.settings_page", _l("Settings"), ("admin.",)),
    ("mycases.view", "mycases.index", _l("My cases"), ("mycases.",)),
    ("tablet.use", "tablet.index", _l("Tablet"), ("tablet.",)),
)


def navigation(user, current_endpoint=None):
    """The pages the navigation offers ``user``, in order: (endpoint, label, is_current).
    The current page is the item naming it exactly, else the one whose area holds it."""
    items = [item for item in NAVIGATION if can(user, item[0])]
    endpoint = current_endpoint or ""

    def holds(pages, exactly):
        return any(
            endpoint == p if exactly else p.endswith(".") and endpoint.startswith(p) for p in pages
        )

    current = next((i for i in items if holds(i[3], True)), None) or next(
        (i for i in items if holds(i[3], False)), None
    )
    return [(item[1], str(item[2]), item is current) for item in items]


# --- Cases on the board ----------------------------------------------------------------


def board_cases(user):
    """Cases this user works on as a facilitator: every case, less those where they
    are a party (they reach those through "My cases") or have declared a conflict."""
    if not can(user, "board.view"):
        return Case.select().where(Case.id.is_null())
    excluded = excluded_case_ids(user)
    # Usually empty; read once so every query built on this stays small and fast.
    return Case.kept().where(Case.id.not_in(excluded)) if excluded else Case.kept()


def excluded_case_ids(user):
    """Cases this user takes part in as a party, or is recused from by a declared conflict.

    Read once per request.
    """
    cache = g.setdefault("mend_excluded_cases", {})
    if user.id not in cache:
        as_party = Party.select(Party.case).join(Person).where(Person.user == user.id)
        recused = Conflict.select(Conflict.case).where(Conflict.user == user.id)
        cache[user.id] = sorted({row[0] for row in (as_party | recused).tuples()})
    return cache[user.id]


def load_case_or_404(user, reference, ability="case.view"):
    """The case with this reference when ``user`` may see it (else 404) and may take
    ``ability`` on it (else 403)."""
    case = board_cases(user).where(Case.reference == reference).first()
    if case is None:
        abort(404)
    if not can(user, ability, case):
        abort(403)
    return case


def case_route(ability, open_only=False, records="case.viewed"):
    """Declare a route about one case, by its ``<reference>``.

    The case is loaded for the signed-in user (404 when they may not see it) and
    ``ability`` checked against it (403); the view receives ``case`` instead of
    ``reference``. With ``open_only`` a closed case sends the user back to its page.
    A GET that shows the case (status 200) is recorded in the audit trail as
    ``records``, with the page and the ids in its URL; ``records=None`` for a page that
    shows nothing of the case. A view that cannot be recorded is not shown.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(reference, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not can(current_user, ability):
                abort(403)  # a page this role never has, whatever the case
            case = load_case_or_404(current_user, reference, ability)
            if open_only and case.stage == "closed":
                flash(
                    _(
                        "%(reference)s is closed: reopen it to add to the record.",
                        reference=case.reference,
                    ),
                    "error",
                )
                return redirect(url_for("cases.show", reference=case.reference, _anchor="process"))
            response = make_response(view(case, **kwargs))
            _record_view(records, case, kwargs, response)
            return response

        wrapper.policy_rule = ability
        wrapper.records_view = records
        return wrapper

    return decorate


def _record_view(records, case, kwargs, response):
    if records and request.method == "GET" and response.status_code == 200:
        details = {**kwargs, **g.pop("mend_view_details", {})}
        audit.viewed(current_user, case, action=records, page=request.endpoint, **details)


def viewing(**details):
    """More about what a case route shows, for the record of its view (the entry a
    file belongs to, say)."""
    g.setdefault("mend_view_details", {}).update(details)


def child_or_404(query, child_id):
    """The row with this id among ``query`` (the children of a case already loaded through
    the policy), or 404: an id of another case's meeting, action or entry is not found."""
    row = query.where(query.model.id == child_id).first()
    if row is None:
        abort(404)
    return row


def may_decide_appeal(user, appeal):
    """Only the facilitator chosen to review an appeal records its outcome."""
    return can(user, "board.view") and appeal is not None and appeal.reviewer_id == user.id


def open_appeal_reviewer(case):
    """The reviewer of ``case``'s open appeal, or None."""
    appeal = (
        Appeal.select()
        .where((Appeal.case == case) & Appeal.outcome.is_null())
        .order_by(Appeal.id.desc())
        .first()
    )
    return appeal.reviewer if appeal and appeal.reviewer_id else None


# --- Taking part in a case: participants and representatives ---------------------------


@dataclass(frozen=True)
class Standing:
    """How a user takes part in one case, other than as its facilitator."""

    case: Case
    parties: tuple  # the parties they are, or represent
    as_representative: bool

    @property
    def party_ids(self):
        return {p.id for p in self.parties}


def my_cases(user):
    """Cases where ``user`` is a party or represents one (their "My cases")."""
    if not can(user, "mycases.view"):
        return Case.select().where(Case.id.is_null())
    as_party = Party.select(Party.case).join(Person).where(Person.user == user.id)
    representing = (
        Party.select(Party.case)
        .join(Representative, on=(Representative.party == Party.id))
        .where(Representative.user == user.id)
    )
    return Case.select().where(Case.id.in_(as_party) | Case.id.in_(representing))


def standing_or_404(user, reference):
    """The user's standing in the case with this reference; 404 when they take no part in it."""
    case = my_cases(user).where(Case.reference == reference).first()
    if case is None:
        abort(404)
    own = list(
        Party.select(Party, Person)
        .join(Person)
        .where((Party.case == case) & (Person.user == user.id))
    )
    if own:
        # Being a party wins: a party who also represents someone sees only their own side.
        return Standing(case, tuple(own), as_representative=False)
    represented = (
        Party.select(Party, Person)
        .join(Person)
        .switch(Party)
        .join(Representative, on=(Representative.party == Party.id))
        .where((Party.case == case) & (Representative.user == user.id))
    )
    return Standing(case, tuple(represented), as_representative=True)


def standing_route(records="case.viewed"):
    """Declare a route about one case the signed-in user takes part in ("My cases").

    The view receives their ``standing`` in the case (404 when they take no part in
    it) instead of ``reference``; a GET that shows it is recorded as ``records``.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(reference, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            standing = standing_or_404(current_user, reference)
            response = make_response(view(standing, **kwargs))
            _record_view(records, standing.case, kwargs, response)
            return response

        wrapper.policy_rule = "mycases.view"
        wrapper.records_view = records
        return wrapper

    return decorate


def may_read_entry(standing, entry, user):
    """May someone with this standing read this entry? (Facilitators read through the board.)"""
    if entry.author_id == user.id:
        return True
    if entry.audience == "everyone":
        return True
    if entry.audience == "team":
        return standing.as_representative
    if entry.audience == "party":
        return entry.audience_party_id in standing.party_ids
    return False


def visible_entries(standing, user):
    """The entries of the case this standing may read, oldest first."""
    query = Entry.select().where(Entry.case == standing.case).order_by(Entry.created_at)
    return [entry for entry in query if may_read_entry(standing, entry, user)]


def visible_actions(standing):
    """The decision's actions a side sees: their own, and agreed boundaries (everyone's)."""
    return Action.select().where(
        (Action.case == standing.case)
        & (Action.party.in_(sorted(standing.party_ids) or [0]) | (Action.kind == "boundaries"))
    )


# --- The tablet --------------------------------------------------------------------------

TABLET_STAGES = ("filed", "acknowledged", "investigating")


def tablet_cases(user):
    """Cases a volunteer may log a witness account for: open to accounts, and not one the
    user is a party to or recused from. Only their reference and neutral title."""
    if not can(user, "tablet.use"):
        return Case.select(Case.id).where(Case.id.is_null())
    query = Case.select(Case.id, Case.reference, Case.title).where(Case.stage.in_(TABLET_STAGES))
    excluded = excluded_case_ids(user)
    if excluded:
        query = query.where(Case.id.not_in(excluded))
    return query.order_by(Case.created_at.desc())


def draft_correction_deadline(draft):
    return draft.submitted_at + timedelta(minutes=DRAFT_CORRECTION_MINUTES)


def may_correct_draft(user, draft):
    """The author of a sent account may correct it for a short while."""
    return (
        _active(user)
        and draft.status == "submitted"
        and draft.author_id == user.id
        and draft.submitted_at is not None
        and utcnow() <= draft_correction_deadline(draft)
    )
