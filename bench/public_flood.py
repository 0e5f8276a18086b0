"""Benchmark: the board while a script floods the public form, beside the board alone.

Run it with ``make bench`` (after the board) or ``.venv/bin/python bench/public_flood.py``.
It seeds 1,000 open demo cases in a throwaway SQLite database, turns public filing on,
serves Mend with gunicorn (2 workers, 127.0.0.1 only, the public limits counted in Redis
so both workers share them, as in production) and drives the board with wrk for 10 s in
four scenarios, taken in turn for ROUNDS rounds (a shared machine's speed drifts by more
than a flood costs; the medians of interleaved runs are compared, not single runs):

* the board alone;
* while a script posts public concerns as fast as it can (2 threads, a new browser
  session each time, one address) under the default limits, from its first post: the
  address files its 30 concerns and is refused 30 times with the form, then the flood
  gate (rj/public_limits.py) answers the rest;
* the same flood once it is at the limits: it ran for WARM_SECONDS before wrk starts,
  so every post of the run meets the gate (an hour-long flood is in this state for all
  but its first seconds);
* the same flood with the limits lifted: every post files a concern (a worst case no
  real setting allows).

It reports the board's throughput and latency in each run, what the flood sent, filed
and had refused, and the median of each scenario's throughput beside the board alone.
Then, since single ratios move by more than a flood costs, it measures what each kind
of request costs the workers in CPU, each alone for CPU_SECONDS (a board, a post of a
flood at the limits, a post that files), and the share of two workers the flood at
the limits took at the rate it got in beside wrk.
It stops by itself within DEADLINE_SECONDS.
"""

import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from board import (
    GZIP,
    WRK,
    WRK_SECONDS,
    Bench,
    Gunicorn,
    fetch,
    run_wrk,
    table,
)

from rj import concerns, settings

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "public_flood.json"
OPEN_CASES = 1_000
FLOOD_THREADS = 2
DEADLINE_SECONDS = 600
ROUNDS = 3
WARM_SECONDS = 3
CPU_SECONDS = 5
REDIS_URI = os.environ.get("BENCH_REDIS_URI", "redis://127.0.0.1:6379/14")
LIFTED = "1000000 per hour"


def redis_available():
    try:
        from limits import storage

        return storage.storage_from_string(REDIS_URI).check()
    except Exception:
        return False


class FloodedGunicorn(Gunicorn):
    """gunicorn with the public limits on, shared through Redis, at the given limits."""

    def __init__(self, bench, log_path, limits):
        super().__init__(bench, log_path)
        self.limits = limits

    def environment(self):
        env = super().environment()
        env["MEND_THROTTLE_ENABLED"] = "true"
        env["RATELIMIT_STORAGE_URI"] = REDIS_URI
        for name, value in self.limits.items():
            env[f"MEND_{name}"] = json.dumps(value)
        return env


def reset_limits():
    from limits import storage

    storage.storage_from_string(REDIS_URI).reset()


class Flood:
    """Threads posting public concerns until stopped; counts what came back."""

    def __init__(self, port):
        self.port = port
        self.stop = threading.Event()
        self.statuses = {}
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self.post, daemon=True) for _ in range(FLOOD_THREADS)
        ]

    def post(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            body = urlencode(
                {
                    "what_happened": f"Flood test concern {threading.get_ident()}-{n}.",
                    "submission": f"{threading.get_ident()}-{n}-{time.time_ns()}",
                }
            )
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            try:
                status = fetch(self.port, "POST", "/concerns/new", headers, body)[0]
            except OSError:
                status = "error"
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1

    def __enter__(self):
        self.started = time.perf_counter()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(10)
        self.seconds = time.perf_counter() - self.started

    def summary(self):
        sent = sum(self.statuses.values())
        return {
            "sent": sent,
            "per_second": round(sent / self.seconds, 1),
            "filed": self.statuses.get(200, 0),
            "refused_429": self.statuses.get(429, 0),
            "other": {str(k): v for k, v in self.statuses.items() if k not in (200, 429)},
        }


def measure(bench, workdir, name, limits, flood, warm=0):
    """The board under wrk, with or without a flood; ``warm`` seconds of flood before wrk
    starts (and not counted), so that the run sees a flood that has already used what its
    limits allow."""
    reset_limits()
    with FloodedGunicorn(bench, workdir / f"gunicorn-{name}.log", limits) as server:
        cookie = server.session_cookie()
        server.check("/board/", cookie)
        before = bench.open_cases()
        if warm:
            with Flood(server.port):
                time.sleep(warm)
        print(f"  {name}: wrk {WRK_SECONDS} s against /board/ ...", flush=True)
        if flood:
            with Flood(server.port) as running:
                board = run_wrk(server.url("/board/"), cookie)
            flooded = running.summary()
        else:
            board, flooded = run_wrk(server.url("/board/"), cookie), None
        server.check("/board/", cookie)  # the board still answers after the run
    return {
        "run": name,
        "limits": limits,
        "board": board,
        "flood": flooded,
        "concerns_filed": bench.open_cases() - before,
    }


def server_cpu_seconds(server):
    """CPU seconds (user and system) used so far by gunicorn's master and its workers."""
    pids = [server.process.pid]
    with open(f"/proc/{pids[0]}/task/{pids[0]}/children") as children:
        pids += [int(pid) for pid in children.read().split()]
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_per_request(server, send, seconds=CPU_SECONDS):
    """The workers' CPU milliseconds per request while ``send`` runs alone for
    ``seconds``; ``send(stop)`` sends requests until ``stop`` is set and returns how many."""
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    before = server_cpu_seconds(server)
    timer.start()
    sent = send(stop)
    used = server_cpu_seconds(server) - before
    return {"requests": sent, "cpu_ms_per_request": round(1000 * used / max(sent, 1), 2)}


def measure_cpu(bench, workdir, defaults, lifted):
    """What one request costs the workers, with nothing else running: a board, a post of
    a flood at the limits (answered by the gate), and a post that files a concern."""

    def boards(cookie, port):
        def send(stop):
            n = 0
            while not stop.is_set():
                fetch(port, "GET", "/board/", {"Cookie": cookie, **GZIP})
                n += 1
            return n

        return send

    def posts(port):
        def send(stop):
            with Flood(port) as running:
                stop.wait()
            return sum(running.statuses.values())

        return send

    costs = {}
    for limits, name in ((defaults, "cpu at the limits"), (lifted, "cpu lifted")):
        reset_limits()
        with FloodedGunicorn(bench, workdir / f"gunicorn-{name}.log", limits) as server:
            if limits is defaults:
                cookie = server.session_cookie()
                costs["board"] = cpu_per_request(server, boards(cookie, server.port))
                with Flood(server.port):
                    time.sleep(WARM_SECONDS)
                costs["post at the limits"] = cpu_per_request(server, posts(server.port))
            else:
                costs["post filed"] = cpu_per_request(server, posts(server.port))
    return costs


def run(workdir):
    bench = Bench(workdir)
    bench.seed_to(OPEN_CASES)
    bench.query(lambda: settings.put(concerns.PUBLIC_FILING, True))
    defaults = {
        "PUBLIC_CONCERNS_PER_ADDRESS": "30 per hour",
        "PUBLIC_CONCERNS_PER_SESSION": "5 per hour",
        "PUBLIC_CONCERNS_OVERALL": "200 per hour",
    }
    lifted = dict.fromkeys(defaults, LIFTED)
    scenarios = (
        ("board alone", defaults, False, 0),
        ("flood reaching the limits", defaults, True, 0),
        ("flood at the limits", defaults, True, WARM_SECONDS),
        ("flood, limits lifted", lifted, True, 0),
    )
    runs = [
        {**measure(bench, workdir, name, limits, flood, warm), "round": n}
        for n in range(1, ROUNDS + 1)
        for name, limits, flood, warm in scenarios
    ]
    print("  the workers' CPU per request, each alone ...", flush=True)
    return {"runs": runs, "cpu": measure_cpu(bench, workdir, defaults, lifted)}


def report(results):
    runs = results["runs"]
    rows = []
    for r in runs:
        b, f = r["board"], r["flood"]
        rows.append(
            [
                f"{r['round']}  {r['run']}",
                f"{b['requests_per_second']:.1f}",
                f"{b['latency_p50_ms']:.1f}",
                f"{b['latency_p90_ms']:.1f}",
                f"{b['latency_p99_ms']:.1f}",
                f"{b['non_2xx_3xx']}",
                f"{f['sent']} ({f['per_second']}/s)" if f else "-",
                f"{f['filed']}" if f else "-",
                f"{f['refused_429']}" if f else "-",
            ]
        )
    medians = {}
    for r in runs:
        medians.setdefault(r["run"], []).append(r["board"]["requests_per_second"])
    medians = {name: statistics.median(values) for name, values in medians.items()}
    alone = medians["board alone"]
    lines = [
        f"The board at {OPEN_CASES:,} open cases under gunicorn -w 2, wrk -t2 -c8 "
        f"-d{WRK_SECONDS}s, while {FLOOD_THREADS} threads post public concerns; {ROUNDS} rounds",
        "",
        table(
            [
                "round  run",
                "board req/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "board >=400",
                "posts sent",
                "filed",
                "refused 429",
            ],
            rows,
        ),
        "",
    ]
    for name, median in medians.items():
        lines.append(f"median board throughput, {name}: {median:.1f} req/s ({median / alone:.2f})")
    return "\n".join(lines + ["", *cpu_lines(results["cpu"], runs)])


def cpu_lines(cpu, runs):
    """The workers' CPU per request, and the share of two workers a flood at the limits
    takes at the rate it got in beside the board."""
    board = cpu["board"]["cpu_ms_per_request"]
    rows = [
        [
            name,
            f"{c['requests']:,}",
            f"{c['cpu_ms_per_request']:.2f}",
            f"{c['cpu_ms_per_request'] / board:.2f}",
        ]
        for name, c in cpu.items()
    ]
    rate = statistics.median(
        r["flood"]["per_second"] for r in runs if r["run"] == "flood at the limits"
    )
    share = rate * cpu["post at the limits"]["cpu_ms_per_request"] / (2 * 1000)
    return [
        f"The workers' CPU per request, each kind alone for {CPU_SECONDS} s (user + system)",
        "",
        table(["request", "requests", "CPU ms each", "x a board"], rows),
        "",
        f"a flood at the limits, at the {rate}/s it got in beside wrk: "
        f"{100 * share:.1f}% of two workers' CPU",
    ]


def on_deadline(signum, frame):
    raise TimeoutError(f"The benchmark ran past {DEADLINE_SECONDS} s and was stopped.")


def main():
    if not WRK.exists():
        print(f"{WRK} is missing (apt-get install wrk); nothing was measured.")
        return
    if not redis_available():
        print(f"Redis does not answer at {REDIS_URI}; nothing was measured.")
        return
    signal.signal(signal.SIGALRM, on_deadline)
    signal.alarm(DEADLINE_SECONDS)
    print("Measuring the board under a flood of public concerns (about four minutes) ...")
    try:
        with tempfile.TemporaryDirectory(prefix="mend-flood-") as workdir:
            runs = run(Path(workdir))
    finally:
        signal.alarm(0)
        reset_limits()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(runs, indent=2) + "\n")
    print(report(runs))


if __name__ == "__main__":
    sys.exit(main())
