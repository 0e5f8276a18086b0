"""Every full page Mend serves is valid HTML, by the Nu HTML Checker (vnu, the W3C's).

The pages come from the URL map: every GET route read by every role (and signed out),
the error pages, the sign-in refusal at its limit, and every form sent back empty, so
it is re-rendered with its errors. htmx fragments are not documents and are left out.
vnu starts once, over all the pages written to one folder.

Where java or vnu.jar is missing the check skips with one line; when CI is set a skip
is a failure.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rj import throttle
from rj.vocabulary import ROLES
from tests.helpers import (
    PASSWORD,
    build_places,
    is_document,
    make_case,
    readable_pages,
    route_rules,
    signed_in_as,
)

VNU = (
    Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

# A document vnu must refuse: proof that its answer is read, and not read as empty.
BROKEN = "<!doctype html><html lang=en><title>x</title><p><div>nested</p></div>"


def vnu_command():
    java = shutil.which("java")
    missing = "java" if java is None else None if VNU.exists() else str(VNU)
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing; CI must check the HTML")
        pytest.skip(f"{missing} is missing (apt-get install default-jre-headless; npm ci)")
    return [java, "-jar", str(VNU), "--format", "json", "--stdout"]


def every_page(app, users, values):
    """(name, response) for each full page: every GET route as every role who may open
    it, the pages only a POST reaches, the error pages, and every form sent back empty."""
    client = app.test_client()

    # What some pages show only when it exists: a concern raised by the public (and its
    # notice on the board), and a column longer than one page of cards.
    signed_in_as(client, None)
    received = client.post(
        "/concerns/new", data={"what_happened": "Someone shouted at me.", "submission": "k1"}
    )
    yield "public.raise_concern received", received
    code = re.search(r"data-receipt-code>([A-Z0-9-]+)<", received.get_data(as_text=True))
    yield "public.receipt with a code", client.post("/concerns/receipt", data={"code": code[1]})
    for i in range(26):
        make_case("filed", by=users["facilitator"], title=f"Filed case {i}")

    readers = {"signed out": None, **{role: users[role] for role in ROLES}}
    pages = list(readable_pages(app, users, values))
    for endpoint, _, path in pages:
        for role, user in readers.items():
            signed_in_as(client, user)
            response = client.get(path)
            if response.status_code == 200:
                yield f"{endpoint} as {role}", response

    signed_in_as(client, users["facilitator"])
    yield "board filtered, with a problem", client.get("/board/?q=case&severity=nonesuch")
    client.post("/board/names")
    yield "board with party names", client.get("/board/")
    client.post("/signout")
    yield "signed out, with its message", client.get("/signin")

    post_endpoints = {rule.endpoint for rule in route_rules(app) if "POST" in rule.methods}
    for endpoint, reader, path in pages:
        if endpoint in post_endpoints and endpoint != "auth.leave":
            signed_in_as(client, reader)
            yield f"{endpoint} sent empty", client.post(path, data={})

    signed_in_as(client, users["facilitator"])
    yield "404 signed in", client.get("/nothing-here")
    yield "405", client.get("/signout")
    signed_in_as(client, users["participant"])
    yield "403", client.get("/board/")
    signed_in_as(client, None)
    yield "404 signed out", client.get("/nothing-here")

    app.config["THROTTLE_ENABLED"] = True
    throttle.init_app(app)  # fresh counters
    try:
        name = users["volunteer"].username
        for _ in range(5):
            client.post("/signin", data={"username": name, "password": "wrong password"})
        yield (
            "sign-in at its limit",
            client.post("/signin", data={"username": name, "password": PASSWORD}),
        )
        client.post("/signout")
        app.config["PUBLIC_CONCERNS_PER_ADDRESS"] = "1 per hour"
        for i in range(3):  # one concern, one refusal with the form, then a flood
            client.post("/concerns/new", data={"what_happened": "Again.", "submission": f"f{i}"})
        yield "public.raise_concern from a flood", client.get("/concerns/new")
    finally:
        app.config["THROTTLE_ENABLED"] = False

    app.config["MAX_CONTENT_LENGTH"] = 1000
    yield "413", client.post("/signin", data={"username": "x" * 5000, "password": "y"})
    app.config["MAX_CONTENT_LENGTH"] = None

    healthz = app.view_functions["home.healthz"]
    app.view_functions["home.healthz"] = explode
    try:
        yield "500", client.get("/healthz")
    finally:
        app.view_functions["home.healthz"] = healthz


def explode():
    raise RuntimeError("an unexpected failure")


explode.policy_rule = "public"


def run_vnu(documents, folder):
    """vnu's messages for each named document, checked in one run of the JVM."""
    names = {}
    for i, (name, html) in enumerate(documents.items()):
        path = folder / f"{i:03d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.html"
        path.write_text(html, encoding="utf-8")
        names[f"file:{path.resolve()}"] = name
    run = subprocess.run(
        [*vnu_command(), *sorted(str(folder / f) for f in os.listdir(folder))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.stdout.startswith("{"), f"vnu gave no report: {run.stderr[-2000:]}"
    report = json.loads(run.stdout)
    messages = {name: [] for name in documents}
    for message in report["messages"]:
        url = message.get("url", "")
        messages.setdefault(names.get(url, url), []).append(message)
    return messages


def describe(message):
    where = message.get("lastLine", "?")
    extract = " ".join(message.get("extract", "").split())
    return f"line {where}: {message['message']}  [{extract}]"


def test_every_page_is_valid_html(app, world, tmp_path):
    vnu_command()  # skip before building the world when there is no checker
    users, values = build_places(world)
    documents, statuses = {}, {}
    for name, response in every_page(app, users, values):
        if is_document(response):
            documents[name] = response.get_data(as_text=True)
            statuses[name] = response.status_code
    documents["a broken document"] = BROKEN
    folder = tmp_path / "pages"
    folder.mkdir()

    messages = run_vnu(documents, folder)

    assert any(m["type"] == "error" for m in messages.pop("a broken document"))
    for name, expected in [
        ("404 signed in", 404),
        ("404 signed out", 404),
        ("403", 403),
        ("405", 405),
        ("413", 413),
        ("500", 500),
        ("sign-in at its limit", 429),
        ("public.raise_concern from a flood", 429),
        ("cases.file sent empty", 422),
        ("board.index as facilitator", 200),
        ("mycases.show as participant", 200),
        ("mycases.show as representative", 200),
        ("tablet.draft as volunteer", 200),
        ("users.index as admin", 200),
        ("auth.signin as signed out", 200),
        ("public.raise_concern received", 200),
        ("public.receipt with a code", 200),
        ("board with party names", 200),
    ]:
        assert statuses.get(name) == expected, f"{name}: {statuses.get(name)}"
    assert "Show more" in documents["board.index as facilitator"]
    assert len(messages) > 150
    errors = [
        f"{name}: {describe(m)}"
        for name, found in messages.items()
        for m in found
        if m["type"] != "info"  # "info" is vnu's warnings and notes
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
