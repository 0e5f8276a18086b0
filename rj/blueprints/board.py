"""The kanban board of cases: columns, Show more, moving cards, the background poll."""

import json
from collections import OrderedDict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from rj import board, casepage, policy, workflow
from rj.forms.board import MoveForm
from rj.models import Case
from rj.refusals import Refused, Stale
from rj.vocabulary import STAGE_ARRIVALS

bp = Blueprint("board", __name__, url_prefix="/board")

CARD_CACHE_SIZE = 10_000


@bp.app_template_global()
def board_cards(cards, show_names, move_base):
    """The HTML of a column's cards, each rendered by the card macro and remembered by
    everything it shows.

    The key holds every value the macro reads, so a hit is exactly what a fresh render
    would give; a board of 200 cards is then mostly joins, not template work.
    """
    move_base = str(move_base)
    case_base = url_for("cases.show", reference="RJ-REF")
    cache = current_app.extensions.setdefault("mend_card_cache", OrderedDict())
    macro = None
    parts = []
    for card in cards:
        key = (card.fingerprint(show_names), move_base)
        html = cache.get(key)
        if html is None:
            if macro is None:
                macro = current_app.jinja_env.get_template("board/_card.html").module.card_item
            html = cache[key] = macro(card, show_names, move_base, case_base)
            if len(cache) > CARD_CACHE_SIZE:
                cache.popitem(last=False)
        parts.append(html)
    return Markup("\n").join(parts)


NAMES_KEY = "board_names"


def _loaded():
    """How many cards each column had loaded (sent by the poll, so it keeps them)."""
    loaded = {}
    for part in (request.args.get("loaded") or "").split(","):
        stage, _, n = part.partition(":")
        if stage in workflow.STAGE_KEYS and n.isdigit() and len(n) <= 6:
            loaded[stage] = int(n)
    return loaded


def _board_context(filters, loaded=None):
    show_names = session.get(NAMES_KEY, False)
    columns, counted = board.columns(current_user, filters, show_names, loaded)
    return {
        "columns": columns,
        "filters": filters,
        "show_names": show_names,
        "severities": board.SEVERITIES,
        "stage_order": workflow.ORDER,
        "etag": board.etag(current_user, filters, show_names, loaded, counted),
        "notice": board.new_concerns(current_user),
        "empty_column": {
            column.key: _(
                "No cases in %(stage)s. %(arrivals)s",
                stage=column.stage.label,
                arrivals=STAGE_ARRIVALS[column.key],
            )
            for column in columns
        },
    }


@bp.route("/")
@policy.requires("board.view")
def index():
    filters = board.Filters.from_args(request.args)
    loaded = _loaded()
    show_names = session.get(NAMES_KEY, False)
    if request.headers.get("X-Mend-Background"):
        tag = board.etag(current_user, filters, show_names, loaded)
        if request.headers.get("If-None-Match", "").strip('"') == tag:
            return "", 304, {"ETag": f'"{tag}"'}
    context = _board_context(filters, loaded)
    status = 400 if filters.problems else 200
    headers = {"ETag": f'"{context["etag"]}"'}
    if request.htmx and request.htmx.target == "board":
        return render_block("board/index.html", "board", **context), status, headers
    return render_template("board/index.html", **context), status, headers


@bp.route("/columns/<stage>")
@policy.requires("board.view")
def more(stage):
    if stage not in workflow.STAGE_KEYS:
        abort(404)
    filters = board.Filters.from_args(request.args)
    shown = min(max(request.args.get("shown", type=int) or 0, 0), board.MAX_LOADED)
    if not request.htmx:
        # Without script, "Show more" is the board with this column longer.
        loaded = f"{stage}:{shown + board.PAGE_SIZE}"
        return redirect(url_for("board.index", loaded=loaded, **filters.as_args()))
    cursor = board.parse_cursor(request.args.get("after"))
    if cursor is None:
        abort(404)  # no card is at that place in the column
    show_names = session.get(NAMES_KEY, False)
    cards, more = board.more_cards(current_user, filters, stage, cursor, show_names)
    return render_template(
        "board/_more.html",
        cards=cards,
        more=more,
        stage=workflow.stage(stage),
        filters=filters,
        show_names=show_names,
        shown=shown + len(cards),
    )


@bp.route("/names", methods=["POST"])
@policy.requires("board.view")
def toggle_names():
    session[NAMES_KEY] = not session.get(NAMES_KEY, False)
    return redirect(url_for("board.index", **board.Filters.from_args(request.args).as_args()))


def _refused(case, message, status, form=None, card=None, steps=()):
    """A refused move: a message where it belongs, with links to what is missing, and the
    card back where it was."""
    steps = [casepage.step_of(case, missing) for missing in steps]
    if request.htmx:
        headers = {
            "HX-Retarget": "#board-message",
            "HX-Reswap": "innerHTML",
            "HX-Trigger": json.dumps(
                {"move-refused": {"card": f"case-{case.id}", "stale": status == 409}}
            ),
        }
        html = render_template(
            "board/_message.html", message=message, card=card, case=case, steps=steps
        )
        return html, status, headers
    html = render_template(
        "board/move.html", error=message, steps=steps, **_move_context(case, form)
    )
    return html, status


def _back(case):
    """Where a move without script returns to: the case page it came from, or the board."""
    if request.values.get("back") == "case":
        return url_for("cases.show", reference=case.reference)
    return url_for("board.index", _anchor=f"case-{case.id}")


def _move_context(case, form):
    """What the move dialog shows: each stage (allowed, or why not), the stage to go to
    next (preselected), and the cards "Move up" and "Move down" place it between."""
    wanted = request.args.get("to") or (form.to.data if request.method == "POST" else None)
    preselect = wanted if wanted in workflow.STAGE_KEYS else None
    above, below = board.neighbours(current_user, case)
    step = casepage.next_step(case, current_user)
    ready = step.to.key if step.to and not step.steps else None  # it may go there now
    return {
        "case": case,
        "form": form,
        "options": workflow.move_options(case),
        "preselect": preselect or ready or case.stage,
        "current_label": workflow.stage(case.stage).label,
        "up": (above[1] if len(above) > 1 else "", above[0]) if above else None,
        "down": (below[0], below[1] if len(below) > 1 else "") if below else None,
        "can_reorder": not board.Filters.from_args(request.args).active,
        "next_step": step,
        "back": "case" if request.values.get("back") == "case" else "",
        "back_url": _back(case),
    }


@bp.route("/cases/<reference>/move", methods=["GET", "POST"])
@policy.case_route("case.move", records=None)  # the dialog shows what the card shows
def move(case):
    form = MoveForm(request.form if request.method == "POST" else None, case=case)
    if request.method == "GET":
        template = "board/_move_form.html" if request.htmx else "board/move.html"
        return render_template(template, **_move_context(case, form))
    if not form.validate():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _refused(case, message, 422, form)
    try:
        moved = workflow.move(
            case,
            form.to.data,
            current_user,
            form.version.data,
            form.reason.data or "",
            form.before.data,
            form.after.data,
        )
    except Stale as stale:
        card = board.card_for(stale.current, session.get(NAMES_KEY, False))
        return _refused(stale.current, stale.message, 409, form, card)
    except Refused as refused:
        return _refused(case, refused.message, refused.status, form, steps=refused.steps)
    label = workflow.stage(moved.stage).label
    announcement = (
        _("%(reference)s moved to %(stage)s.", reference=moved.reference, stage=label)
        if moved.stage != case.stage
        else _("%(reference)s reordered in %(stage)s.", reference=moved.reference, stage=label)
    )
    if not request.htmx:
        flash(announcement, "ok")
        return redirect(_back(moved))
    filters = board.Filters.from_args(request.args)
    show_names = session.get(NAMES_KEY, False)
    totals = {}
    if moved.stage != case.stage:  # a reorder leaves every count as it was
        totals = board.counts(current_user, filters)[0]
    card = board.card_for(moved, show_names)
    return render_template(
        "board/_moved.html",
        card=card,
        announcement=announcement,
        totals=totals,
        changed=sorted({case.stage, moved.stage} if totals else ()),
        filters=filters,
        show_names=show_names,
    )


@bp.route("/closed")
@policy.requires("board.view")
def closed():
    after = request.args.get("after")
    cursor = board.parse_cursor(after)
    if after is not None and cursor is None:
        abort(404)
    query = policy.board_cases(current_user).where(Case.stage == "closed")
    if cursor:
        rank, case_id = cursor
        query = query.where((Case.rank > rank) | ((Case.rank == rank) & (Case.id > case_id)))
    rows = list(query.order_by(Case.rank, Case.id).limit(board.PAGE_SIZE + 1))
    return render_template(
        "board/closed.html", cases=rows[: board.PAGE_SIZE], more=len(rows) > board.PAGE_SIZE
    )
