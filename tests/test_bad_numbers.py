"""Numbers from outside (ids in paths, cursors, numeric form values) that no database
column can hold are refused as "not found" or beside the field, never with a 500.

Generated from the URL map and the form classes, so a new route or number field
cannot slip past.
"""

import importlib
import pkgutil

import pytest
from werkzeug.routing import IntegerConverter
from wtforms import Form, IntegerField

import rj
from rj.forms.admin import settings_form_class
from tests.helpers import ask, method_for, path_for, route_rules, sign_in_session

BAD = (0, -1, 2**63, 10**30)

# Query parameters that carry a cursor (rank:id) or a number, by endpoint.
CURSORS = {
    "board.more": {"after": "{rank}:{n}"},
    "board.closed": {"after": "{rank}:{n}"},
}
# Every integer field of every form, by the endpoint that takes it.
FORM_NUMBERS = {
    "board.move": ("MoveForm", ("version", "before", "after")),
    "entries.correct": ("CorrectForm", ("revision",)),
    "cases.correct_facts": ("FactsForm", ("revision",)),
    "admin.settings_page": (
        "SettingsForm",
        (
            "appeal_window_days",
            "target_filed",
            "target_acknowledged",
            "target_investigating",
            "target_hearing",
            "target_restoring",
            "target_community",
            "target_followup",
            "target_appeal",
        ),
    ),
}


def _int_arguments(rule):
    return sorted(
        name
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter)
    )


def test_every_integer_in_a_path_that_no_column_holds_is_not_found(app, world):
    users, objects = world
    client = app.test_client()
    wrong = []
    checked = 0
    for rule in route_rules(app):
        for name in _int_arguments(rule):
            for value in BAD:
                path = path_for(app, rule, {**objects["own"], name: value})
                response = ask(client, users["admin"], method_for(rule), path)
                checked += 1
                if response.status_code != 404:
                    wrong.append(f"{method_for(rule)} {path}: {response.status_code}")
    assert checked >= 7 * len(BAD)  # entries, files, parties, meetings, actions, check-ins
    assert not wrong, "\n".join(wrong)


def test_every_cursor_that_no_column_holds_is_not_found(app, world):
    users, objects = world
    client = app.test_client()
    wrong = []
    for endpoint, params in CURSORS.items():
        rule = next(r for r in route_rules(app) if r.endpoint == endpoint)
        base = path_for(app, rule, objects["own"])
        cursors = [("0.0", 1, 200)] + [("0.0", n, 404) for n in BAD]
        cursors += [(rank, 1, 404) for rank in ("1e400", "-inf", "nan", "x")]
        for rank, n, expected in cursors:
            query = "&".join(f"{k}={v.format(rank=rank, n=n)}" for k, v in params.items())
            sign_in_session(client, users["facilitator"])
            response = client.get(f"{base}?{query}", headers={"HX-Request": "true"})
            if response.status_code != expected:
                wrong.append(f"GET {base}?{query}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def _form_classes():
    for module in pkgutil.walk_packages(rj.__path__, "rj."):
        importlib.import_module(module.name)
    found, todo = {}, list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("rj."):
            found[cls.__name__] = cls
    found["SettingsForm"] = settings_form_class()
    return found


def test_every_integer_field_of_every_form_is_covered_here(app):
    covered = {(form, field) for form, fields in FORM_NUMBERS.values() for field in fields}
    present = set()
    for name, cls in _form_classes().items():
        for field_name in dir(cls):
            unbound = getattr(cls, field_name, None)
            if getattr(unbound, "field_class", None) and issubclass(
                unbound.field_class, IntegerField
            ):
                present.add((name, field_name))
    assert present - covered == set(), "add these integer fields to FORM_NUMBERS"
    assert covered - present == set(), "these fields are gone: remove them from FORM_NUMBERS"


def _valid_form(endpoint, objects):
    """Data that the endpoint would accept, so that only the bad number is wrong."""
    from rj.models import Case
    from rj.workflow import DEFAULT_STAGES

    case = Case.get(Case.reference == objects["own"]["reference"])
    if endpoint == "board.move":
        return {"to": case.stage, "version": str(case.version), "before": "", "after": ""}
    if endpoint == "entries.correct":
        return {"body": "Corrected.", "reason": "A typo.", "revision": "1"}
    if endpoint == "cases.correct_facts":
        facts = {"title": "T", "what_happened": "W", "location": "L", "raised_by": "R"}
        return {**facts, "occurred_at": "2026-01-01T10:00", "reason": "x", "revision": "1"}
    data = {"appeal_window_days": "14"}
    for stage in DEFAULT_STAGES:
        data[f"label_{stage.key}"] = stage.label
        data[f"help_{stage.key}"] = stage.help
        data[f"target_{stage.key}"] = str(stage.target_days or "")
    return data


@pytest.mark.parametrize("endpoint", sorted(FORM_NUMBERS))
def test_every_number_in_a_form_that_no_column_holds_is_refused_beside_it(app, world, endpoint):
    users, objects = world
    client = app.test_client()
    rule = next(r for r in route_rules(app) if r.endpoint == endpoint)
    path = path_for(app, rule, objects["own"])
    _, fields = FORM_NUMBERS[endpoint]
    wrong = []
    for field in fields:
        for value in (2**63, 10**30, -(2**63) - 1):
            sign_in_session(client, users["admin"])
            data = {**_valid_form(endpoint, objects), field: str(value)}
            response = client.post(path, data=data)
            body = response.get_data(as_text=True)
            said = "Not a valid integer value." in body or "Between " in body
            if response.status_code != 422 or not said:
                wrong.append(f"POST {path} {field}={value}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
