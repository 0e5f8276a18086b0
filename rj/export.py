"""The whole case file as one ZIP: case.json, a printable case.html and the files."""

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from rj import audit, files
from rj.models import EntryFile, EntryRevision, Party, Person, Representative, User


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def case_data(case, items):
    """Everything in the record, as plain data."""
    parties = []
    for party in Party.select(Party, Person).join(Person).where(Party.case == case):
        reps = (
            User.select(User.display_name)
            .join(Representative, on=(Representative.user == User.id))
            .where(Representative.party == party)
        )
        parties.append(
            {
                "name": party.person.name,
                "pronouns": party.person.pronouns,
                "contact": party.person.contact,
                "side": party.side,
                "representatives": [r.display_name for r in reps],
            }
        )
    entries = {item.entry.id: item.entry for item in items if item.entry}
    revisions = {}
    for revision in EntryRevision.select().where(EntryRevision.entry.in_(list(entries) or [0])):
        revisions.setdefault(revision.entry_id, []).append(
            {
                "number": revision.number,
                "body": revision.body,
                "author": revision.author_id,
                "at": _plain(revision.created_at),
                "reason": revision.reason,
            }
        )
    return {
        "reference": case.reference,
        "kind": case.kind,
        "title": case.title,
        "severity": case.severity,
        "stage": case.stage,
        "what_happened": case.what_happened,
        "occurred_at": _plain(case.occurred_at),
        "location": case.location,
        "raised_by": case.raised_by,
        "people_involved": case.people_involved,
        "safety_steps": case.safety_steps,
        "lead": case.lead.display_name if case.lead else None,
        "parties": parties,
        "timeline": [
            {
                "at": _plain(item.at),
                "kind": item.kind,
                "title": item.title,
                "author": item.author,
                "audience": item.audience,
                "body": item.body,
                "details": {label: _plain(value) for label, value in item.details},
                "entry": item.entry.id if item.entry else None,
                "revisions": revisions.get(item.entry.id, []) if item.entry else [],
            }
            for item in items
        ],
        "audit": [
            {
                "id": record.id,
                "at": _plain(record.at),
                "actor": record.actor_id,
                "action": record.action,
                "entry": record.entry_id,
                "details": json.loads(record.details),
                "address": record.address,
                "hash": record.hash,
                "prev_hash": record.prev_hash,
            }
            for record in audit.for_case(case)
        ],
    }


def zip_bytes(case, items, printable_html):
    """The ZIP of the case file."""
    buffer = io.BytesIO()
    folder = files.upload_folder()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("case.json", json.dumps(case_data(case, items), indent=2, default=str))
        archive.writestr("case.html", printable_html)
        entry_ids = [item.entry.id for item in items if item.entry]
        for stored in EntryFile.select().where(EntryFile.entry.in_(entry_ids or [0])):
            path = folder / stored.stored_name
            if path.is_file():
                safe = Path(stored.original_name).name or stored.stored_name
                archive.write(path, f"files/{stored.id}-{safe}")
    return buffer.getvalue()
