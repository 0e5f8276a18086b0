"""The Due page: what facilitators must do soon, across every case they can see."""

from flask import Blueprint, render_template
from flask_login import current_user

from rj import due, policy, tablet

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
    )
