"""Benchmark of the reports: a year's report at 1,000 and 20,000 cases.

Run it with ``make bench`` (after the board) or ``make bench-reports``. It builds a
throwaway SQLite database, loads the demo, and adds a year of fictional cases in bulk
(``demo.add_year``: the case rows, their facts and stage history, acknowledgements,
parties, actions, check-ins and community assessments the domain would have written),
first 1,000 then up to 20,000. At each size it measures, in-process through Flask's
test client and the board benchmark's timing middleware, a coordinator's:

* reports page for the year (GET /reports/?start=...&end=..., every table and chart link);
* CSV download of the same year;
* printable page;
* one chart (time in each stage, SVG);
* the reference route (a signed-in GET of a one-line template), measured the same way.

Medians of RENDERS requests after WARMUPS untimed ones; figures to bench/results/reports.json.
"""

import json
import os
import platform
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_app import PING_PATH, build_app
from board import GZIP, SETTINGS, WARMUPS, Timed, expect, repeat, table

from rj import db, demo
from rj.clock import today
from rj.models import Case, StageHistory, User

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "reports.json"
SIZES = (1_000, 20_000)
RENDERS = 10
ACCOUNTS = 300  # participant accounts, some linked to parties
DEADLINE_SECONDS = 600
USERNAME, PASSWORD = "coordinator", "demo-coordinator"
REPORT_TIME_TARGET_MS = 1000  # a year's report page at 20,000 cases


class Bench:
    def __init__(self, workdir):
        self.app = build_app(
            {**SETTINGS, "DATABASE_URL": str(workdir / "bench.sqlite3")},
            instance_path=str(workdir / "instance"),
        )
        self.timer = Timed(self.app.wsgi_app, db.database.obj)
        self.app.wsgi_app = self.timer
        with self.app.app_context():
            db.migrate()
            with db.connected():
                demo.load()
                self.accounts = [
                    User.create(
                        username=f"bench-{i}",
                        display_name=f"Bench Person {i}",
                        role="participant",
                        password_hash="!",  # never signs in
                    ).id
                    for i in range(ACCOUNTS)
                ]
        self.client = self.app.test_client()
        signin = self.client.post("/signin", data={"username": USERNAME, "password": PASSWORD})
        expect(signin, 302, "sign-in")

    def query(self, fn):
        with self.app.app_context(), db.connected():
            return fn()

    def seed_to(self, size):
        def add():
            user = User.get(User.username == "facilitator")
            missing = size - Case.select().count()
            if missing > 0:
                demo.add_year(missing, user, user, accounts=self.accounts)
            return Case.select().count(), StageHistory.select().count()

        start = time.perf_counter()
        cases, stays = self.query(add)
        return cases, stays, time.perf_counter() - start

    def year(self):
        last = self.query(today)
        return f"start={(last - timedelta(days=364)).isoformat()}&end={last.isoformat()}"


def measure(bench, path, what):
    series = repeat(bench, lambda: bench.client.get(path, headers=GZIP), RENDERS, what)
    response = expect(bench.client.get(path, headers=GZIP), 200, what)
    return {**series.as_json(), "bytes": len(response.data)}


def measure_size(bench, size):
    cases, stays, seconds = bench.seed_to(size)
    year = bench.year()
    result = {
        "cases": cases,
        "stays": stays,
        "seed_seconds": round(seconds, 1),
        "page": measure(bench, f"/reports/?{year}", "reports page"),
        "csv": measure(bench, f"/reports/report.csv?{year}", "CSV"),
        "print": measure(bench, f"/reports/print?{year}", "printable page"),
        "chart": measure(bench, f"/reports/charts/time.svg?{year}", "chart"),
        "ping": measure(bench, PING_PATH, "reference route"),
    }
    print(
        f"  {cases:>6,} cases: reports page {result['page']['median_ms']:.1f} ms, "
        f"{result['page']['queries']} queries (seeded in {seconds:.0f} s)",
        flush=True,
    )
    return result


def row(size):
    cells = [f"{size['cases']:,}", f"{size['stays']:,}"]
    for key in ("page", "csv", "print", "chart", "ping"):
        cells += [f"{size[key]['median_ms']:.1f}", size[key]["queries"]]
    return cells


def report(results):
    sizes = results["sizes"]
    largest = sizes[-1]
    page_ms = largest["page"]["median_ms"]
    met = "yes" if page_ms <= REPORT_TIME_TARGET_MS else "NO"
    headers = ["cases", "stays"]
    for name in ("page ms", "CSV ms", "print ms", "chart ms", "reference ms"):
        headers += [name, "SQL"]
    meta = results["meta"]
    return "\n".join(
        [
            "",
            f"Mend reports benchmark, {meta['when']}, Python {meta['python']}, SQLite, "
            f"{meta['cpus']} CPUs",
            f"A year's report (the 365 days to today), medians of {RENDERS} requests after "
            f"{WARMUPS} warm-ups; SQL = queries per request.",
            "",
            table(headers, [row(s) for s in sizes]),
            "",
            "page bytes (gzipped): "
            + ", ".join(f"{s['cases']:,} cases {s['page']['bytes']:,} B" for s in sizes),
            f"p90 of the page at {largest['cases']:,} cases: {largest['page']['p90_ms']:.1f} ms",
            "",
            f"Target: a year's reports page at {largest['cases']:,} cases in <= "
            f"{REPORT_TIME_TARGET_MS} ms: {page_ms:.0f} ms, met: {met}",
            f"Figures written to {RESULTS.relative_to(HERE.parent)}; the run took "
            f"{meta['seconds']:.0f} s.",
        ]
    )


def on_deadline(signum, frame):
    raise TimeoutError(f"The benchmark ran past {DEADLINE_SECONDS} s and was stopped.")


def main():
    signal.signal(signal.SIGALRM, on_deadline)
    signal.alarm(DEADLINE_SECONDS)
    started = time.perf_counter()
    print("Measuring the reports (takes about a minute) ...", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="mend-bench-") as workdir:
            bench = Bench(Path(workdir))
            sizes = [measure_size(bench, size) for size in SIZES]
    finally:
        signal.alarm(0)
    results = {
        "meta": {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "seconds": round(time.perf_counter() - started, 1),
        },
        "sizes": sizes,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


if __name__ == "__main__":
    sys.exit(main())
