"""The kanban board of cases."""

from flask import Blueprint, render_template

from rj import policy, workflow

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.route("/")
@policy.requires("board.view")
def index():
    return render_template("board/index.html", stages=workflow.board_stages())
