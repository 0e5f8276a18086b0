"""Witness accounts on the shared tablet: drafts saved as they are typed, submitted once.

A draft lives on the server under its own key from the moment it is started, so a
reload, a crash or a sign-out loses nothing. Its key is also the idempotency key of
the submission: a double tap, a retry after a timeout or a resend after the network
returns saves exactly one account. A single-use token issued with the draft lets an
account queued offline be sent after the volunteer was signed out, credited to them.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from rj import audit, cases, db, entries, policy
from rj.clock import utcnow
from rj.models import Case, WitnessDraft

OPEN_STAGES = ("filed", "acknowledged", "investigating")
CORRECTION_MINUTES = 15
STALE_HOURS = 24
LIMITS = {
    "witness_name": 120,
    "relation": 200,
    "account": 20000,
    "when_where": 300,
    "taken_by": 120,
}
QUICK_REPORT_TITLE = "Incident reported on the tablet"
SPENT = ""  # a used or withdrawn draft token: it matches nothing


class DraftRefused(Exception):
    """Bad input or a draft that can no longer be sent; ``errors`` maps fields to messages."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Fields:
    witness_name: str = ""
    prefers_not_to_say: bool = False
    relation: str = ""
    account: str = ""
    when_where: str = ""
    taken_by: str = ""

    @classmethod
    def from_form(cls, form):
        values = {name: (form.get(name) or "")[:limit] for name, limit in LIMITS.items()}
        return cls(
            prefers_not_to_say=form.get("prefers_not_to_say") in ("1", "on", "y", "true"), **values
        )

    def problems(self):
        errors = {}
        if not self.prefers_not_to_say and not self.witness_name.strip():
            errors["witness_name"] = 'Give the witness\'s name, or tick "prefers not to say".'
        if not self.relation.strip():
            errors["relation"] = "Say how they relate to what happened."
        if not self.account.strip():
            errors["account"] = "Write what they saw and heard."
        if not self.when_where.strip():
            errors["when_where"] = "Say when and where it happened."
        if not self.taken_by.strip():
            errors["taken_by"] = "Say who took this account."
        return errors


def open_cases(user):
    """Cases open to witness accounts: reference and neutral title only."""
    excluded = policy.excluded_case_ids(user)
    query = Case.select(Case.id, Case.reference, Case.title).where(Case.stage.in_(OPEN_STAGES))
    if excluded:
        query = query.where(Case.id.not_in(excluded))
    return query.order_by(Case.created_at.desc())


def start(user, case=None):
    with db.write_tx():
        draft = WitnessDraft.create(
            key=secrets.token_hex(16),
            token=secrets.token_urlsafe(32),
            author=user,
            case=case,
            taken_by=user.display_name,
        )
        audit.record("draft.created", actor=user, case=case, draft=draft.id)
    return draft


def own_draft(user, key):
    """The user's own draft with this key, or None."""
    return WitnessDraft.get_or_none((WitnessDraft.key == key) & (WitnessDraft.author == user.id))


def autosave(draft, fields):
    """Keep what was typed. Not audited one by one (DESIGN.md): the draft is."""
    if draft.status != "draft":
        return False
    WitnessDraft.update(updated_at=utcnow(), **vars(fields)).where(
        (WitnessDraft.id == draft.id) & (WitnessDraft.status == "draft")
    ).execute()
    return True


def submit(key, token, fields, user=None):
    """Save the account once. Returns the submitted draft (the same one on a resend)."""
    with db.write_tx():
        draft = db.locked(WitnessDraft.select().where(WitnessDraft.key == key)).first()
        if draft is None:
            raise DraftRefused({"form": "This account is not known here."})
        if draft.status == "submitted":
            return draft  # a resend of what was already saved
        if not draft.token or not secrets.compare_digest(draft.token, token or ""):
            raise DraftRefused({"form": "This account cannot be sent from here."})
        if draft.status == "discarded":
            raise DraftRefused({"form": "This account was discarded."})
        errors = fields.problems()
        if errors:
            raise DraftRefused(errors)
        author = draft.author
        case = draft.case or cases.file_case(
            author,
            kind="incident",
            title=QUICK_REPORT_TITLE,
            what_happened=fields.account,
            occurred_at=utcnow(),
            location=fields.when_where,
            severity="medium",
            raised_by=fields.taken_by,
        )
        witness = entries.Witness.given(
            fields.witness_name, fields.relation, fields.prefers_not_to_say
        )
        entry = entries.add_entry(case, author, "witness", _body(fields), witness=witness)
        now = utcnow()
        WitnessDraft.update(
            status="submitted",
            entry=entry.id,
            case=case.id,
            submitted_at=now,
            updated_at=now,
            token=SPENT,
            **vars(fields),
        ).where(WitnessDraft.id == draft.id).execute()
        audit.record(
            "draft.submitted",
            actor=author,
            case=case,
            entry_id=entry.id,
            draft=draft.id,
            by_token=user is None or user.id != author.id,
        )
        return WitnessDraft.get_by_id(draft.id)


def _body(fields):
    return (
        f"{fields.account.strip()}\n\nWhen and where: {fields.when_where.strip()}\n"
        f"Taken by: {fields.taken_by.strip()}"
    )


def discard(draft, user):
    with db.write_tx():
        WitnessDraft.update(
            status="discarded",
            token=SPENT,
            witness_name="",
            relation="",
            account="",
            when_where="",
            updated_at=utcnow(),
        ).where((WitnessDraft.id == draft.id) & (WitnessDraft.status == "draft")).execute()
        audit.record("draft.discarded", actor=user, case=draft.case_id, draft=draft.id)


def may_correct(draft, user):
    return (
        draft.status == "submitted"
        and draft.author_id == user.id
        and draft.submitted_at is not None
        and utcnow() - draft.submitted_at <= timedelta(minutes=CORRECTION_MINUTES)
    )


def correct(draft, user, account, reason):
    """A volunteer's correction of their own account, shortly after: a new revision."""
    if not may_correct(draft, user):
        raise DraftRefused({"form": "The time to correct this account has passed."})
    if not account.strip():
        raise DraftRefused({"account": "Write what they saw and heard."})
    fields = Fields(**{name: getattr(draft, name) for name in vars(Fields())})
    fields.account = account[: LIMITS["account"]]
    entry = draft.entry
    witness = entries.Witness.given(draft.witness_name, draft.relation, draft.prefers_not_to_say)
    entries.correct_entry(
        entry,
        user,
        _body(fields),
        reason or "Corrected by the person who took it",
        entry.revision,
        witness=witness,
    )
    WitnessDraft.update(account=fields.account).where(WitnessDraft.id == draft.id).execute()


def stale_drafts(user):
    """Drafts untouched for a day, for facilitators' Due page (case and author, never text)."""
    cutoff = utcnow() - timedelta(hours=STALE_HOURS)
    query = WitnessDraft.select().where(
        (WitnessDraft.status == "draft") & (WitnessDraft.updated_at < cutoff)
    )
    excluded = policy.excluded_case_ids(user)
    if excluded:
        query = query.where(WitnessDraft.case.is_null() | WitnessDraft.case.not_in(excluded))
    return list(query.order_by(WitnessDraft.updated_at))
