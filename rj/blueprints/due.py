"""The Due page: what facilitators must do soon, across every case they can see."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rj import audit, due, policy, tablet
from rj.blueprints.tablet import draft_page
from rj.refusals import Refused

bp = Blueprint("due", __name__, url_prefix="/due")


@bp.route("/")
@policy.requires("due.view")
def index():
    found = due.items(current_user)
    return render_template(
        "due/index.html",
        overdue=[i for i in found if i.overdue],
        soon=[i for i in found if not i.overdue],
        soon_days=due.SOON_DAYS,
        drafts=tablet.stale_drafts(current_user),
        unattended=due.unattended(current_user),
    )


@bp.route("/drafts/<key>", methods=["GET", "POST"])
@policy.requires("due.view")
def draft(key):
    """A witness account whose author's account was turned off: a facilitator reads it
    and sends it on their behalf, so nothing is lost."""
    draft = tablet.orphaned_draft_or_none(current_user, key)
    if draft is None:
        abort(404)
    audit.viewed(current_user, draft.case_id, page="due.draft", draft=draft.id)
    if request.method == "POST":
        fields = tablet.Fields.from_form(request.form)
        try:
            sent = tablet.send_for(draft, current_user, fields)
        except Refused as refused:
            draft.__data__.update(vars(fields))
            errors = refused.problems or {"form": refused.message}
            return draft_page(draft, errors, refused.status, "due/draft.html")
        flash(
            _(
                "The account is saved on %(reference)s, sent by you for %(name)s.",
                reference=sent.case.reference,
                name=draft.author.display_name,
            ),
            "ok",
        )
        return redirect(url_for("cases.show", reference=sent.case.reference))
    return draft_page(draft, template="due/draft.html")
