"""Bad input at scale: every form of every page and the move endpoint, given arbitrary
text, huge values, wrong types, missing and duplicated fields, answer without a 500, and
a refusal writes nothing at all.

The forms come from the URL map: each GET page is read by someone who may open it
(tests/helpers.readable_pages) and its POST forms are taken with their fields, the
options of their choices and the values the page filled in; fields that the form
classes declare but the page did not render (hidden parts of a form) are added from
the classes, typed. Hypothesis then draws a form and a value for each field.

``make test`` runs FUZZ_EXAMPLES examples (a few seconds), the same ones every time;
``make fuzz`` runs many more, new ones each time (MEND_FUZZ_EXAMPLES), and Hypothesis
keeps the failing ones in .hypothesis/ to try first next time.
"""

import hashlib
import importlib
import io
import os
import pkgutil
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from peewee import fn
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, DateTimeLocalField, Form, IntegerField, SelectField

import rj
from rj import audit
from rj import db as rjdb
from rj.forms.admin import settings_form_class
from rj.models import AuditRecord, Conflict
from tests.helpers import build_places, readable_pages, sign_in_session

# `make test` runs the same examples every time (a suite that fails by chance helps
# nobody); `make fuzz` (MEND_FUZZ_EXAMPLES) explores afresh and keeps what fails.
EXPLORING = "MEND_FUZZ_EXAMPLES" in os.environ
FUZZ_EXAMPLES = int(os.environ.get("MEND_FUZZ_EXAMPLES", "150"))
MISSING = object()

# A refused account from the tablet is kept in its draft, so nothing typed is lost
# (DESIGN.md, "The tablet"): these pages may write the draft when they refuse.
KEEPS_WHAT_WAS_TYPED = ("/tablet/", "/due/drafts/")


# --- The forms, from the pages of the URL map and the form classes -----------------------


@dataclass
class Target:
    page: str
    action: str
    user: object
    fields: dict = field(default_factory=dict)  # name -> (kind, options, value)
    htmx: bool = False

    def __repr__(self):  # what Hypothesis prints for a failing example
        return f"POST {self.action} (from {self.page})"


class PageForms(HTMLParser):
    """The POST forms of a page with their fields: kind, options and the value shown."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action"), "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields, name = self._form["fields"], attrs.get("name")
        if tag == "option" and self._select:
            kind, options, value = fields[self._select]
            option = attrs.get("value", "")
            chosen = value if value is not None and "selected" not in attrs else option
            fields[self._select] = (kind, [*options, option], chosen)
        if not name or name == "csrf_token":
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            value = attrs.get("value", "on" if kind == "checkbox" else "")
            if kind in ("checkbox", "radio"):
                old = fields.get(name, (kind, [], None))
                checked = value if "checked" in attrs else old[2]
                fields[name] = (kind, [*old[1], value], checked)
            else:
                fields[name] = (kind, [], value)
        elif tag == "textarea":
            fields[name] = ("textarea", [], "")
            self._textarea = name
        elif tag == "select":
            fields[name] = ("select", [], None)
            self._select = name

    def handle_data(self, data):
        if self._textarea and self._form:
            kind, options, value = self._form["fields"][self._textarea]
            self._form["fields"][self._textarea] = (kind, options, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def form_classes():
    for module in pkgutil.walk_packages(rj.__path__, "rj."):
        importlib.import_module(module.name)
    found, todo = [settings_form_class()], list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("rj."):
            found.append(cls)
    return found


def declared_fields(cls):
    """{name: kind} of a form class's fields, the kinds the generator knows."""
    kinds = {}
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        field_class = getattr(unbound, "field_class", None)
        if field_class is None or name == "csrf_token":
            continue
        if issubclass(field_class, IntegerField):
            kinds[name] = "number"
        elif issubclass(field_class, DateTimeLocalField):
            kinds[name] = "datetime-local"
        elif issubclass(field_class, DateField):
            kinds[name] = "date"
        elif issubclass(field_class, BooleanField):
            kinds[name] = "checkbox"
        elif issubclass(field_class, SelectField):
            kinds[name] = "select"
        else:
            kinds[name] = "text"
    return kinds


def discover(app, users, values):
    """Every POST form on every page, once per action, with the user who reads the page."""
    client = app.test_client()
    classes = [declared_fields(cls) for cls in form_classes()]
    targets = {}
    for _, user, path in readable_pages(app, users, values):
        if user is not None:
            sign_in_session(client, user)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = PageForms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or path
            if action in targets or action.startswith("/signout"):
                continue  # signing out ends the session every other example needs
            fields = dict(form["fields"])
            # The class whose fields the page shows most of declares the rest.
            best = max(classes, key=lambda kinds: len(set(kinds) & set(fields)), default={})
            if set(best) & set(fields):
                for name, kind in best.items():
                    fields.setdefault(name, (kind, [], ""))
            targets[action] = Target(path, action, user, fields)
            if "/move" in action:
                targets[action + " (htmx)"] = Target(path, action, user, fields, htmx=True)
    return list(targets.values())


# --- Values ----------------------------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
ODD = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\r\n\t",
        "x" * 100_001,
        "é" * 5_000,
        "9" * 400,
        str(2**63),
        str(2**64),
        str(-(2**63) - 1),
        "-1",
        "0",
        "1e309",
        "-inf",
        "nan",
        "0x10",
        "١٢٣",
        "true",
        "None",
        "null",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "RJ-9999-9999",
        "2026-02-30",
        "0001-01-01",
        "9999-12-31",
        "2026-13-01",
        "2026-01-01T25:61",
        "2026-01-01T10:00:00+99:00",
        "1970-01-01T00:00",
    ]
)
NUMBERS = st.one_of(st.integers(), st.integers(-(2**70), 2**70)).map(str)
EXTRA_NAMES = st.sampled_from(
    ["author", "author_id", "case", "case_id", "role", "id", "by", "actor", "stage", "lead"]
)


def field_value(kind, options, shown):
    choices = [st.just(shown if shown is not None else ""), TEXT, ODD, NUMBERS]
    if options:
        choices.append(st.sampled_from(options))
    value = st.one_of(*choices)
    if kind == "file":
        upload = st.binary(max_size=2_000).map(lambda data: (io.BytesIO(data), "upload.txt"))
        return st.one_of(st.just(MISSING), upload)
    return st.one_of(
        st.just(MISSING),  # the field left out
        value,
        st.lists(value, min_size=2, max_size=3),  # the field given twice or more
    )


@st.composite
def submissions(draw, targets):
    target = draw(st.sampled_from(targets))
    data = MultiDict()
    uploads = []
    for name, (kind, options, shown) in sorted(target.fields.items()):
        value = draw(field_value(kind, options, shown))
        if value is MISSING:
            continue
        if kind == "file":
            uploads.append((name, value))
        elif isinstance(value, list):
            for one in value:
                data.add(name, one)
        else:
            data.add(name, value)
    for name, value in draw(st.dictionaries(EXTRA_NAMES, TEXT, max_size=2)).items():
        data.add(name, value)
    return target, data, uploads


# --- What must hold ----------------------------------------------------------------------


def fingerprint():
    """A digest of every row of each table: equal when nothing was written."""
    digests = {}
    for table in sorted(set(rjdb.database.get_tables()) - {"audit_record"}):
        rows = rjdb.database.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()  # noqa: S608
        digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


@pytest.fixture
def targets(app, world):
    users, values = build_places(world)
    found = discover(app, users, values)
    assert len(found) > 30, [t.action for t in found]
    return found


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=not EXPLORING,
    database=None if not EXPLORING else settings.default.database,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_every_form_takes_any_input_without_a_500_or_a_partial_write(app, targets, data):
    target, fields, uploads = data.draw(submissions(targets))
    client = app.test_client()
    if target.user is not None:
        sign_in_session(client, target.user)
    for name, (stream, filename) in uploads:
        fields.add(name, (stream, filename))
    headers = {"HX-Request": "true"} if target.htmx else {}
    before, last_record = fingerprint(), AuditRecord.select(fn.MAX(AuditRecord.id)).scalar()
    last_conflict = Conflict.select(fn.MAX(Conflict.id)).scalar()
    response = client.post(target.action, data=fields, headers=headers)
    event(f"answered {response.status_code}")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        after = fingerprint()
        changed = sorted(t for t in after if after[t] != before.get(t))
        if target.action.startswith(KEEPS_WHAT_WAS_TYPED):
            changed = [t for t in changed if t != "witness_draft"]
        recorded = AuditRecord.select().where(AuditRecord.id > (last_record or 0))
        # A page that shows a case's content records the view, whatever is posted.
        changed += [f"audit: {r.action}" for r in recorded if not r.action.endswith("viewed")]
        assert not changed, (
            f"{target!r} answered {response.status_code} but wrote to {changed}: "
            f"{dict(fields.lists())!r:.600}"
        )
    else:  # whatever was written went in whole, with its audit record
        assert audit.verify().whole
        # A conflict declared now would hide the case from its facilitator in every later
        # example: it is withdrawn, so the examples keep reaching the forms.
        Conflict.delete().where(Conflict.id > (last_conflict or 0)).execute()
