"""Timeline entries: adding, correcting and redacting statements, witness accounts,
evidence, findings and notes.

Each write is one function: validate, then one write transaction holding the rows
and their audit record. Audit records hold ids and field names, never text.

Nothing is edited in place or deleted. A correction adds an ``EntryRevision``
(number + 1, author, reason) and points ``Entry.body``/``Entry.revision`` at it.
A redaction replaces the text of every revision with ``REDACTED``.

A witness's identity is for facilitators only, whatever the entry's audience, so
it is never in ``Entry.body`` (the text every view of the timeline shows). It is
kept in the revision body only, as a header block before the account::

    [witness]
    name: Alex Doe            (or: name: prefers not to say)
    relation: staff on shift
    [/witness]
    <the account, exactly as Entry.body>

``witness_of(text)`` reads it back; ``account_of(text)`` gives the account alone.
Both values are single lines (line breaks are folded into spaces when saved).
"""

from dataclasses import dataclass

from rj import audit, db, files
from rj.clock import utcnow
from rj.models import AUDIENCES, Entry, EntryFile, EntryRevision, Party

KINDS = ("statement", "witness", "evidence", "finding", "note")
REDACTED = "[redacted]"
PREFERS_NOT_TO_SAY = "prefers not to say"
MAX_FILES = 10

WITNESS_OPEN = "[witness]"
WITNESS_CLOSE = "[/witness]"


class EntryRefused(Exception):
    """Bad input for an entry: ``field`` names the form field the message belongs beside."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class EntryStale(Exception):
    """The entry changed since the form was opened (another correction or a redaction)."""


@dataclass
class Witness:
    name: str  # a name, or PREFERS_NOT_TO_SAY
    relation: str

    @classmethod
    def given(cls, name, relation, anonymous=False):
        """The witness as a form gave them: a name, or "prefers not to say"."""
        return cls(PREFERS_NOT_TO_SAY if anonymous else name, relation)

    @property
    def anonymous(self):
        return self.name == PREFERS_NOT_TO_SAY


# --- Reading -----------------------------------------------------------------


def _line(value):
    return " ".join((value or "").split())


def compose(account, witness=None):
    """The revision text: the witness header (for a witness account) and the account."""
    if witness is None:
        return account
    return (
        f"{WITNESS_OPEN}\nname: {_line(witness.name)}\nrelation: {_line(witness.relation)}\n"
        f"{WITNESS_CLOSE}\n{account}"
    )


def _split(text):
    lines = text.split("\n", 4)
    if (
        len(lines) == 5
        and lines[0] == WITNESS_OPEN
        and lines[1].startswith("name: ")
        and lines[2].startswith("relation: ")
        and lines[3] == WITNESS_CLOSE
    ):
        return Witness(lines[1][len("name: ") :], lines[2][len("relation: ") :]), lines[4]
    return None, text


def witness_of(text):
    """The witness kept in a revision's text, or None."""
    return _split(text)[0]


def account_of(text):
    """A revision's text without its witness header: what anyone in the audience may read."""
    return _split(text)[1]


def latest_revision(entry):
    return (
        EntryRevision.select()
        .where(EntryRevision.entry == entry)
        .order_by(EntryRevision.number.desc())
        .first()
    )


def revisions(entry):
    return EntryRevision.select().where(EntryRevision.entry == entry).order_by(EntryRevision.number)


def entry_of_case_or_none(case, entry_id):
    """The entry with this id when it belongs to ``case``; None otherwise (a 404)."""
    return Entry.select().where((Entry.id == entry_id) & (Entry.case == case)).first()


def file_of_case_or_none(case, file_id):
    """The file with this id when its entry belongs to ``case``; None otherwise (a 404)."""
    return (
        EntryFile.select(EntryFile, Entry)
        .join(Entry)
        .where((EntryFile.id == file_id) & (Entry.case == case))
        .first()
    )


def default_audience(kind, party=None):
    """DESIGN.md: a witness account → facilitators; a statement → its party when one is
    chosen; anything else → facilitators."""
    if kind == "statement" and party is not None:
        return "party"
    return "facilitators"


# --- Writes ------------------------------------------------------------------


def _check_witness(witness):
    if witness is None:
        raise EntryRefused("witness_name", 'Give the witness\'s name, or "prefers not to say".')
    if not _line(witness.name):
        raise EntryRefused("witness_name", 'Give the witness\'s name, or "prefers not to say".')
    if not _line(witness.relation):
        raise EntryRefused("witness_relation", "Say how the witness relates to what happened.")
    if len(_line(witness.name)) > 120:
        raise EntryRefused("witness_name", "Keep the name under 120 characters.")
    if len(_line(witness.relation)) > 200:
        raise EntryRefused("witness_relation", "Keep this under 200 characters.")


def add_entry(case, by, kind, body, audience=None, party=None, witness=None, uploads=()):
    """Add an entry to the case's timeline, with its first revision and any files.

    ``audience`` None means the default for the kind (``default_audience``).
    ``party`` must be a party of ``case``; it is kept only when the audience is one side.
    ``uploads`` are ``files.Upload`` objects already checked by ``files.check``.
    """
    body = (body or "").strip()
    if kind not in KINDS:
        raise EntryRefused("kind", "Choose what kind of entry this is.")
    if not body:
        raise EntryRefused("body", "Write the entry.")
    if party is not None and party.case_id != case.id:
        raise EntryRefused("party", "Choose a party of this case.")
    audience = audience or default_audience(kind, party)
    if audience not in AUDIENCES:
        raise EntryRefused("audience", "Choose who may see this entry.")
    if audience == "party" and party is None:
        raise EntryRefused("party", "Choose which party may see it.")
    if kind == "witness":
        _check_witness(witness)
    else:
        witness = None
    uploads = list(uploads)
    if uploads and kind != "evidence":
        raise EntryRefused("files", "Only evidence can carry files.")
    if len(uploads) > MAX_FILES:
        raise EntryRefused("files", f"Attach at most {MAX_FILES} files to one entry.")

    files.stage(uploads)
    try:
        with db.write_tx():
            entry = Entry.create(
                case=case,
                kind=kind,
                audience=audience,
                audience_party=party if audience == "party" else None,
                author=by,
                body=body,
            )
            EntryRevision.create(entry=entry, number=1, body=compose(body, witness), author=by)
            for upload in uploads:
                EntryFile.create(
                    entry=entry,
                    original_name=upload.original_name,
                    stored_name=upload.stored_name,
                    content_type=upload.content_type,
                    size=upload.size,
                    sha256=upload.sha256,
                )
            case.touch(by)
            audit.record(
                "entry.created",
                actor=by,
                case=case,
                entry_id=entry.id,
                kind=kind,
                audience=audience,
                party=entry.audience_party_id,
                files=len(uploads),
            )
            files.publish(uploads)
    except BaseException:
        files.discard(uploads)
        raise
    return entry


def _locked_entry(entry):
    return db.locked(Entry.select().where(Entry.id == entry.id)).get()


def correct_entry(entry, by, body, reason, based_on, witness=None):
    """A correction: a new revision (number + 1) with its author and reason; the earlier
    ones stay. ``based_on`` is the revision the corrector saw; a newer one is a conflict."""
    body = (body or "").strip()
    reason = (reason or "").strip()
    if entry.redacted_at:
        raise EntryStale("This entry was redacted; it can no longer be corrected.")
    if not body:
        raise EntryRefused("body", "Write the corrected entry.")
    if not reason:
        raise EntryRefused("reason", "Say why this is being corrected.")
    if entry.kind == "witness":
        _check_witness(witness)
    else:
        witness = None
    with db.write_tx():
        current = _locked_entry(entry)
        if current.redacted_at:
            raise EntryStale("This entry was redacted meanwhile; it can no longer be corrected.")
        if current.revision != based_on:
            raise EntryStale(
                "This entry was corrected by someone else while you were editing. "
                "Check the latest version below and try again."
            )
        latest = latest_revision(current)
        text = compose(body, witness)
        if latest is not None and latest.body == text:
            raise EntryRefused("body", "Nothing was changed.")
        number = current.revision + 1
        EntryRevision.create(entry=current, number=number, body=text, author=by, reason=reason)
        Entry.update(body=body, revision=number).where(Entry.id == current.id).execute()
        entry.case.touch(by)
        fields = ["body", "reason"] + (["witness"] if witness else [])
        audit.record(
            "entry.corrected",
            actor=by,
            case=entry.case,
            entry_id=entry.id,
            revision=number,
            fields=fields,
        )
    entry.body, entry.revision = body, number
    return entry


def redaction_digest(texts):
    """HMAC-SHA256 (hex), keyed with the audit key, of what a redaction removed: the
    UTF-8 text of every revision in number order, joined by the ASCII record
    separator (0x1E) so that the boundaries between revisions are part of what is
    hashed. Whoever holds the original text and the key can prove what was removed;
    nobody can read it back from the digest, not even by guessing a short text and
    hashing it, as they could with a plain SHA-256. Redactions made before the key
    kept a plain SHA-256."""
    return audit.keyed_digest("redaction", "\x1e".join(texts))


def redact_entry(entry, by, reason):
    """Replace the text of the entry in every revision with ``REDACTED``, keeping who,
    when, why and ``redaction_digest`` of the removed texts.

    Files of a redacted entry are deleted from disk once the redaction is committed;
    their rows stay (type, size, SHA-256 of the content) with the name replaced by
    ``REDACTED``, and are never served again (``Entry.redacted_at`` is set).
    """
    reason = (reason or "").strip()
    if not reason:
        raise EntryRefused("reason", "Say why this entry is redacted.")
    if entry.redacted_at:
        raise EntryStale("This entry is already redacted.")
    with db.write_tx():
        current = _locked_entry(entry)
        if current.redacted_at:
            raise EntryStale("This entry was redacted meanwhile.")
        texts = [r.body for r in revisions(current)]
        stored = [f.stored_name for f in EntryFile.select().where(EntryFile.entry == current)]
        now = utcnow()
        EntryRevision.update(body=REDACTED).where(EntryRevision.entry == current).execute()
        EntryFile.update(original_name=REDACTED).where(EntryFile.entry == current).execute()
        Entry.update(
            body=REDACTED,
            redacted_at=now,
            redacted_by=by.id,
            redaction_reason=reason,
            redaction_sha256=redaction_digest(texts),
        ).where(Entry.id == current.id).execute()
        entry.case.touch(by)
        audit.record(
            "entry.redacted",
            actor=by,
            case=entry.case,
            entry_id=entry.id,
            fields=["body", "redaction_reason"],
            revisions=len(texts),
            files=len(stored),
        )
    files.delete(stored)
    return Entry.get_by_id(entry.id)


def record_view(entry, by, what="entry.viewed", **details):
    """An opened entry history or file, in the audit trail."""
    with db.write_tx():
        audit.record(what, actor=by, case=entry.case_id, entry_id=entry.id, **details)


def party_of_case(case, party_id):
    """The party of ``case`` with this id, or None."""
    if party_id in (None, ""):
        return None
    try:
        party_id = int(party_id)
    except (TypeError, ValueError):
        return None
    return Party.select().where((Party.id == party_id) & (Party.case == case)).first()
