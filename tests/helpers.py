"""Helpers shared by the tests: building apps, users and cases, signing in, and walking
the URL map. Fixtures live in conftest.py."""

import io
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlparse, urlunparse

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage

from rj import cases, create_app, entries, files, passwords
from rj import db as rjdb
from rj.clock import utcnow
from rj.models import Case, Party, User
from rj.vocabulary import ROLES

PG_URL = os.environ.get("RJ_TEST_DATABASE_URL")

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "AUDIT_KEY": "test-audit-key-0123456789abcdef0123456789abcdef",
    "BACKUP_PASSPHRASE": "test-backup-passphrase",
    "WTF_CSRF_ENABLED": False,
    "THROTTLE_ENABLED": False,
    "TWO_FACTOR_ROLES": [],  # the tests of two-factor sign-in turn it on
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8,
    "ARGON2_PARALLELISM": 1,
    "RATELIMIT_STORAGE_URI": "memory://",
}

PASSWORD = "correct horse battery"


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and so a fresh ``g``), as in production,
    even though the test itself runs inside one."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url, tmp_path, **overrides):
    """An app on a clean copy of the migrated database."""
    if PG_URL:
        url = database_url
    else:
        url = str(tmp_path / "mend.sqlite3")
        if not os.path.exists(url):
            shutil.copy(database_url, url)
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, **overrides}, instance_path=str(instance))
    app.test_client_class = FreshContextClient
    return app


INLINE = {"a", "abbr", "b", "code", "em", "i", "kbd", "mark", "q", "s", "small", "span"}
INLINE |= {"strong", "sub", "sup", "svg", "time", "u", "use", "label"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style", "template")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style", "template")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html, start=None, end=None):
    """The words of ``html`` as a reader gets them (tags gone, spaces collapsed); from the
    element whose id is ``start`` up to the one whose id is ``end``, when given."""
    if start:
        html = html[html.index(f'id="{start}"') :]
        html = html[html.index(">") + 1 :]
    if end:
        html = html[: html.index(f'id="{end}"')]
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def create_user(role="facilitator", username=None, password=PASSWORD, **fields):
    username = username or f"{role}-{uuid.uuid4().hex[:6]}"
    return User.create(
        username=username,
        display_name=fields.pop("display_name", username.title()),
        role=role,
        password_hash=passwords.hash_password(password),
        **fields,
    )


def sign_in_session(client, user):
    """Put ``user`` in the client's session, as a successful sign-in would: a session row
    on the server and its token in the cookie."""
    import hashlib
    import secrets

    from rj.models import UserSession

    token = secrets.token_urlsafe(16)
    UserSession.create(token_hash=hashlib.sha256(token.encode()).hexdigest(), user=user)
    now = utcnow().timestamp()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["sid"] = token
        session["signed_in_at"] = now
        session["seen_at"] = now


def signed_in_as(client, user):
    """Sign ``user`` in on ``client``, or sign it out when ``user`` is None. Again before
    each request that needs it: a page may end the session."""
    if user is None:
        with client.session_transaction() as session:
            session.clear()
    else:
        sign_in_session(client, user)


def is_document(response):
    """A whole HTML page, not an htmx fragment or a download."""
    if response.mimetype != "text/html":
        return False
    return response.get_data(as_text=True).lstrip()[:15].lower() == "<!doctype html>"


def make_case(
    stage="filed", by=None, lead=None, severity="medium", title="A neutral title", parties=()
):
    """A case built through the domain functions and moved to ``stage`` by the rules.

    ``parties`` is a list of (side, user-or-None, name) to add before it moves.
    """
    from rj import demo

    by = by or create_user("facilitator")
    lead = lead or by
    case = cases.file_case(
        by,
        kind="incident",
        title=title,
        what_happened="Something happened.",
        occurred_at=utcnow(),
        location="lounge",
        severity=severity,
    )
    for side, user, name in parties:
        cases.add_party(case, cases.add_person(name, user=user), side, by)
    return demo.advance(case, stage, by, lead)


# --- Time ----------------------------------------------------------------------


class Clock:
    """Mend's clock, set by a test: every time and date Mend reads (rj/clock.py) comes
    from ``at`` (naive UTC) until the test ends."""

    def __init__(self, monkeypatch, at):
        import rj.clock

        self.at = at
        clock = self

        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):
                moment = clock.at.replace(tzinfo=UTC)
                return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

        monkeypatch.setattr(rj.clock, "datetime", Frozen)

    def set(self, at):
        self.at = at
        return at


def opened_backup(path, passphrase=TEST_CONFIG["BACKUP_PASSPHRASE"]):
    """The tar inside an encrypted backup, decrypted (in memory: test backups are small)."""
    import tarfile

    from rj.backups import DecryptingReader

    with open(path, "rb") as raw:
        plain = DecryptingReader(raw, passphrase).read()
    return tarfile.open(fileobj=io.BytesIO(plain))


@contextmanager
def fresh_instance(tmp_path, **overrides):
    """A new, empty instance (its own instance folder and database, not migrated), as a
    server that a backup is restored onto would be. The app's database becomes the
    current one; the caller's app needs ``make_app`` again to get its own back."""
    folder = tmp_path / f"fresh-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    name = f"mend_fresh_{uuid.uuid4().hex[:10]}"
    if PG_URL:
        pg_admin(f'CREATE DATABASE "{name}"')
        url = urlunparse(urlparse(PG_URL)._replace(path=f"/{name}"))
    else:
        url = str(folder / "mend.sqlite3")
    app = create_app(
        {**TEST_CONFIG, "DATABASE_URL": url, **overrides}, instance_path=str(folder / "instance")
    )
    app.test_client_class = FreshContextClient
    try:
        yield app
    finally:
        rjdb.database.close_all()
        if PG_URL:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_admin(sql):
    """Run ``sql`` on PostgreSQL outside a transaction (CREATE and DROP DATABASE)."""
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


# --- Counting queries ----------------------------------------------------------


def count_queries(client, path):
    """The number of SQL statements one GET of ``path`` runs (it must answer 200)."""
    seen = []
    original = rjdb.database.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    rjdb.database.obj.execute_sql = counting
    try:
        response = client.get(path)
    finally:
        rjdb.database.obj.execute_sql = original
    assert response.status_code == 200
    return len(seen)


# --- The URL map -------------------------------------------------------------


def path_for(app, rule, values):
    missing = sorted(arg for arg in rule.arguments if arg not in values)
    if missing:
        raise AssertionError(
            f"the authorization matrix does not know how to fill {missing} in {rule.rule}: "
            "add an object of that kind to _furnish"
        )
    adapter = app.url_map.bind("localhost")
    filled = {arg: values[arg] for arg in rule.arguments}
    filled = {arg: value() if callable(value) else value for arg, value in filled.items()}
    return adapter.build(rule.endpoint, filled)


def route_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


def ask(client, user, method, path, headers=None):
    if user is not None:
        sign_in_session(client, user)  # again each time: auth.signout ends the session
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, data={}, headers=headers)


def method_for(rule):
    return "GET" if "GET" in rule.methods else "POST"


# Who reads each page in tests that walk every page, and about which of build_places'
# cases: (role, context). Pages not listed: a facilitator, about their own case.
READERS = {
    "process.appeal_outcome": ("admin", "appealed"),  # the admin reviews it
    "process.reopen": ("facilitator", "closed"),
    "mycases.index": ("participant", "own"),
    "mycases.show": ("participant", "own"),
    "mycases.add": ("participant", "own"),
    "tablet.index": ("volunteer", "own"),
    "tablet.draft": ("volunteer", "own"),
    "tablet.discard": ("volunteer", "own"),
    "tablet.correct": ("volunteer", "sent"),  # the account as it is now
    "due.draft": ("facilitator", "orphaned"),  # a turned-off volunteer's account
    "admin.settings_page": ("admin", "own"),
    "process.give_access": ("facilitator", "unlinked"),
    "users.index": ("admin", "own"),
    "users.new": ("admin", "own"),
    "users.show": ("admin", "own"),
    "users.deactivate": ("admin", "own"),
    "users.change_role": ("admin", "own"),
    "reports.index": ("admin", "own"),
    "reports.printable": ("admin", "own"),
    "reports.download": ("admin", "own"),
    "reports.chart": ("admin", "own"),
}


def readable_pages(app, users, values):
    """(endpoint, user, path) for every GET route, read by someone who may open it."""
    for rule in route_rules(app):
        if "GET" in rule.methods:
            role, context = READERS.get(rule.endpoint, ("facilitator", "own"))
            yield rule.endpoint, users[role], path_for(app, rule, values[context])
    yield "auth.signin", None, "/signin"


# --- A world of every role and case -------------------------------------------


PLAIN_TEXT = b"Receipt for the replacement lock.\n"


def furnish(case, by):
    """Objects of every kind a route can name, in ``case``: their ids by argument name."""
    party = case.parties.order_by(Party.id).first()
    upload = files.check(FileStorage(io.BytesIO(PLAIN_TEXT), filename="receipt.txt"))
    entry = entries.add_entry(case, by, "evidence", "The receipt.", uploads=[upload])
    meeting = cases.schedule_meeting(
        case, by, utcnow() - timedelta(hours=2), "Meeting room", "Everyone"
    )
    return {
        "reference": case.reference,
        "entry_id": entry.id,
        "file_id": entry.files.first().id,
        "party_id": party.id,
        "meeting_id": meeting.id,  # its outcome not yet recorded
        "action_id": case.actions.first().id,  # open
        "checkin_id": case.checkins.first().id,  # not yet held
        "kind": "incident",
        "stage": "filed",
        "chart": "time",
    }


def fresh_draft(volunteer, case):
    """A draft key for one request: a route may send or discard the draft it names."""
    from rj import tablet

    return lambda: tablet.start(volunteer, case).key


def build_world():
    """A user of each role and three cases in Follow-up, with public filing on:

    own     — led by the facilitator; the participant is its harmed party and the
              representative represents the party who caused harm
    recused — led by another facilitator; the facilitator and the admin declared a conflict
    party   — led by another facilitator; the admin and the facilitator are its parties
    """
    from rj import concerns, settings

    settings.put(concerns.PUBLIC_FILING, True)  # so the public pages answer
    users = {role: create_user(role) for role in ROLES}
    other_lead = create_user("facilitator")
    own = make_case(
        "followup",
        by=users["facilitator"],
        parties=[("harmed", users["participant"], "Pat Harmed"), ("caused", None, "Sam Caused")],
    )
    caused = Party.get((Party.case == own) & (Party.side == "caused"))
    cases.add_representative(caused, users["representative"], users["facilitator"])
    recused = make_case(
        "followup",
        by=other_lead,
        parties=[("harmed", None, "Ali Harmed"), ("caused", None, "Jo Caused")],
    )
    cases.declare_conflict(recused, users["facilitator"], "My cousin")
    cases.declare_conflict(recused, users["admin"], "Neighbour")
    as_party = make_case(
        "followup",
        by=other_lead,
        parties=[("harmed", users["admin"], "Ada Admin"), ("caused", users["facilitator"], "Fay")],
    )
    objects = {
        "own": furnish(own, users["facilitator"]),
        "recused": furnish(recused, other_lead),
        "party": furnish(as_party, other_lead),
    }
    objects["other"] = objects["recused"]
    # An account for the coordinators' pages to act on, with a signed-in session.
    subject = create_user("participant", display_name="Sol Subject")
    from rj.models import UserSession

    def signed_in():  # a fresh session for each request: a route may end the one it names
        return UserSession.create(token_hash=uuid.uuid4().hex, user=subject).id

    for values in objects.values():
        values["key"] = fresh_draft(
            users["volunteer"], Case.get(Case.reference == values["reference"])
        )
        values["user_id"] = subject.id
        values["session_id"] = signed_in
    return users, objects


def build_places(world):
    """The world's cases, and a few more that pages need to show something: a case under
    appeal (reviewed by the admin), a closed one, a sent tablet account and the draft of
    a volunteer whose account was turned off."""
    from rj import accounts, tablet
    from rj.clock import today

    users, objects = world
    values = dict(objects)
    fac, admin = users["facilitator"], users["admin"]
    appealed = make_case("followup", by=fac, parties=[("harmed", None, "Ann Appellant")])
    cases.communicate_decision(appealed, fac, today() - timedelta(days=1))
    cases.appeal_case(
        Case.get_by_id(appealed.id),
        fac,
        "They were not heard.",
        admin,
        party=Party.get(Party.case == appealed),
    )
    closed = make_case("closed", by=fac)
    own = Case.get(Case.reference == objects["own"]["reference"])
    sent = tablet.start(users["volunteer"], own)
    sent = tablet.submit(
        sent.key,
        sent.token,
        tablet.Fields("Wren", False, "In the queue", "Saw it.", "3pm, kitchen", "Val"),
    )
    leaver = create_user("volunteer")
    orphaned = tablet.start(leaver, own)
    accounts.deactivate(leaver)
    unlinked = Party.get((Party.case == own) & (Party.side == "caused"))  # no account yet
    values["unlinked"] = {**objects["own"], "party_id": unlinked.id}
    values["appealed"] = {**objects["own"], "reference": appealed.reference}
    values["closed"] = {**objects["own"], "reference": closed.reference}
    values["sent"] = {**objects["own"], "key": sent.key}
    values["orphaned"] = {**objects["own"], "key": orphaned.key}
    return users, values
