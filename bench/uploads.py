"""Benchmark of uploads: the peak memory and time of one entry carrying the largest images.

Run it with ``make bench-uploads`` (or ``.venv/bin/python bench/uploads.py``). It writes the
images into a temporary folder, then runs each scenario in a fresh Python process, so one
scenario's peak cannot hide the next one's:

* ``png``: one evidence entry with ten 6000 x 4000 PNGs (24 megapixels each, the most Mend
  takes by default), each a few stripes of colour so that ten fit in one request;
* ``jpeg``: the same with ten 6000 x 4000 JPEGs carrying an EXIF orientation (turned upright
  on the way in, as phone photos are) and a GPS position;
* ``bomb``: one 7745 x 7745 PNG of a couple of hundred kilobytes (60 megapixels), which
  must be refused before it is decoded.

Each process builds Mend on a throwaway SQLite database with the demo data, signs in as the
demo facilitator and sends one small warm-up entry (imports, templates). Then, three times:
it reads its resident memory (VmRSS in /proc/self/status: the baseline), resets its
high-water mark (``5`` into /proc/self/clear_refs), posts the scenario's entry through
Flask's test client and reads the high-water mark again (VmHWM: the peak). The request's
files are read from disk before the first baseline, so they are part of it. The report
gives the first baseline, the highest peak and growth, and the median time; then the
targets and whether they are met. Every figure goes to bench/results/uploads.json.
"""

import argparse
import gc
import io
import json
import os
import platform
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "uploads.json"
MB = 1024 * 1024  # memory in MB of 1,048,576 bytes, as the kernel counts kB
PEAK_LIMIT_MB = 512
BOMB_GROWTH_LIMIT_MB = 16  # refused from its header: nothing the size of its pixels
SIZE = (6000, 4000)  # 24 megapixels
BOMB_SIZE = (7745, 7745)
FILES = 10
REPEATS = 3  # requests per scenario, in the same process: the highest peak, the median time
BODY = "Photos of the room."
SCENARIO_TIMEOUT = 300

USERNAME, PASSWORD = "facilitator", "demo-facilitator"
SETTINGS = {
    "SECRET_KEY": "bench-not-secret",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8,
    "ARGON2_PARALLELISM": 1,
    "WTF_CSRF_ENABLED": False,
    "THROTTLE_ENABLED": False,
}
SCENARIOS = {
    "png": f"ten {SIZE[0]} x {SIZE[1]} PNGs",
    "jpeg": f"ten {SIZE[0]} x {SIZE[1]} JPEGs (EXIF orientation 6, GPS)",
    "bomb": f"one {BOMB_SIZE[0]} x {BOMB_SIZE[1]} PNG",
}


# --- The images -------------------------------------------------------------------------------


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def striped_png(size, colours):
    """A valid RGB PNG in horizontal stripes, compressed row by row: tens of megapixels in a
    few hundred kilobytes, without ever holding the pixels."""
    width, height = size
    compressor = zlib.compressobj(9)
    parts = []
    for i, colour in enumerate(colours):
        row = b"\x00" + bytes(colour) * width  # filter type 0, then the pixels
        rows = height // len(colours) + (i < height % len(colours))
        for _ in range(rows):
            parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", b"".join(parts)),
            _chunk(b"IEND", b""),
        ]
    )


def phone_jpeg(size, colours):
    """A JPEG as a phone writes one: stored sideways with an EXIF orientation, and a GPS tag."""
    from PIL import ExifTags, Image, ImageDraw

    width, height = size
    image = Image.new("RGB", (height, width), colours[0])  # sideways, like the sensor
    draw = ImageDraw.Draw(image)
    band = width // len(colours)
    for i, colour in enumerate(colours[1:], start=1):
        draw.rectangle((0, i * band, height, (i + 1) * band), fill=colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def palette(n):
    return [((37 * n + 60 * i) % 256, (90 + 45 * i) % 256, (200 - 30 * n) % 256) for i in range(4)]


def write_images(folder):
    """The scenarios' files on disk: {scenario: [(path, name, content type), ...]}."""
    made = {"png": [], "jpeg": [], "bomb": []}
    for n in range(FILES):
        png = folder / f"stripes-{n}.png"
        png.write_bytes(striped_png(SIZE, palette(n)))
        made["png"].append((png, png.name, "image/png"))
        jpeg = folder / f"IMG_{n:04}.jpg"
        jpeg.write_bytes(phone_jpeg(SIZE, palette(n)))
        made["jpeg"].append((jpeg, jpeg.name, "image/jpeg"))
    bomb = folder / "photo.png"
    bomb.write_bytes(striped_png(BOMB_SIZE, palette(0)))
    made["bomb"].append((bomb, bomb.name, "image/png"))
    return {name: [(str(p), n, t) for p, n, t in files] for name, files in made.items()}


# --- One scenario, in its own process --------------------------------------------------------


def status_kb(field):
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE).group(1))


def reset_peak():
    """Reset VmHWM to the current resident size (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_scenario(name, files, workdir):
    from bench_app import build_app

    from rj import db, demo, policy
    from rj.models import Case, Entry, EntryFile, User

    app = build_app(
        {**SETTINGS, "DATABASE_URL": str(workdir / f"{name}.sqlite3")},
        instance_path=str(workdir / f"instance-{name}"),
    )
    with app.app_context():
        db.migrate()
        with db.connected():
            demo.load()
            user = User.get(User.username == USERNAME)
            case = policy.board_cases(user).where(Case.stage == "investigating").first()
            reference = case.reference
    client = app.test_client()
    if client.post("/signin", data={"username": USERNAME, "password": PASSWORD}).status_code != 302:
        raise RuntimeError("Sign-in failed.")
    url = f"/cases/{reference}/entries/new"

    def post(uploads, body=BODY):
        form = {"kind": "evidence", "body": body, "audience": "", "party": ""}
        form["files"] = [(io.BytesIO(data), filename, kind) for data, filename, kind in uploads]
        return client.post(url, data=form, content_type="multipart/form-data")

    warm = post([(striped_png((64, 48), palette(1)), "warm-up.png", "image/png")], "Warm-up.")
    if warm.status_code != 302:
        raise RuntimeError(f"The warm-up entry answered {warm.status_code}.")
    warm_files = {p.name for p in (workdir / f"instance-{name}" / "files").iterdir()}
    uploads = [(Path(path).read_bytes(), filename, kind) for path, filename, kind in files]
    sent = sum(len(data) for data, _, _ in uploads)

    runs = []
    for _ in range(REPEATS):
        gc.collect()
        baseline = status_kb("VmRSS")
        peak_reset = reset_peak()
        start = time.perf_counter()
        response = post(uploads)
        seconds = time.perf_counter() - start
        peak = status_kb("VmHWM")
        runs.append(
            {
                "status": response.status_code,
                "baseline_rss_mb": round(baseline / 1024, 1),
                "peak_rss_mb": round(peak / 1024, 1),
                "peak_over_baseline_mb": round((peak - baseline) / 1024, 1),
                "seconds": round(seconds, 3),
            }
        )

    html = response.get_data(as_text=True)
    error = re.search(r'id="files-error">([^<]*)<', html)
    with app.app_context(), db.connected():
        entries = Entry.select().where(Entry.body == BODY).count()
        stored = list(EntryFile.select().join(Entry).where(Entry.body == BODY).dicts())
    folder = workdir / f"instance-{name}" / "files"
    on_disk = [p.name for p in folder.iterdir() if p.name not in warm_files]
    return {
        "scenario": name,
        "what": SCENARIOS[name],
        "files": len(uploads),
        "request_bytes": sent,
        "status": runs[-1]["status"] if len({r["status"] for r in runs}) == 1 else "mixed",
        "message": error.group(1).strip() if error else None,
        "entries_saved": entries,
        "files_saved": len(stored) // max(1, entries),
        "stored_bytes": sum(f["size"] for f in stored) // max(1, entries),
        "stored_files_on_disk": len(on_disk),
        "staged_files_left": sum(n.startswith(".tmp-") for n in on_disk),
        "baseline_rss_mb": runs[0]["baseline_rss_mb"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "peak_over_baseline_mb": max(r["peak_over_baseline_mb"] for r in runs),
        "peak_reset": peak_reset,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "runs": runs,
    }


# --- Targets and the report -------------------------------------------------------------------


def targets(results):
    rows = []
    for name, kind in (("png", "PNGs"), ("jpeg", "JPEGs")):
        r = results[name]
        saved = r["status"] == 302 and (
            r["entries_saved"],
            r["files_saved"],
            r["staged_files_left"],
        ) == (REPEATS, FILES, 0)
        rows.append(
            target(
                f"Ten {SIZE[0]} x {SIZE[1]} {kind} saved in one entry, peak RSS < "
                f"{PEAK_LIMIT_MB} MB",
                f"{r['peak_rss_mb']:.0f} MB" + ("" if saved else f" (status {r['status']})"),
                f"{PEAK_LIMIT_MB} MB",
                saved and r["peak_rss_mb"] < PEAK_LIMIT_MB,
            )
        )
    bomb = results["bomb"]
    refused = bomb["status"] == 422 and bomb["stored_files_on_disk"] == 0
    grew = bomb["peak_over_baseline_mb"]
    rows.append(
        target(
            f"A {BOMB_SIZE[0]} x {BOMB_SIZE[1]} PNG refused before decoding, growth < "
            f"{BOMB_GROWTH_LIMIT_MB} MB",
            f"{bomb['status']}, +{grew:.0f} MB",
            f"422, +{BOMB_GROWTH_LIMIT_MB} MB",
            refused and grew < BOMB_GROWTH_LIMIT_MB,
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


def scenario_row(r):
    saved = f"{r['files_saved']} ({r['stored_bytes']:,} B)" if r["files_saved"] else "none"
    return [
        r["what"],
        f"{r['request_bytes']:,} B",
        r["status"],
        saved,
        f"{r['baseline_rss_mb']:.0f}",
        f"{r['peak_rss_mb']:.0f}",
        f"+{r['peak_over_baseline_mb']:.0f}",
        f"{r['seconds']:.2f}",
    ]


def report(results, meta, rows):
    bomb = results["bomb"]
    return "\n".join(
        [
            "",
            f"Mend upload benchmark, {meta['when']}, Python {meta['python']}, "
            f"Pillow {meta['pillow']}, {meta['cpus']} CPUs",
            "One POST /cases/<ref>/entries/new through the Flask test client, each scenario in "
            "a fresh process;",
            "RSS from /proc/self/status: baseline VmRSS before the request (files already "
            "read), peak VmHWM",
            f"reset just before it. {REPEATS} requests each: first baseline, highest peak and "
            f"growth, median seconds. MB = {MB:,} B.",
            "",
            table(
                [
                    "request",
                    "sent",
                    "status",
                    "files saved",
                    "baseline MB",
                    "peak MB",
                    "growth MB",
                    "seconds",
                ],
                [scenario_row(results[name]) for name in SCENARIOS],
            ),
            f"refusal shown: {bomb['message'] or 'none'}",
            "",
            "Targets",
            table(
                ["target", "measured", "limit", "met"],
                [
                    [t["target"], t["measured"], t["limit"], "yes" if t["met"] else "NO"]
                    for t in rows
                ],
            ),
            "",
            f"Figures written to {RESULTS.relative_to(HERE.parent)}; "
            f"the run took {meta['seconds']:.0f} s.",
        ]
    )


# --- Main -------------------------------------------------------------------------------------


def measure(name, files, workdir):
    command = [sys.executable, __file__, "--scenario", name, "--workdir", str(workdir)]
    done = subprocess.run(
        command,
        input=json.dumps(files),
        capture_output=True,
        text=True,
        timeout=SCENARIO_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"The {name} scenario failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        result = run_scenario(args.scenario, json.loads(sys.stdin.read()), args.workdir)
        print(json.dumps(result))
        return

    import PIL

    started = time.perf_counter()
    print("Measuring uploads (takes under a minute) ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="mend-bench-uploads-") as tmp:
        workdir = Path(tmp)
        images = write_images(workdir)
        results = {}
        for name in SCENARIOS:
            results[name] = measure(name, images[name], workdir)
            r = results[name]
            print(
                f"  {r['what']}: status {r['status']}, peak {r['peak_rss_mb']:.0f} MB, "
                f"{r['seconds']:.2f} s",
                flush=True,
            )
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "pillow": PIL.__version__,
        "cpus": os.cpu_count(),
        "mb": MB,
        "seconds": round(time.perf_counter() - started, 1),
    }
    rows = targets(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"meta": meta, "scenarios": results, "targets": rows}, indent=2) + "\n"
    )
    print(report(results, meta, rows))


if __name__ == "__main__":
    main()
