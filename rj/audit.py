"""The audit trail: one writer, append-only, each record chained to the one before by a
keyed hash.

A record's hash is an HMAC-SHA256 of a canonical JSON of the record, which holds the
hash of the record before it. The key (``AUDIT_KEY``, see rj/config.py) is kept
outside the database, so someone who can write to the database but does not hold
the key cannot rewrite a record and recompute the hashes after it. Records hold
ids, actions and field names, never the text of entries, so a redaction never has
to touch the chain.

The plain prefix and the marker
-------------------------------
Records written before the chain was keyed keep their plain SHA-256 hashes (of the
same canonical JSON). Migration 0009, run once by ``mend init-db``, seals them: it
appends the marker, a keyed record with action ``audit.keyed`` whose ``prev_hash``
is the last plain hash and whose details say how many plain records it seals and
the hash it seals. A database created by this version has no plain records and no
marker: it is keyed from its first record. So a chain is either

    keyed keyed ...                      (created keyed)
    plain ... plain  marker keyed ...    (keyed by migration 0009)

and ``verify`` accepts nothing else:

- after the first keyed record, every record must be keyed: a plain hash there is a
  rehash made without the key;
- the first keyed record after plain ones must be the marker, sealing exactly them;
- a chain with records and no keyed record is refused. This version never writes a
  plain record and ``record`` refuses to extend a chain that ends in one, so such a
  chain has either not been upgraded yet (0009 is not recorded as applied: run
  ``mend init-db``) or lost its keyed records: the marker removed and everything
  after it rehashed as plain, a downgrade (0009 is recorded as applied).

The marker is written by the migration, once, and never by an ordinary write: a
write that sealed whatever plain chain it found would seal a downgraded one too.

What the database alone cannot show is the newest records being deleted, or a
downgrade that also deletes 0009's row from ``schema_migration`` (the next
``mend init-db`` would then seal the rewritten records). Checkpoints kept outside
the database catch both: ``verify`` reports ``SEQ:HASH`` (the last record's id and
hash), ``verify(since=...)`` confirms an earlier one is still in the chain, and each
backup's manifest holds the checkpoint of its snapshot.
"""

import hashlib
import hmac
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import current_app, g, has_app_context, has_request_context, request

from rj import db
from rj.models import AuditRecord

GENESIS = "0" * 64
# The lock every write transaction takes first on PostgreSQL (rj/db.py).
PG_CHAIN_LOCK = db.PG_WRITE_LOCK
MARKER = "audit.keyed"
SEALING_MIGRATION = "0009_audit_keyed"

# Each use of AUDIT_KEY gets its own key derived from it, so that a value computed
# for one use can never pass for another: a redaction digests text someone wrote,
# which must never yield a valid record hash.
PURPOSES = ("chain", "redaction")


class ChainNotKeyed(RuntimeError):
    """The chain ends in a plain record: nothing may be appended before it is sealed."""


# --- Keyed hashing -------------------------------------------------------------


@lru_cache(maxsize=8)
def _derived_key(key, purpose):
    return hmac.new(key.encode(), f"mend/{purpose}".encode(), hashlib.sha256).digest()


def keyed_digest(purpose, data):
    """HMAC-SHA256 (hex) of ``data`` (text is hashed as UTF-8) with the key derived from
    ``AUDIT_KEY`` for ``purpose`` (one of ``PURPOSES``)."""
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown purpose {purpose!r}.")
    if isinstance(data, str):
        data = data.encode("utf-8")
    key = _derived_key(current_app.config["AUDIT_KEY"], purpose)
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def key_fingerprint():
    """Names the audit key without revealing it: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(current_app.config["AUDIT_KEY"].encode()).hexdigest()[:16]


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
            # Only records about an account carry it, so older records hash as they did.
            **({"account": record.account_id} if record.account_id is not None else {}),
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def _keyed_hash(record):
    return keyed_digest("chain", _canonical(record))


def _hashes_of(record):
    """Whether ``record`` carries a keyed hash and whether a plain one, as it is stored.
    A record whose details are no longer JSON carries neither."""
    try:
        canonical = _canonical(record)
    except ValueError:
        return False, False
    keyed = record.hash == keyed_digest("chain", canonical)
    plain = not keyed and record.hash == hashlib.sha256(canonical.encode()).hexdigest()
    return keyed, plain


# --- Writing -------------------------------------------------------------------

# The "address" of a record written for the public (raising a concern, using a receipt
# code): the chain cannot be redacted, so it keeps no client address of theirs.
PUBLIC_ADDRESS = "public"


@contextmanager
def publicly():
    """Records appended inside this block are actions of the public: they keep no client
    address, only ``PUBLIC_ADDRESS``."""
    g.mend_public_action = True
    try:
        yield
    finally:
        g.pop("mend_public_action", None)


def _address():
    if has_app_context() and g.get("mend_public_action"):
        return PUBLIC_ADDRESS
    return (request.remote_addr or "") if has_request_context() else "cli"


def _lock_chain():
    if db.is_postgres():
        db.database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (PG_CHAIN_LOCK,))


def _append(action, actor, case, entry_id, details, prev_hash, account=None):
    address = _address()
    row = AuditRecord(
        actor=actor,
        action=action,
        case=case,
        entry_id=entry_id,
        account_id=getattr(account, "id", account),
        details=json.dumps(details, sort_keys=True, default=str),
        address=address,
        prev_hash=prev_hash,
        hash="",
    )
    row.save(force_insert=True)
    row.hash = _keyed_hash(row)
    AuditRecord.update(hash=row.hash).where(AuditRecord.id == row.id).execute()
    return row


def record(action, actor=None, case=None, entry_id=None, account=None, **details):
    """Append one keyed record. Call inside the write transaction of the change it describes.

    ``account`` is the account the record is about (a change to it), if any.
    Three queries, as many as before the chain was keyed (the last record, the
    insert, its hash; plus the chain lock on PostgreSQL). Raises ``ChainNotKeyed``
    rather than extend a chain whose last record is plain: a keyed record there
    would break the chain for good. Either the database was not upgraded (``mend
    init-db`` seals it) or the chain was rehashed without the key.
    """
    _lock_chain()
    last = AuditRecord.select().order_by(AuditRecord.id.desc()).first()
    if last is not None and _hashes_of(last)[1]:
        raise ChainNotKeyed(
            f"The audit chain ends in record {last.id}, which is not keyed: run `mend init-db` "
            "if Mend was just upgraded, otherwise `mend audit verify`."
        )
    previous = last.hash if last else GENESIS
    return _append(action, actor, case, entry_id, details, previous, account=account)


def seal():
    """Seal a chain of plain SHA-256 records with the marker; run once, by migration 0009.

    The marker is keyed, links to the last plain record and names how many plain
    records it seals and the hash it seals. Nothing is written to an empty chain
    (it will be keyed from its first record) or to one that holds a keyed record
    already. Returns the marker, or None.
    """
    _lock_chain()
    plain, last = 0, None
    for row in AuditRecord.select().order_by(AuditRecord.id).iterator():
        if _hashes_of(row)[0]:
            return None
        plain, last = plain + 1, row
    if last is None:
        return None
    details = {"plain_records": plain, "sealed": last.hash}
    return _append(MARKER, None, None, None, details, last.hash)


# --- Verifying -----------------------------------------------------------------


def parse_checkpoint(text):
    """``(seq, hash)`` from a checkpoint written ``SEQ:HASH``; ValueError says what is wrong."""
    match = re.fullmatch(r"\s*([^:\s]*):([^:\s]*)\s*", text or "")
    if not match:
        raise ValueError(
            f"{_shown(text)} is not a checkpoint: write it SEQ:HASH, as verify prints it."
        )
    seq, digest = match.groups()
    if not re.fullmatch(r"[0-9]+", seq) or not seq.strip("0"):
        raise ValueError(f"{_shown(seq)} is not a record id: SEQ is a whole number from 1.")
    if len(seq.lstrip("0")) > len(str(db.MAX_INTEGER)) or int(seq) > db.MAX_INTEGER:
        raise ValueError(
            f"{_shown(seq)} is larger than any record id can be (at most {db.MAX_INTEGER})."
        )
    if not re.fullmatch(r"[0-9a-fA-F]{64}", digest):
        raise ValueError(f"{_shown(digest)} is not a hash: HASH is 64 hexadecimal digits.")
    return int(seq), digest.lower()


def _shown(value, limit=80):
    value = repr(value)
    return value if len(value) <= limit else value[: limit - 4] + "…'"


@dataclass
class Verification:
    """What ``verify`` found: the records checked, where the plain prefix ends, the
    checkpoint of the chain, and the first problem (None when the chain is whole)."""

    records: int = 0
    plain: int = 0
    marker: int | None = None
    last_id: int | None = None
    last_hash: str | None = None
    broken_at: int | None = None
    problem: str | None = None

    @property
    def whole(self):
        return self.problem is None

    @property
    def checkpoint(self):
        """``SEQ:HASH`` of the last record, to keep and confirm later; None when empty."""
        return f"{self.last_id}:{self.last_hash}" if self.last_id is not None else None

    def _broken(self, row, problem):
        self.broken_at, self.problem = row.id, problem
        return self


def _problem(row, is_keyed, is_plain, prev_hash, keyed, plain):
    """What is wrong with ``row``, given the chain before it (the hash it must link to,
    whether keyed records came before, how many plain ones), or None."""
    first_keyed = is_keyed and not keyed and plain
    if row.prev_hash != prev_hash:
        if first_keyed and row.action == MARKER:
            return (
                f"the {plain} plain records before this marker are not the ones it sealed: "
                "one of them was rewritten, and those after it rehashed"
            )
        return "it does not link to the record before it (a record was removed, added or changed)"
    if first_keyed:
        details = json.loads(row.details)
        if row.action != MARKER:
            return "it is the first keyed record, but not the marker that seals the plain ones"
        if details.get("plain_records") != plain or details.get("sealed") != prev_hash:
            return f"the marker seals {details.get('plain_records')} plain records, not {plain}"
        return None
    if is_keyed:
        return None
    if keyed and is_plain:
        return "it has a plain hash after keyed records: it was rehashed without the audit key"
    if keyed or not is_plain:
        return (
            "its hash does not match its content: it was changed, or written with another audit key"
        )
    return None


def record_from_row(row):
    """An (unsaved) AuditRecord from a row read outside peewee, as {column: value}: the
    columns of ``audit_record``, their values as the database or a dump gives them."""

    def number(value):
        return None if value is None else int(value)

    at = row["at"]
    return AuditRecord(
        id=int(row["id"]),
        at=at if isinstance(at, datetime) else datetime.fromisoformat(str(at)),
        actor=number(row["actor_id"]),
        action=row["action"],
        case=number(row["case_id"]),
        entry_id=number(row["entry_id"]),
        details=row["details"],
        address=row["address"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def verify(since=None, rows=None):
    """Check every record in id order; return a ``Verification``.

    The plain prefix is checked by SHA-256, the marker and everything after it by
    HMAC (see the module's docstring for what is accepted). ``since`` is a
    checkpoint ``(seq, hash)`` printed by an earlier verify: the record ``seq`` must
    still be in the chain with that hash, which catches the deletion of the
    records written after an earlier check. ``rows`` checks a copy instead of this
    database (a backup's): its records as {column: value}, in id order.
    """
    result = Verification()
    prev_hash, keyed, since_found = GENESIS, False, False
    if rows is None:
        records = AuditRecord.select().order_by(AuditRecord.id).iterator()
    else:
        records = (record_from_row(row) for row in rows)
    for row in records:
        result.records += 1
        is_keyed, is_plain = _hashes_of(row)
        problem = _problem(row, is_keyed, is_plain, prev_hash, keyed, result.plain)
        if problem:
            return result._broken(row, problem)
        if is_keyed and not keyed and result.plain:
            result.marker = row.id
        keyed = keyed or is_keyed
        if not keyed:
            result.plain += 1
        if since and row.id == since[0]:
            if row.hash != since[1]:
                return result._broken(row, "its hash is not the one in the checkpoint")
            since_found = True
        prev_hash, result.last_id, result.last_hash = row.hash, row.id, row.hash
    if result.records and not keyed:
        if SEALING_MIGRATION in db.applied_migrations():
            result.problem = (
                f"none of its {result.records} records is keyed, yet the chain was keyed: "
                "its keyed records were rewritten as plain ones without the audit key"
            )
        else:
            result.problem = (
                f"none of its {result.records} records is keyed: run `mend init-db` to seal them"
            )
    elif since and not since_found:
        result.problem = (
            f"record {since[0]} of the checkpoint is no longer in the chain "
            f"({f'which ends at record {result.last_id}' if result.records else 'now empty'}):"
            " records were deleted"
        )
    return result


def for_case(case):
    return AuditRecord.select().where(AuditRecord.case == case).order_by(AuditRecord.id)


def viewed(user, case, entry_id=None, action="case.viewed", **details):
    """Record that ``user`` was shown content of ``case`` (a page, an entry, a file, an
    export), in a transaction of its own. Boards, lists and counts are not recorded."""
    entry_id = entry_id if entry_id is not None else details.get("entry_id")
    details.pop("entry_id", None)
    with db.write_tx():
        return record(action, actor=user, case=case, entry_id=entry_id, **details)
