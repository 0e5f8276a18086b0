"""Routes of the case record: process (filled in by the case-record work)."""

from flask import Blueprint

bp = Blueprint("process", __name__, url_prefix="/cases/<reference>")
