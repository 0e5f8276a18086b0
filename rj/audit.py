"""The audit trail: one writer, append-only, each record chained to the one before by SHA-256.

Records hold ids, actions and field names, never the text of entries, so a
redaction never has to touch the chain.
"""

import hashlib
import json

from flask import has_request_context, request

from rj import db
from rj.models import AuditRecord

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every writer.
PG_CHAIN_LOCK = 727_001


def _canonical(record):
    return json.dumps(
        {
            "id": record.id,
            "at": record.at.isoformat(timespec="microseconds") + "Z",
            "actor": record.actor_id,
            "action": record.action,
            "case": record.case_id,
            "entry": record.entry_id,
            "details": json.loads(record.details),
            "address": record.address,
            "prev": record.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def _digest(record):
    return hashlib.sha256(_canonical(record).encode()).hexdigest()


def record(action, actor=None, case=None, entry_id=None, **details):
    """Append one record. Call inside the write transaction of the change it describes."""
    if db.is_postgres():
        db.database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (PG_CHAIN_LOCK,))
    last = AuditRecord.select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc())
    last = last.first()
    address = (request.remote_addr or "") if has_request_context() else "cli"
    row = AuditRecord(
        actor=actor,
        action=action,
        case=case,
        entry_id=entry_id,
        details=json.dumps(details, sort_keys=True, default=str),
        address=address,
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    row.save(force_insert=True)
    row.hash = _digest(row)
    AuditRecord.update(hash=row.hash).where(AuditRecord.id == row.id).execute()
    return row


def verify():
    """The id of the first record whose link is broken, or None when the chain is whole."""
    prev = GENESIS
    query = AuditRecord.select().order_by(AuditRecord.id)
    for row in query.iterator():
        if row.prev_hash != prev or _digest(row) != row.hash:
            return row.id
        prev = row.hash
    return None


def for_case(case):
    return AuditRecord.select().where(AuditRecord.case == case).order_by(AuditRecord.id)


def viewed(user, case, entry_id=None, action="case.viewed", **details):
    """Record that ``user`` was shown content of ``case`` (a page, an entry, a file, an
    export), in a transaction of its own. Boards, lists and counts are not recorded."""
    entry_id = entry_id if entry_id is not None else details.get("entry_id")
    details.pop("entry_id", None)
    with db.write_tx():
        return record(action, actor=user, case=case, entry_id=entry_id, **details)
