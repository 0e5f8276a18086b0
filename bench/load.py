"""Load and faults: 16 facilitators at once against `make serve` (2 workers), on SQLite and
on PostgreSQL, with and without a worker killed by SIGKILL every 5 s.

Run it with ``make bench-load`` (or ``.venv/bin/python bench/load.py``; ``--seconds``,
``--clients``, ``--only sqlite|postgresql``). For each database and each mode it

* builds a throwaway instance (a SQLite file in a temporary folder, or a new PostgreSQL
  database on 127.0.0.1:5432), with 16 facilitator accounts, 3 cases in Investigating
  for each (their own, so that no two clients race for a card) and 200 more open
  cases on the board, all through the domain functions;
* starts ``make serve`` on a free loopback port, with RATELIMIT_STORAGE_URI on Redis
  (127.0.0.1:6379), as a real server would run;
* lets 16 clients (threads, each signed in over HTTP as its own facilitator, CSRF on)
  loop for 30 s: open the board (then poll it with its ETag), open one of their cases,
  move it back to Acknowledged with a reason, forward to Investigating, add a note and
  correct it. Every write carries a unique token;
* in the faults mode, sends SIGKILL to one of gunicorn's workers every 5 s (gunicorn
  starts another);
* stops the server and reads the database: a write answered as saved whose token is
  not there is lost; a token there twice is doubled. A move leaves the case one
  version further on: the final version of each case must be the one its client saw
  last, give or take the moves whose answer a kill cut off.

It prints requests/s, p50 and p99 latency, answers by status, requests cut off by a
kill, server errors and "database is locked" or deadlock lines in the server's log,
and the lost and doubled writes; every figure goes to bench/results/load.json. Only
127.0.0.1 is ever contacted, and the whole run stops by itself (DEADLINE_SECONDS).
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peewee import fn  # noqa: E402

from rj import accounts, create_app, db, demo  # noqa: E402
from rj.models import AuditRecord, Entry, EntryRevision, User  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "load.json"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CLIENTS = 16
SECONDS = 30
KILL_EVERY = 5
CASES_EACH = 3
BACKGROUND_CASES = 200
PASSWORD = "load-test-password-1"
DEADLINE_SECONDS = 900
TIMEOUT = 30


# --- The instance under test -------------------------------------------------------------


class Instance:
    """A throwaway database and instance folder, seeded, and `make serve` over it."""

    def __init__(self, kind, workdir):
        self.kind, self.workdir = kind, workdir
        self.port = free_port()
        self.log_path = workdir / f"serve-{kind}.log"
        self.pg_name = None
        if kind == "postgresql":
            self.pg_name = f"mend_load_{secrets.token_hex(4)}"
            pg_admin(f'CREATE DATABASE "{self.pg_name}"')
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.pg_name}"
        else:
            self.url = str(workdir / "mend.sqlite3")
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "SECRET_KEY": secrets.token_hex(32),
            "MEND_AUDIT_KEY": secrets.token_hex(32),
            "MEND_UPLOAD_FOLDER": str(workdir / "files"),
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "MEND_BIND": f"127.0.0.1:{self.port}",
            "MEND_WORKERS": "2",
        }
        self.process = None

    def app(self):
        settings = {
            "DATABASE_URL": self.url,
            "SECRET_KEY": self.env["SECRET_KEY"],
            "AUDIT_KEY": self.env["MEND_AUDIT_KEY"],
            "UPLOAD_FOLDER": self.env["MEND_UPLOAD_FOLDER"],
        }
        return create_app(settings, instance_path=str(self.workdir / "instance"))

    def seed(self, clients):
        """Facilitators, their own cases in Investigating and a board of other cases."""
        app = self.app()
        with app.app_context():
            db.migrate()
            with db.connected():
                lead = accounts.create("lead", "facilitator", PASSWORD, "Lee Lead")
                owned = {}
                for n in range(clients):
                    user = accounts.create(f"fac{n:02d}", "facilitator", PASSWORD, f"Fac {n}")
                    made = demo.add_cases(CASES_EACH, user, lead, stages=["investigating"])
                    owned[user.username] = [(c.reference, c.id) for c in made]
                demo.add_cases(BACKGROUND_CASES, lead, lead)
                self.moves_before = moves_by_case()
            db.database.close_all()
        return owned

    def start(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", "serve"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make serve exited:\n{self.log_tail()}")
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"make serve did not answer in 60 s:\n{self.log_tail()}")

    def workers(self):
        """The pids of gunicorn's workers: the children of its master, below make."""
        todo, master = [self.process.pid], None
        while todo and master is None:
            pid = todo.pop()
            if b"gunicorn" in cmdline(pid):
                master = pid
            todo.extend(children(pid))
        return children(master) if master else []

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_tail(self):
        return self.log_path.read_text(errors="replace")[-3000:]

    def drop(self):
        if self.pg_name:
            pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def moves_by_case():
    rows = (
        AuditRecord.select(AuditRecord.case, fn.COUNT(AuditRecord.id))
        .where(AuditRecord.action == "case.moved")
        .group_by(AuditRecord.case)
        .tuples()
    )
    return dict(rows)


def pg_admin(sql):
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, headers=None, body=None, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        if own:
            connection.close()


# --- One facilitator -----------------------------------------------------------------------


def csrf_of(page):
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


class CutOff(Exception):
    """The connection ended without an answer (a worker was killed mid-request)."""


class Facilitator(threading.Thread):
    """Signs in, then works on its own cases until told to stop, noting every answer."""

    def __init__(self, port, username, cases, stop):
        super().__init__(daemon=True)
        self.port, self.username, self.stop_event = port, username, stop
        self.cases = {ref: {"id": case_id, "version": None} for ref, case_id in cases}
        self.cookies, self.csrf, self.etag = {}, "", None
        self.connection = None
        self.sent = []  # (kind, token, outcome): outcome "saved", "refused" or "unknown"
        self.latencies, self.statuses, self.cut_off = [], Counter(), 0
        self.error = None

    # HTTP, with the session cookie and the CSRF token of a browser
    def call(self, method, path, fields=None, htmx=False, extra=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode({**fields, "csrf_token": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf})
        headers.update(extra or {})
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        start = time.perf_counter()
        try:
            status, msg, data = request(self.port, method, path, headers, body, self.connection)
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = None
            self.cut_off += 1
            raise CutOff(str(exc)) from None
        self.latencies.append(time.perf_counter() - start)
        self.statuses[status] += 1
        for cookie in msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return status, msg, data.decode("utf-8", "replace")

    def sign_in(self):
        _, _, page = self.call("GET", "/signin")
        self.csrf = csrf_of(page)
        fields = {"username": self.username, "password": PASSWORD}
        status, _, _ = self.call("POST", "/signin", fields)
        if status != 302:
            raise RuntimeError(f"{self.username} could not sign in ({status})")
        _, _, board = self.call("GET", "/board/")
        self.csrf = csrf_of(board)

    def sync(self, reference):
        """The card's version and stage as the move dialog shows them."""
        status, _, form = self.call("GET", f"/board/cases/{reference}/move", htmx=True)
        if status != 200:
            raise RuntimeError(f"move form of {reference}: {status}")
        case = self.cases[reference]
        case["version"] = int(re.search(r'name="version"[^>]*value="(\d+)"', form).group(1))
        case["stage"] = re.search(r'data-current="(\w+)"', form).group(1)

    def move(self, reference, to, token=None):
        case = self.cases[reference]
        fields = {"to": to, "version": case["version"], "before": "", "after": ""}
        if token:
            fields["reason"] = f"Back for another look {token}"
        try:
            status, _, html = self.call("POST", f"/board/cases/{reference}/move", fields, htmx=True)
        except CutOff:
            self.sent.append(("move", token, "unknown", reference))
            self.sync(reference)
            return
        if status == 200:
            case["version"] += 1
            case["stage"] = to
            self.sent.append(("move", token, "saved", reference))
        else:
            self.sent.append(("move", token, "refused", reference))
            self.sync(reference)

    def add_and_correct(self, reference):
        token = f"n-{self.username}-{len(self.sent)}-{secrets.token_hex(3)}"
        fields = {"kind": "note", "body": f"Called back {token}", "audience": "", "party": ""}
        try:
            status, msg, _ = self.call("POST", f"/cases/{reference}/entries/new", fields)
        except CutOff:
            self.sent.append(("entry", token, "unknown", reference))
            return
        if status != 302:
            self.sent.append(("entry", token, "refused", reference))
            return
        self.sent.append(("entry", token, "saved", reference))
        entry_id = int(msg["Location"].rsplit("#entry-", 1)[1])
        fix = f"c-{token}"
        fields = {"body": f"Called back twice {fix}", "reason": "Typo", "revision": 1}
        try:
            status, _, _ = self.call(
                "POST", f"/cases/{reference}/entries/{entry_id}/correct", fields
            )
        except CutOff:
            self.sent.append(("correction", fix, "unknown", reference))
            return
        self.sent.append(("correction", fix, "saved" if status == 302 else "refused", reference))

    def look(self, reference):
        headers = {"X-Mend-Background": "1"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        status, msg, _ = self.call("GET", "/board/", htmx=self.etag is not None, extra=headers)
        if status == 200:
            self.etag = msg.get("ETag")
        self.call("GET", f"/cases/{reference}")

    def run(self):
        try:
            while True:  # signing in may be cut off by a kill too
                try:
                    self.sign_in()
                    for reference in self.cases:
                        self.sync(reference)
                    break
                except CutOff:
                    continue
            turn = 0
            while not self.stop_event.is_set():
                reference = list(self.cases)[turn % len(self.cases)]
                turn += 1
                try:
                    self.look(reference)
                    token = f"m-{self.username}-{turn}-{secrets.token_hex(3)}"
                    if self.cases[reference]["stage"] == "investigating":
                        self.move(reference, "acknowledged", token)
                    if self.cases[reference]["stage"] == "acknowledged":
                        self.move(reference, "investigating")
                    self.add_and_correct(reference)
                except CutOff:
                    continue
        except Exception as exc:  # reported, never hidden
            self.error = f"{type(exc).__name__}: {exc}"


# --- Reading the database afterwards ---------------------------------------------------------


def audit_writes(instance, clients):
    """Lost and doubled writes, by reading the database once the server has stopped."""
    app = instance.app()
    lost, doubled, unknown_saved, answered = [], [], 0, 0
    with app.app_context(), db.connected():
        bodies = Counter()
        for (body,) in Entry.select(Entry.body).tuples():
            for token in re.findall(r"\b[nm]-fac\d+-\S+", body):
                bodies[token] += 1
        revisions = Counter()
        for (body,) in EntryRevision.select(EntryRevision.body).tuples():
            for token in re.findall(r"\bc-n-fac\d+-\S+", body):
                revisions[token] += 1
        moves = moves_by_case()
        for client in clients:
            for kind, token, outcome, _ in client.sent:
                if token is None:
                    continue
                found = revisions[token] if kind == "correction" else bodies[token]
                if outcome == "saved":
                    answered += kind != "move"  # moves are counted below, by case
                    if found == 0:
                        lost.append(token)
                if outcome == "unknown" and found:
                    unknown_saved += 1
                if found > 1:
                    doubled.append(token)
            # Every move, with a reason or without, is one audit record of its case.
            for reference, case in client.cases.items():
                outcomes = Counter(
                    o for k, _, o, ref in client.sent if k == "move" and ref == reference
                )
                made = moves.get(case["id"], 0) - instance.moves_before.get(case["id"], 0)
                answered += outcomes["saved"]
                if made < outcomes["saved"]:
                    lost.append(f"{reference}: {made} moves stored, {outcomes['saved']} answered")
                if made > outcomes["saved"] + outcomes["unknown"]:
                    doubled.append(f"{reference}: {made} moves stored, {outcomes['saved']} sent")
        users = User.select().count()
    db.database.close_all()
    return {
        "writes_answered_saved": answered,
        "lost": len(lost),
        "doubled": len(doubled),
        "cut_off_but_saved": unknown_saved,
        "examples": (lost + doubled)[:5],
        "accounts": users,
    }


# --- A run ---------------------------------------------------------------------------------


def run(kind, kills, seconds, clients_count, workdir):
    instance = Instance(kind, workdir)
    try:
        owned = instance.seed(clients_count)
        instance.start()
        stop = threading.Event()
        clients = [Facilitator(instance.port, name, cases, stop) for name, cases in owned.items()]
        for client in clients:
            client.start()
        started, killed = time.monotonic(), 0
        while time.monotonic() - started < seconds:
            time.sleep(min(KILL_EVERY, seconds - (time.monotonic() - started)) if kills else 0.5)
            if kills and time.monotonic() - started < seconds:
                workers = instance.workers()
                if workers:
                    os.kill(workers[killed % len(workers)], signal.SIGKILL)
                    killed += 1
        stop.set()
        for client in clients:
            client.join(timeout=TIMEOUT + 5)
        elapsed = time.monotonic() - started
        instance.stop()
        log = instance.log_path.read_text(errors="replace")
        latencies = sorted(ms for c in clients for ms in c.latencies)
        statuses = sum((c.statuses for c in clients), Counter())
        result = {
            "database": kind,
            "worker_kills": killed,
            "seconds": round(elapsed, 1),
            "clients": clients_count,
            "requests": len(latencies),
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(statistics.quantiles(latencies, n=100)[-1] * 1000, 1),
            "statuses": dict(sorted(statuses.items())),
            "server_errors": sum(n for s, n in statuses.items() if s >= 500),
            "cut_off_by_a_kill": sum(c.cut_off for c in clients),
            "database_is_locked": log.count("database is locked"),
            "deadlocks": log.lower().count("deadlock detected"),
            "tracebacks": log.count("Traceback"),
            "first_traceback": log[log.find("Traceback") :][:3000] if "Traceback" in log else "",
            "client_errors": [c.error for c in clients if c.error],
            **audit_writes(instance, clients),
        }
        return result
    finally:
        instance.stop()
        instance.drop()


def report(results):
    print()
    head = (
        f"{'database':<11} {'kills':>5} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'5xx':>4} {'cut off':>7} {'locked':>6} {'saved':>6} {'lost':>4} {'doubled':>7}  statuses"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['database']:<11} {r['worker_kills']:>5} {r['requests_per_second']:>6} "
            f"{r['p50_ms']:>7} {r['p99_ms']:>7} {r['server_errors']:>4} "
            f"{r['cut_off_by_a_kill']:>7} {r['database_is_locked'] + r['deadlocks']:>6} "
            f"{r['writes_answered_saved']:>6} {r['lost']:>4} {r['doubled']:>7}  "
            + ", ".join(f"{s}: {n}" for s, n in r["statuses"].items())
        )
    bad = [
        r
        for r in results
        if r["server_errors"] or r["lost"] or r["doubled"] or r["database_is_locked"]
        or r["deadlocks"] or r["client_errors"]
    ]  # fmt: skip
    print()
    print(
        "Targets: 0 server errors, 0 'database is locked' or deadlocks, 0 lost, 0 doubled:",
        "met" if not bad else "NOT met",
    )
    for r in bad:
        print(
            f"  {r['database']} (kills {r['worker_kills']}): {r['examples']} {r['client_errors']}"
        )
    return not bad


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    signal.alarm(DEADLINE_SECONDS)  # the whole run stops by itself
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    results = []
    with tempfile.TemporaryDirectory(prefix="mend-load-") as tmp:
        for kind in kinds:
            for kills in (False, True):
                workdir = Path(tmp) / f"{kind}-{'kills' if kills else 'plain'}"
                workdir.mkdir()
                print(f"{kind}, {'a worker killed every 5 s' if kills else 'no kills'}: "
                      f"{args.clients} clients for {args.seconds} s ...", flush=True)  # fmt: skip
                results.append(run(kind, kills, args.seconds, args.clients, workdir))
    ok = report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"at": datetime.now(UTC).isoformat(timespec="seconds"), "runs": results}, indent=2
        )
    )
    print(f"\nEvery figure: {RESULTS.relative_to(ROOT)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
