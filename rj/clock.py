"""Times are stored as naive UTC; dates and "due" are computed in the organisation's zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


def zone():
    return ZoneInfo(current_app.config["TIMEZONE"])


def local(dt, tz=None):
    """A stored UTC time in the organisation's time zone (``tz`` when the caller has it)."""
    return dt.replace(tzinfo=UTC).astimezone(tz or zone())


def today():
    return datetime.now(zone()).date()
