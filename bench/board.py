"""Benchmark of the case board: render time, page size, SQL queries, moves and throughput.

Run it with ``make bench`` (or ``.venv/bin/python bench/board.py``). It builds a throwaway
SQLite database in a temporary folder, fills it with demo cases (100, then 1,000, then
5,000 open ones, filed through the domain functions; then copies of them by SQL up to
100,000, see bench/bulk.py) and at each size measures, in-process through Flask's test client:

* a full board render (GET /board/): median server time, SQL queries, HTML size raw and gzipped;
* a move (POST /board/cases/<ref>/move, reordering a card within its column, as htmx sends it);
* for information, a move that changes stage (back with a reason, then forward again);
* the reference: a signed-in GET of a one-line template (/bench/ping, see bench/bench_app.py).

Server time is taken by a WSGI middleware around ``app.wsgi_app``: ``time.perf_counter()``
around the call and the consumption of the response body. Every request sends
``Accept-Encoding: gzip``, so compression is part of the time.

At 1,000 open cases it also serves the app with gunicorn (2 workers, 127.0.0.1 only) and
drives the board and the reference route with wrk for 10 s each. Then it prints the targets
and whether they are met, and writes every figure to bench/results/board.json.
It stops by itself: the whole run is bounded by DEADLINE_SECONDS.
"""

import gzip
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import bulk
from bench_app import PING_PATH, build_app

from rj import db, demo, entries, policy, tally
from rj.models import Case, User

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "board.json"
GUNICORN = Path(sys.executable).with_name("gunicorn")
WRK = Path("/usr/bin/wrk")

SIZES = (100, 1_000, 5_000, 100_000)
# Beyond this many cases to add, cases are copied by SQL (bench/bulk.py), not filed one by one.
BULK_ABOVE = 10_000
WRK_SIZE = 1_000
WARMUPS = 2
RENDERS = 15
REQUESTS = 30  # moves, and reference requests
WRK_SECONDS = 10
WRK_ARGS = ("-t2", "-c8", "--timeout", "5s", "--latency")
DEADLINE_SECONDS = 900

USERNAME, PASSWORD = "facilitator", "demo-facilitator"
SECRET_KEY = "bench-not-secret"
SETTINGS = {
    "SECRET_KEY": SECRET_KEY,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8,
    "ARGON2_PARALLELISM": 1,
    "WTF_CSRF_ENABLED": False,
    "THROTTLE_ENABLED": False,
}
GZIP = {"Accept-Encoding": "gzip"}
HTMX = {**GZIP, "HX-Request": "true"}
REORDER_STAGE = "investigating"
# A stage move goes back (with a reason) and forward again; the forward rules are met.
STAGE_MOVE = ("acknowledged", "investigating")
KB = 1000  # bytes; the report gives bytes too

# The targets (see targets()): ratios to the reference route, growth, and a size limit.
BOARD_VS_PING_THROUGHPUT = 0.2
MOVE_VS_PING_TIME = 3.0
BOARD_GROWTH_5000_VS_100 = 1.5
BOARD_GROWTH_100000_VS_1000 = 1.5
BOARD_GZIP_LIMIT = 25 * KB


# --- Measuring requests ---------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    queries: int
    statements: list = field(default_factory=list, repr=False)


class Timed:
    """WSGI middleware: the server time and SQL statements of each request, body consumed."""

    def __init__(self, wsgi_app, database):
        self.wsgi_app = wsgi_app
        self.statements = None  # a list only while a request runs
        self.last = None
        execute_sql = database.execute_sql

        def counting(sql, *args, **kwargs):
            if self.statements is not None:
                self.statements.append(sql)
            return execute_sql(sql, *args, **kwargs)

        database.execute_sql = counting  # peewee sends every query through this method

    def __call__(self, environ, start_response):
        self.statements = []
        start = time.perf_counter()
        iterable = self.wsgi_app(environ, start_response)
        try:
            body = list(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        self.last = Sample(time.perf_counter() - start, len(self.statements), self.statements)
        self.statements = None
        return body


@dataclass
class Series:
    """The samples of one kind of request."""

    samples: list

    @property
    def ms(self):
        return [s.seconds * 1000 for s in self.samples]

    @property
    def median_ms(self):
        return statistics.median(self.ms)

    @property
    def p90_ms(self):
        return statistics.quantiles(self.ms, n=10, method="inclusive")[-1]

    @property
    def queries(self):
        counts = sorted({s.queries for s in self.samples})
        return counts[0] if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"

    def as_json(self):
        return {
            "median_ms": round(self.median_ms, 3),
            "p90_ms": round(self.p90_ms, 3),
            "min_ms": round(min(self.ms), 3),
            "max_ms": round(max(self.ms), 3),
            "queries": self.queries,
            "samples_ms": [round(v, 3) for v in self.ms],
        }


def expect(response, status, what):
    if response.status_code != status:
        body = response.get_data(as_text=True)[:300]
        raise RuntimeError(f"{what}: expected {status}, got {response.status_code}: {body}")
    return response


def repeat(bench, request, count, what, status=200):
    """``count`` timed requests after WARMUPS untimed ones; ``request`` makes one."""
    samples = []
    for i in range(WARMUPS + count):
        expect(request(), status, what)
        if i >= WARMUPS:
            samples.append(bench.timer.last)
    return Series(samples)


# --- The app under test ---------------------------------------------------------------------


class Bench:
    """The app on a temporary database, a signed-in test client and the timing middleware."""

    def __init__(self, workdir):
        self.db_path = workdir / "bench.sqlite3"
        self.instance = workdir / "instance"
        self.app = build_app(
            {**SETTINGS, "DATABASE_URL": str(self.db_path)}, instance_path=str(self.instance)
        )
        self.timer = Timed(self.app.wsgi_app, db.database.obj)
        self.app.wsgi_app = self.timer
        with self.app.app_context():
            db.migrate()
            with db.connected():
                demo.load()
        self.client = self.app.test_client()
        signin = self.client.post("/signin", data={"username": USERNAME, "password": PASSWORD})
        expect(signin, 302, "sign-in")

    def query(self, fn):
        """Run ``fn`` on its own connection, outside any request (not timed)."""
        with self.app.app_context(), db.connected():
            return fn()

    def open_cases(self):
        return self.query(lambda: Case.select().where(Case.stage != "closed").count())

    def seed_to(self, target):
        """Add demo cases until ``target`` are open; returns the seconds it took."""

        def add():
            user = User.get(User.username == USERNAME)
            missing = target - Case.select().where(Case.stage != "closed").count()
            if missing > BULK_ABOVE:
                bulk.clone_open_cases(missing)
                if tally.read()[0] != tally.recount():
                    raise RuntimeError("The tally does not agree with the copied cases.")
            elif missing > 0:
                demo.add_cases(missing, user, user)

        start = time.perf_counter()
        self.query(add)
        return time.perf_counter() - start

    def cards_in(self, stage, count):
        """The first ``count`` cards of a column as the benchmark user sees it."""

        def first():
            user = User.get(User.username == USERNAME)
            rows = policy.board_cases(user).where(Case.stage == stage)
            return list(rows.order_by(Case.rank, Case.id).limit(count))

        cards = self.query(first)
        if len(cards) < count:
            raise RuntimeError(f"Need {count} cards in {stage}, found {len(cards)}.")
        return cards

    def version(self, case_id):
        return self.query(lambda: Case.get_by_id(case_id).version)

    def post_move(self, case, to, **fields):
        form = {"to": to, "version": self.version(case.id), **fields}
        return self.client.post(f"/board/cases/{case.reference}/move", data=form, headers=HTMX)


def measure_board(bench):
    renders = repeat(bench, lambda: bench.client.get("/board/", headers=GZIP), RENDERS, "board")
    statements = renders.samples[-1].statements
    compressed = expect(bench.client.get("/board/", headers=GZIP), 200, "board")
    if compressed.headers.get("Content-Encoding") != "gzip":
        raise RuntimeError("The board was not gzip-compressed.")
    html = gzip.decompress(compressed.data)
    return {
        **renders.as_json(),
        "raw_bytes": len(html),
        "gzip_bytes": len(compressed.data),
        "cards_in_html": html.count(b"data-version="),
        "sql": [" ".join(s.split())[:240] for s in statements],
    }, renders


def measure_poll(bench):
    """The board's background poll when nothing changed: a conditional GET answered 304."""
    etag = expect(bench.client.get("/board/", headers=GZIP), 200, "board").headers["ETag"]
    headers = {**HTMX, "X-Mend-Background": "1", "If-None-Match": etag, "HX-Target": "board"}
    return repeat(
        bench, lambda: bench.client.get("/board/", headers=headers), REQUESTS, "poll", 304
    )


def measure_reorder(bench):
    mover, above, below = bench.cards_in(REORDER_STAGE, 3)
    return repeat(
        bench,
        lambda: bench.post_move(mover, REORDER_STAGE, before=above.id, after=below.id),
        REQUESTS,
        "reorder move",
    )


def measure_stage_move(bench):
    case = bench.cards_in(STAGE_MOVE[1], 4)[-1]  # not one of the reordered cards
    moves = iter(range(WARMUPS + REQUESTS))

    def move():
        if next(moves) % 2 == 0:
            return bench.post_move(case, STAGE_MOVE[0], reason="Benchmark: back for a moment.")
        return bench.post_move(case, STAGE_MOVE[1])

    return repeat(bench, move, REQUESTS, "stage move")


def measure_ping(bench):
    def ping():
        response = bench.client.get(PING_PATH, headers=GZIP)
        if USERNAME not in response.get_data(as_text=True):
            raise RuntimeError("The reference route did not see the signed-in user.")
        return response

    return repeat(bench, ping, REQUESTS, "reference route")


def measure_size(bench, size):
    seed_seconds = bench.seed_to(size)
    board, board_series = measure_board(bench)
    result = {
        "open_cases": bench.open_cases(),
        "seed_seconds": round(seed_seconds, 1),
        "board": board,
        "poll": measure_poll(bench).as_json(),
        "reorder_move": measure_reorder(bench).as_json(),
        "stage_move": measure_stage_move(bench).as_json(),
        "ping": measure_ping(bench).as_json(),
    }
    print(
        f"  {size:>5,} open cases: board {board_series.median_ms:.1f} ms, "
        f"{board['queries']} queries (seeded in {seed_seconds:.0f} s)",
        flush=True,
    )
    return result


CASE_PAGE_ITEMS = 300


def seed_case_page(bench):
    """A case whose timeline holds CASE_PAGE_ITEMS items of the usual kinds; its reference."""

    def build():
        user = User.get(User.username == USERNAME)
        case = demo.add_cases(1, user, user, stages=["investigating"])[0]
        party = case.parties.first()
        kinds = ("note", "statement", "witness", "finding")
        for i in range(CASE_PAGE_ITEMS):
            kind = kinds[i % len(kinds)]
            witness = entries.Witness(f"Witness {i}", "was there") if kind == "witness" else None
            body = f"Item {i}: " + "what was said, in a few sentences. " * 6
            entries.add_entry(case, user, kind, body, party=party, witness=witness)
        return case.reference

    return bench.query(build)


def measure_case_page(bench):
    reference = seed_case_page(bench)
    path = f"/cases/{reference}"
    pages = repeat(bench, lambda: bench.client.get(path, headers=GZIP), RENDERS, "case page")
    compressed = expect(bench.client.get(path, headers=GZIP), 200, "case page")
    html = gzip.decompress(compressed.data)
    page = {
        **pages.as_json(),
        "items": CASE_PAGE_ITEMS,
        "raw_bytes": len(html),
        "gzip_bytes": len(compressed.data),
    }
    print(f"  case page with {CASE_PAGE_ITEMS} items: {pages.median_ms:.1f} ms", flush=True)
    return {"case_page": page, "ping": measure_ping(bench).as_json()}


# --- gunicorn and wrk -----------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


class Gunicorn:
    """gunicorn serving bench_app on 127.0.0.1, stopped on exit from the ``with`` block."""

    def __init__(self, bench, log_path):
        self.bench = bench
        self.port = free_port()
        self.log_path = log_path
        self.process = None

    def environment(self):
        env = {
            **os.environ,
            "DATABASE_URL": str(self.bench.db_path),
            "BENCH_INSTANCE_PATH": str(self.bench.instance),
        }
        for name, value in SETTINGS.items():
            env[name if name == "SECRET_KEY" else f"MEND_{name}"] = (
                value if isinstance(value, str) else json.dumps(value)
            )
        return env

    def __enter__(self):
        command = [
            str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{self.port}",
            "--chdir", str(HERE), "--log-level", "warning", "bench_app:app",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env=self.environment(), stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self.wait_until_healthy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wait_until_healthy(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                if fetch(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{self.log_tail()}")

    def log_tail(self):
        return self.log_path.read_text(errors="replace")[-2000:]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def session_cookie(self):
        """Sign in over HTTP (CSRF is off for the benchmark) and return the Cookie header."""
        body = urlencode({"username": USERNAME, "password": PASSWORD})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, msg, _ = fetch(self.port, "POST", "/signin", headers, body)
        name = self.bench.app.config["SESSION_COOKIE_NAME"]
        for cookie in msg.get_all("Set-Cookie") or []:
            pair = cookie.split(";", 1)[0]
            if status == 302 and pair.startswith(f"{name}="):
                return pair
        raise RuntimeError(f"Sign-in over HTTP failed (status {status}).")

    def check(self, path, cookie):
        """One request as wrk will send it; returns the response size in bytes."""
        status, _, body = fetch(self.port, "GET", path, {"Cookie": cookie, **GZIP})
        if status != 200:
            raise RuntimeError(f"GET {path} with the session cookie answered {status}.")
        return len(body)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def to_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def parse_wrk(output):
    """Requests/sec, latencies (ms), errors and bytes per response from wrk's report."""

    def find(pattern):
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"Unexpected wrk output:\n{output}")
        return match.groups()

    requests, total, unit = find(r"^\s*(\d+) requests in [\d.]+\w+, ([\d.]+)(\w+) read")
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": float(find(r"^Requests/sec:\s+([\d.]+)")[0]),
        "requests": int(requests),
        "latency_avg_ms": round(to_ms(find(r"^\s+Latency\s+(\S+)")[0]), 3),
        **{
            f"latency_p{p}_ms": round(to_ms(find(rf"^\s+{p}%\s+(\S+)")[0]), 3) for p in (50, 90, 99)
        },
        "bytes_per_response": round(float(total) * SIZE_UNITS[unit] / max(1, int(requests))),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else None,
    }


def run_wrk(url, cookie):
    command = [
        str(WRK), *WRK_ARGS, f"-d{WRK_SECONDS}s",
        "-H", f"Cookie: {cookie}", "-H", "Accept-Encoding: gzip", url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=WRK_SECONDS + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stderr}")
    return parse_wrk(done.stdout)


def measure_throughput(bench, workdir):
    if not WRK.exists():
        note = f"{WRK} is missing (apt-get install wrk); throughput was not measured."
        print(f"  NOTE: {note}")
        return {"skipped": note}
    with Gunicorn(bench, workdir / "gunicorn.log") as server:
        cookie = server.session_cookie()
        result = {"gunicorn_workers": 2, "wrk_args": [*WRK_ARGS, f"-d{WRK_SECONDS}s"]}
        for name, path in (("board", "/board/"), ("ping", PING_PATH)):
            checked_bytes = server.check(path, cookie)
            print(f"  wrk {WRK_SECONDS} s against {path} ...", flush=True)
            result[name] = {"path": path, "checked_bytes": checked_bytes}
            result[name].update(run_wrk(server.url(path), cookie))
            server.check(path, cookie)  # the session was valid to the end
    return result


# --- Targets and the report -----------------------------------------------------------------


def targets(sizes, throughput):
    by_size = {s["target"]: s for s in sizes}
    rows = []
    if "board" in throughput:
        board_rps = throughput["board"]["requests_per_second"]
        ping_rps = throughput["ping"]["requests_per_second"]
        rows.append(
            target(
                f"Board throughput >= {BOARD_VS_PING_THROUGHPUT} x reference (wrk, 1,000 cases)",
                f"{board_rps:.1f} req/s",
                f"{BOARD_VS_PING_THROUGHPUT * ping_rps:.1f} req/s",
                board_rps >= BOARD_VS_PING_THROUGHPUT * ping_rps,
            )
        )
    else:
        rows.append(target("Board throughput >= 0.2 x reference", "not measured", "", None))
    for size in SIZES:
        move, ping = by_size[size]["reorder_move"], by_size[size]["ping"]
        rows.append(
            target(
                f"Move median <= {MOVE_VS_PING_TIME:g} x reference median ({size:,} cases)",
                f"{move['median_ms']:.2f} ms",
                f"{MOVE_VS_PING_TIME * ping['median_ms']:.2f} ms",
                move["median_ms"] <= MOVE_VS_PING_TIME * ping["median_ms"],
            )
        )
    for small_size, large_size, growth in (
        (100, 5_000, BOARD_GROWTH_5000_VS_100),
        (1_000, 100_000, BOARD_GROWTH_100000_VS_1000),
    ):
        small, large = by_size[small_size]["board"], by_size[large_size]["board"]
        rows.append(
            target(
                f"Board time at {large_size:,} <= {growth} x at {small_size:,}",
                f"{large['median_ms']:.1f} ms",
                f"{growth * small['median_ms']:.1f} ms",
                large["median_ms"] <= growth * small["median_ms"],
            )
        )
    gzipped = by_size[WRK_SIZE]["board"]["gzip_bytes"]
    rows.append(
        target(
            f"Board HTML gzipped at {WRK_SIZE:,} cases <= {BOARD_GZIP_LIMIT / KB:g} KB",
            f"{gzipped:,} B",
            f"{BOARD_GZIP_LIMIT:,} B",
            gzipped <= BOARD_GZIP_LIMIT,
        )
    )
    return rows


def target(name, measured, limit, met):
    return {"target": name, "measured": measured, "limit": limit, "met": met}


def table(headers, rows):
    cells = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        first = row[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def size_text(n):
    return f"{n:,} B ({n / KB:.1f} KB)"


def board_row(size):
    b = size["board"]
    return [
        f"{size['open_cases']:,}",
        f"{b['median_ms']:.1f}",
        f"{b['p90_ms']:.1f}",
        b["queries"],
        size_text(b["raw_bytes"]),
        size_text(b["gzip_bytes"]),
        b["cards_in_html"],
    ]


def moves_row(size):
    reorder, stage_move, ping = size["reorder_move"], size["stage_move"], size["ping"]
    poll = size["poll"]
    return [
        f"{size['open_cases']:,}",
        f"{poll['median_ms']:.2f}",
        poll["queries"],
        f"{reorder['median_ms']:.2f}",
        reorder["queries"],
        f"{stage_move['median_ms']:.2f}",
        stage_move["queries"],
        f"{ping['median_ms']:.2f}",
        ping["queries"],
        f"{reorder['median_ms'] / ping['median_ms']:.1f} x",
    ]


def wrk_row(w):
    return [
        w["path"],
        f"{w['requests_per_second']:.1f}",
        *(f"{w[f'latency_{k}_ms']:.1f}" for k in ("avg", "p50", "p90", "p99")),
        f"{w['bytes_per_response']:,}",
        w["non_2xx_3xx"],
        w["socket_errors"] or "none",
    ]


def target_row(t):
    return [t["target"], t["measured"], t["limit"], {True: "yes", False: "NO"}.get(t["met"], "-")]


def throughput_lines(wrk):
    if "skipped" in wrk:
        return [f"  skipped: {wrk['skipped']}"]
    headers = ["route", "req/s", "avg ms", "p50 ms", "p90 ms", "p99 ms", "B/response"]
    rows = [wrk_row(wrk["board"]), wrk_row(wrk["ping"])]
    ratio = wrk["board"]["requests_per_second"] / wrk["ping"]["requests_per_second"]
    return [
        table([*headers, ">=400", "socket errors"], rows),
        f"board / reference throughput: {ratio:.2f}",
    ]


def case_page_lines(measured):
    page, ping = measured["case_page"], measured["ping"]
    rows = [
        [
            f"case page, {page['items']} items",
            f"{page['median_ms']:.1f}",
            f"{page['p90_ms']:.1f}",
            page["queries"],
            size_text(page["raw_bytes"]),
            size_text(page["gzip_bytes"]),
        ],
        [PING_PATH, f"{ping['median_ms']:.2f}", f"{ping['p90_ms']:.2f}", ping["queries"], "", ""],
    ]
    headers = ["route", "median ms", "p90 ms", "SQL", "HTML raw", "HTML gzipped"]
    return [
        table(headers, rows),
        f"case page / reference: {page['median_ms'] / ping['median_ms']:.1f} x",
    ]


def report(results):
    meta, sizes = results["meta"], results["sizes"]
    return "\n".join(
        [
            "",
            f"Mend board benchmark, {meta['when']}, Python {meta['python']}, SQLite, "
            f"{meta['cpus']} CPUs",
            "Server time: WSGI middleware around app.wsgi_app (perf_counter, response body "
            "consumed);",
            "requests in-process through the Flask test client with Accept-Encoding: gzip.",
            f"Medians of {RENDERS} renders or {REQUESTS} requests after {WARMUPS} warm-ups. "
            f"SQL = queries per request. 1 KB = {KB:,} B.",
            "",
            "Board render (GET /board/, full page)",
            table(
                ["open cases", "median ms", "p90 ms", "SQL", "HTML raw", "HTML gzipped", "cards"],
                [board_row(s) for s in sizes],
            ),
            "",
            f"The poll, moves (htmx POST) and the reference route (GET {PING_PATH}, "
            "one-line template)",
            table(
                [
                    "open cases",
                    "poll (304) ms",
                    "SQL",
                    "reorder ms",
                    "SQL",
                    "stage move ms",
                    "SQL",
                    "reference ms",
                    "SQL",
                    "reorder / ref",
                ],
                [moves_row(s) for s in sizes],
            ),  # fmt: skip
            "reorder = the spec's move, within its column; stage move = back with a reason, "
            "then forward again",
            "",
            f"Throughput at {WRK_SIZE:,} open cases: gunicorn -w 2, wrk {' '.join(WRK_ARGS)} "
            f"-d{WRK_SECONDS}s, session cookie, gzip",
            *throughput_lines(results["throughput"]),
            "",
            f"The case page (GET /cases/<ref>) at {CASE_PAGE_ITEMS} timeline items, "
            f"beside the reference route",
            *case_page_lines(results["case_page"]),
            "",
            "Targets",
            table(
                ["target", "measured", "limit", "met"],
                [target_row(t) for t in results["targets"]],
            ),
            "",
            f"Figures written to {RESULTS.relative_to(HERE.parent)}; "
            f"the run took {meta['seconds']:.0f} s.",
        ]
    )


# --- Main -----------------------------------------------------------------------------------


def on_deadline(signum, frame):
    raise TimeoutError(f"The benchmark ran past {DEADLINE_SECONDS} s and was stopped.")


def run(workdir):
    bench = Bench(workdir)
    sizes, throughput = [], {"skipped": "not reached"}
    for size in SIZES:
        sizes.append({"target": size, **measure_size(bench, size)})
        if size == WRK_SIZE:
            throughput = measure_throughput(bench, workdir)
    return sizes, throughput, measure_case_page(bench)


def main():
    signal.signal(signal.SIGALRM, on_deadline)
    signal.alarm(DEADLINE_SECONDS)
    started = time.perf_counter()
    print("Measuring the board (takes about 2 minutes) ...", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="mend-bench-") as workdir:
            sizes, throughput, case_page = run(Path(workdir))
    finally:
        signal.alarm(0)
    results = {
        "meta": {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "timing": "WSGI middleware around app.wsgi_app, response body consumed",
            "kb": KB,
            "seconds": round(time.perf_counter() - started, 1),
        },
        "sizes": sizes,
        "throughput": throughput,
        "case_page": case_page,
    }
    results["targets"] = targets(sizes, throughput)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


if __name__ == "__main__":
    main()
