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


def to_utc(local_dt, tz=None):
    """A naive time typed in the organisation's zone, as naive UTC for storage."""
    return local_dt.replace(tzinfo=tz or zone()).astimezone(UTC).replace(tzinfo=None)
