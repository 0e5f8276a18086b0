"""Routes of the case record: entries (filled in by the case-record work)."""

from flask import Blueprint

bp = Blueprint("entries", __name__, url_prefix="/cases/<reference>")
