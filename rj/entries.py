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

from flask_babel import gettext as _

from rj import audit, db, files
from rj.clock import utcnow
from rj.i18n import number_text
from rj.models import Entry, EntryFile, EntryRevision, Party
from rj.refusals import Refused, Stale
from rj.vocabulary import AUDIENCES, ENTRY_KINDS

REDACTED = "[redacted]"
PREFERS_NOT_TO_SAY = "prefers not to say"
MAX_FILES = 10
# The most an entry's text and a correction's or redaction's reason may hold. A tablet
# account (20,000 characters) with its "when and where" and "taken by" fits.
BODY_MAX = 21_000
REASON_MAX = 2_000
WITNESS_NAME_MAX = 120
WITNESS_RELATION_MAX = 200

WITNESS_OPEN = "[witness]"
WITNESS_CLOSE = "[/witness]"


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


def _check_length(field, text, limit, message):
    """Refuse ``text`` above ``limit`` characters with ``message``, a translated sentence
    whose ``%(limit)s`` and ``%(length)s`` are filled in here."""
    if len(text) > limit:
        raise Refused(
            message % {"limit": number_text(limit), "length": number_text(len(text))}, field
        )


def _check_witness(witness):
    if witness is None or not _line(witness.name):
        raise Refused(_('Give the witness\'s name, or "prefers not to say".'), "witness_name")
    if not _line(witness.relation):
        raise Refused(_("Say how the witness relates to what happened."), "witness_relation")
    _check_length(
        "witness_name",
        _line(witness.name),
        WITNESS_NAME_MAX,
        _("The witness's name can be at most %(limit)s characters: this has %(length)s."),
    )
    _check_length(
        "witness_relation",
        _line(witness.relation),
        WITNESS_RELATION_MAX,
        _("How they relate can be at most %(limit)s characters: this has %(length)s."),
    )


def check_files(kind, count):
    """Refuse files on an entry that cannot carry them, or too many, before any is read."""
    if count and kind != "evidence":
        raise Refused(_("Only evidence can carry files."), "files")
    if count > MAX_FILES:
        raise Refused(
            _("Attach at most %(most)s files to one entry.", most=number_text(MAX_FILES)), "files"
        )


def add_entry(case, by, kind, body, audience=None, party=None, witness=None, uploads=()):
    """Add an entry to the case's timeline, with its first revision and any files.

    ``audience`` None means the default for the kind (``default_audience``).
    ``party`` must be a party of ``case``; it is kept only when the audience is one side.
    ``uploads`` are ``files.Upload`` objects staged by ``files.check``: they are published
    with the entry, or discarded when the write fails. When the entry is refused before
    the write they stay staged, for the caller's ``files.staging()`` to remove.
    """
    body = (body or "").strip()
    if kind not in ENTRY_KINDS:
        raise Refused(_("Choose what kind of entry this is."), "kind")
    if not body:
        raise Refused(_("Write the entry."), "body")
    _check_length(
        "body",
        body,
        BODY_MAX,
        _("The entry can be at most %(limit)s characters: this has %(length)s."),
    )
    if party is not None and party.case_id != case.id:
        raise Refused(_("Choose a party of this case."), "party")
    audience = audience or default_audience(kind, party)
    if audience not in AUDIENCES:
        raise Refused(_("Choose who may see this entry."), "audience")
    if audience == "party" and party is None:
        raise Refused(_("Choose which party may see it."), "party")
    if kind == "witness":
        _check_witness(witness)
    else:
        witness = None
    uploads = list(uploads)
    check_files(kind, len(uploads))

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
        raise Stale(_("This entry was redacted; it can no longer be corrected."))
    if not body:
        raise Refused(_("Write the corrected entry."), "body")
    if not reason:
        raise Refused(_("Say why this is being corrected."), "reason")
    _check_length(
        "body",
        body,
        BODY_MAX,
        _("The entry can be at most %(limit)s characters: this has %(length)s."),
    )
    _check_length(
        "reason",
        reason,
        REASON_MAX,
        _("The reason can be at most %(limit)s characters: this has %(length)s."),
    )
    if entry.kind == "witness":
        _check_witness(witness)
    else:
        witness = None
    with db.write_tx():
        current = _locked_entry(entry)
        if current.redacted_at:
            raise Stale(_("This entry was redacted meanwhile; it can no longer be corrected."))
        if current.revision != based_on:
            raise Stale(
                _(
                    "This entry was corrected by someone else while you were editing. "
                    "Check the latest version below and try again."
                )
            )
        latest = latest_revision(current)
        text = compose(body, witness)
        if latest is not None and latest.body == text:
            raise Refused(_("Nothing was changed."), "body")
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
        raise Refused(_("Say why this entry is redacted."), "reason")
    _check_length(
        "reason",
        reason,
        REASON_MAX,
        _("The reason can be at most %(limit)s characters: this has %(length)s."),
    )
    if entry.redacted_at:
        raise Stale(_("This entry is already redacted."))
    with db.write_tx():
        current = _locked_entry(entry)
        if current.redacted_at:
            raise Stale(_("This entry was redacted meanwhile."))
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
    db.checkpoint()  # the removed text must not linger in the write-ahead log
    return Entry.get_by_id(entry.id)


def party_of_case(case, party_id):
    """The party of ``case`` with this id, or None."""
    if party_id in (None, ""):
        return None
    try:
        party_id = int(party_id)
    except (TypeError, ValueError):
        return None
    return Party.select().where((Party.id == party_id) & (Party.case == case)).first()
