"""The shared tablet where volunteers log witness accounts."""

from flask import Blueprint, render_template

from rj import policy

bp = Blueprint("tablet", __name__, url_prefix="/tablet")


@bp.route("/")
@policy.requires("tablet.use")
def index():
    return render_template("tablet/index.html")
