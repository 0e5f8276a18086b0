"""Organisation settings stored in the database (key -> JSON value)."""

import json

from flask import g

from rj.models import Setting

DEMO = "demo"


def get(key, default=None):
    row = Setting.get_or_none(Setting.key == key)
    return json.loads(row.value) if row else default


def put(key, value):
    encoded = json.dumps(value)
    (
        Setting.insert(key=key, value=encoded)
        .on_conflict(conflict_target=[Setting.key], update={Setting.value: encoded})
        .execute()
    )
    g.pop("mend_demo", None)


def is_demo():
    """True when this database was created with demo data (the banner shows on every page)."""
    if "mend_demo" not in g:
        g.mend_demo = bool(get(DEMO, False))
    return g.mend_demo
