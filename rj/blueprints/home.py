"""The front door: the landing redirect and the health check."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user

from rj import policy
from rj.db import database

bp = Blueprint("home", __name__)


@bp.route("/")
@policy.public
def index():
    if current_user.is_authenticated:
        return redirect(url_for(policy.landing_endpoint(current_user)))
    return redirect(url_for("auth.signin"))


@bp.route("/healthz")
@policy.public
def healthz():
    try:
        database.execute_sql("SELECT 1")
    except Exception:
        return {"status": "database unreachable"}, 503
    return {"status": "ok"}
