"""A redaction reaches every copy of what it removes.

A unique marker is planted through each way text enters a case (an entry, a correction,
a quick report from the tablet with its autosaves, the case's facts and their correction),
then redacted; the marker is then nowhere: not on any page a facilitator or participant
can open, not in the export or the printable file, not in the raw bytes of the database
file or its write-ahead log, and not in a backup made afterwards.
"""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from rj import cases, entries
from rj.clock import utcnow
from rj.models import Case, CaseFacts, Entry, WitnessDraft
from tests.helpers import PG_URL, create_user, make_case, opened_backup, sign_in_session

MARKERS = {
    "entry": "zq7-entry-marker",
    "correction": "zq7-correction-marker",
    "quick": "zq7-quick-report-marker",
    "quick_name": "Zq7 Quickwitness",
    "autosave": "zq7-autosaved-then-changed",
    "facts": "zq7-facts-marker",
    "facts_title": "zq7-title-marker",
    "long": "zq7-long-entry-marker",
}


def _plant(app, client):
    fac = create_user("facilitator", display_name="Fay Facil")
    participant = create_user("participant")
    case = make_case("investigating", by=fac, parties=[("harmed", participant, "Pat")])

    # An entry, shared with everyone in the case, and a long one (overflow pages).
    plain = entries.add_entry(case, fac, "note", f"Said {MARKERS['entry']}.", audience="everyone")
    long_text = ("filler " * 1200) + MARKERS["long"] + (" filler" * 1200)
    long = entries.add_entry(case, fac, "note", long_text, audience="everyone")
    # A correction that brings the marker in.
    corrected = entries.add_entry(case, fac, "note", "First wording.", audience="everyone")
    corrected = entries.correct_entry(
        corrected, fac, f"Second wording {MARKERS['correction']}.", "Clearer", 1
    )

    # A quick report from the tablet: typed, autosaved, changed, sent.
    volunteer = create_user("volunteer", display_name="Val Volunteer")
    sign_in_session(client, volunteer)
    key = client.post("/tablet/drafts", data={"case": ""}).headers["Location"].rsplit("/", 1)[1]
    draft = WitnessDraft.get(WitnessDraft.key == key)
    fields = {
        "witness_name": MARKERS["quick_name"],
        "relation": "was there",
        "account": f"I saw it. {MARKERS['autosave']}",
        "when_where": "kitchen, 3pm",
        "taken_by": "Val",
    }
    assert client.post(f"/tablet/drafts/{key}/autosave", data=fields).status_code == 204
    fields["account"] = f"I saw it. {MARKERS['quick']}"
    sent = client.post(f"/tablet/drafts/{key}/submit", data={**fields, "token": draft.token})
    assert sent.status_code == 200
    quick = WitnessDraft.get_by_id(draft.id).entry

    # The facts of a case, as filed and as corrected.
    facts_case = cases.file_case(
        fac,
        kind="incident",
        title="A neutral title",
        what_happened=f"It happened: {MARKERS['facts']}.",
        occurred_at=utcnow() - timedelta(hours=1),
        location="lounge",
        severity="low",
    )
    cases.correct_facts(
        facts_case,
        fac,
        {**cases.facts_of(facts_case), "title": f"Titled {MARKERS['facts_title']}"},
        "Added detail",
        1,
    )
    return fac, participant, case, facts_case, [plain, long, corrected, quick]


def _redact_everything(fac, facts_case, planted):
    for entry in planted:
        entries.redact_entry(Entry.get_by_id(entry.id), fac, "Named someone outside the case")
    cases.redact_facts(
        Case.get_by_id(facts_case.id), fac, ["title", "what_happened"], "Identifying detail"
    )


def _pages(client, fac, participant, case, facts_case, planted):
    """Every page a facilitator and the participant can open about these cases."""
    texts = []
    sign_in_session(client, fac)
    quick_case = planted[-1].case
    for ref in (case.reference, facts_case.reference, quick_case.reference):
        for path in ("", "/record", "/audit", "/facts/history"):
            response = client.get(f"/cases/{ref}{path}")
            assert response.status_code == 200, path
            texts.append(response.get_data(as_text=True))
        export = client.get(f"/cases/{ref}/export.zip")
        with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
            texts.extend(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        for entry in planted:
            if entry.case_id == Case.get(Case.reference == ref).id:
                page = client.get(f"/cases/{ref}/entries/{entry.id}/history")
                texts.append(page.get_data(as_text=True))
    for path in ("/board/", "/board/closed", "/due/"):
        texts.append(client.get(path).get_data(as_text=True))
    sign_in_session(client, participant)
    texts.append(client.get(f"/my-cases/{case.reference}").get_data(as_text=True))
    return "\n".join(texts)


def test_planted_markers_are_in_the_record_before_the_redaction(app, client):
    fac, participant, case, facts_case, planted = _plant(app, client)
    text = _pages(client, fac, participant, case, facts_case, planted)
    for name in ("entry", "correction", "quick", "quick_name", "facts", "facts_title", "long"):
        assert MARKERS[name] in text, name


def test_a_redaction_reaches_every_copy(app, client, cli, tmp_path):
    fac, participant, case, facts_case, planted = _plant(app, client)
    _redact_everything(fac, facts_case, planted)

    text = _pages(client, fac, participant, case, facts_case, planted)
    assert "[redacted]" in text
    found = [name for name, marker in MARKERS.items() if marker in text]
    assert not found, f"still shown after the redaction: {found}"

    # The draft keeps no copy; the quick report's facts never had one.
    assert not WitnessDraft.select().where(WitnessDraft.account.contains("zq7")).exists()
    assert not CaseFacts.select().where(CaseFacts.what_happened.contains("zq7")).exists()

    if PG_URL:
        pytest.skip("the raw bytes of the database file are SQLite's (see README for PostgreSQL)")
    database = Path(app.config["DATABASE_URL"])
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            raw = path.read_bytes()
            leaked = [name for name, marker in MARKERS.items() if marker.encode() in raw]
            assert not leaked, f"{path.name} still holds {leaked}"

    backup = tmp_path / "after.tar.gz"
    result = cli.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    with opened_backup(backup) as archive:
        for member in archive.getmembers():
            if member.isfile():
                raw = archive.extractfile(member).read()
                leaked = [name for name, marker in MARKERS.items() if marker.encode() in raw]
                assert not leaked, f"{member.name} in the backup holds {leaked}"
