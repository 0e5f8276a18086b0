"""The shared tablet where volunteers log witness accounts.

Volunteers see only the reference and neutral title of cases open to witness
accounts, and nothing of a case after sending an account but its receipt.
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rj import audit, csrf, i18n, policy, tablet
from rj.clock import utcnow
from rj.models import Case, Entry
from rj.refusals import Refused

bp = Blueprint("tablet", __name__, url_prefix="/tablet")


@bp.route("/")
@policy.requires("tablet.use")
def index():
    drafts = [d for d in current_user.witness_drafts if d.status == "draft"]
    return render_template(
        "tablet/index.html", cases=policy.tablet_cases(current_user), drafts=drafts
    )


@bp.route("/drafts", methods=["POST"])
@policy.requires("tablet.use")
def start():
    reference = request.form.get("case") or ""
    case = None
    if reference:
        case = policy.tablet_cases(current_user).where(Case.reference == reference).first()
        if case is None:
            abort(404)
    draft = tablet.start(current_user, case)
    return redirect(url_for("tablet.draft", key=draft.key))


def draft_page(draft, errors=None, status=200, template="tablet/draft.html"):
    """A witness account's page, its fields with their limits and any errors beside them."""
    return render_template(template, draft=draft, errors=errors or {}, limits=tablet.LIMITS), status


def receipt_context(draft):
    """What the receipt shows: the page and the fragment app.js puts in place agree."""
    return {
        "draft": draft,
        "can_correct": policy.may_correct_draft(current_user, draft),
        "correction_minutes": policy.DRAFT_CORRECTION_MINUTES,
        "correct_until": policy.draft_correction_deadline(draft),
    }


def _own_or_404(key):
    draft = tablet.own_draft(current_user, key)
    if draft is None:
        abort(404)
    return draft


@bp.route("/drafts/<key>")
@policy.requires("tablet.use")
def draft(key):
    draft = _own_or_404(key)
    if draft.status == "submitted":
        return render_template("tablet/receipt.html", **receipt_context(draft))
    if draft.status != "draft":
        abort(404)
    return draft_page(draft)


@bp.route("/drafts/<key>/autosave", methods=["POST"])
@policy.requires("tablet.use")
def autosave(key):
    draft = _own_or_404(key)
    if not tablet.autosave(draft, tablet.Fields.from_form(request.form)):
        return "", 409
    return "", 204, {"X-Mend-Saved-At": i18n.time_text(utcnow())}


@bp.route("/drafts/<key>/submit", methods=["POST"])
@policy.public  # the draft's single-use token stands in for the session (sent after a sign-out)
@csrf.exempt
def submit(key):
    user = current_user if current_user.is_authenticated else None
    fields = tablet.Fields.from_form(request.form)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        draft = tablet.submit(key, request.form.get("token"), fields, user)
    except Refused as refused:
        if wants_json:
            return jsonify(errors=refused.problems or {"form": refused.message}), refused.status
        known = tablet.own_draft(user, key) if user else None
        if known is None:
            abort(404)
        known.__data__.update(vars(fields))
        return draft_page(known, refused.problems or {"form": refused.message}, refused.status)
    if wants_json:
        return jsonify(
            reference=draft.case.reference,
            saved_at_text=i18n.time_text(draft.submitted_at),
            receipt_html=render_template("tablet/_receipt.html", **receipt_context(draft)),
        )
    return render_template("tablet/receipt.html", **receipt_context(draft))


@bp.route("/drafts/<key>/discard", methods=["GET", "POST"])
@policy.requires("tablet.use")
def discard(key):
    """GET asks once more (the draft's page asks in a dialog); POST discards."""
    draft = _own_or_404(key)
    if request.method == "GET":
        if draft.status != "draft":
            abort(404)
        return render_template("tablet/discard.html", draft=draft)
    tablet.discard(draft, current_user)
    flash(_("The account was discarded."), "info")
    return redirect(url_for("tablet.index"))


@bp.route("/drafts/<key>/correct", methods=["GET", "POST"])
@policy.requires("tablet.use")
def correct(key):
    draft = _own_or_404(key)
    if not policy.may_correct_draft(current_user, draft):
        flash(_("The time to correct this account has passed. Tell a facilitator instead."), "info")
        return redirect(url_for("tablet.index"))
    entry = draft.entry
    audit.viewed(current_user, entry.case_id, entry_id=entry.id, page="tablet.correct")
    errors, status = {}, 200
    account = entry.body
    if request.method == "POST":
        account = request.form.get("account", "")
        try:
            tablet.correct(
                draft,
                current_user,
                account,
                request.form.get("reason", ""),
                based_on=request.form.get("revision", type=int),
            )
        except Refused as refused:
            errors, status = refused.problems or {"form": refused.message}, refused.status
            entry = Entry.get_by_id(entry.id)
            if refused.status == 409:
                account = entry.body  # as it is now, to correct again
        else:
            flash(_("Your correction is saved."), "ok")
            return redirect(url_for("tablet.draft", key=key))
    return render_template(
        "tablet/correct.html",
        draft=draft,
        entry=entry,
        account=account,
        errors=errors,
        correction_limits=tablet.CORRECTION_LIMITS,
        correct_until=policy.draft_correction_deadline(draft),
    ), status
