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

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from rj import audit, cases, db, entries, i18n, policy
from rj.clock import utcnow
from rj.models import User, WitnessDraft
from rj.refusals import Refused, Stale
from rj.vocabulary import UNASSESSED

# What a correction on the tablet may hold: the account as saved, and what was corrected.
CORRECTION_LIMITS = {"account": entries.BODY_MAX, "reason": entries.REASON_MAX}
# The entry's fields, as the tablet's correction page names them.
TABLET_FIELDS = {"body": "account", "reason": "reason"}
STALE_HOURS = 24
# The most each field takes. The page states the same limits (a character count).
LIMITS = {
    "witness_name": 120,
    "relation": 200,
    "account": 20000,
    "when_where": 300,
    "taken_by": 120,
}
LABELS = {
    "witness_name": _l("The witness's name"),
    "relation": _l("How they relate"),
    "account": _l("What they saw and heard"),
    "when_where": _l("When and where"),
    "taken_by": _l("Taken by"),
}
QUICK_REPORT_TITLE = "Incident reported on the tablet"  # stored as a case's title: not translated
SPENT = ""  # a used or withdrawn draft token: it matches nothing
TURNED_OFF = _l(
    "This account was turned off; ask a facilitator. The account you wrote is kept, "
    "and a facilitator can send it."
)
NOT_KNOWN = _l("This account is not known here.")


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
        """What was typed, exactly: never cut (too long is refused on sending)."""
        values = {name: form.get(name) or "" for name in LIMITS}
        return cls(
            prefers_not_to_say=form.get("prefers_not_to_say") in ("1", "on", "y", "true"), **values
        )

    @classmethod
    def of(cls, draft):
        return cls(**{name: getattr(draft, name) for name in vars(cls())})

    def problems(self):
        errors = {}
        if not self.prefers_not_to_say and not self.witness_name.strip():
            errors["witness_name"] = _('Give the witness\'s name, or tick "prefers not to say".')
        if not self.relation.strip():
            errors["relation"] = _("Say how they relate to what happened.")
        if not self.account.strip():
            errors["account"] = _("Write what they saw and heard.")
        if not self.when_where.strip():
            errors["when_where"] = _("Say when and where it happened.")
        if not self.taken_by.strip():
            errors["taken_by"] = _("Say who took this account.")
        for name, limit in LIMITS.items():
            length = len(getattr(self, name))
            if length > limit:
                errors[name] = ngettext(
                    "%(label)s can be at most %(limit)s character: this has %(length)s. "
                    "Shorten it; nothing is lost meanwhile.",
                    "%(label)s can be at most %(limit)s characters: this has %(length)s. "
                    "Shorten it; nothing is lost meanwhile.",
                    limit,
                    label=LABELS[name],
                    limit=i18n.number_text(limit),
                    length=i18n.number_text(length),
                )
        return errors


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


def _keep(draft, fields):
    """Save what was typed into the draft (only while it is one)."""
    return (
        WitnessDraft.update(updated_at=utcnow(), **vars(fields))
        .where((WitnessDraft.id == draft.id) & (WitnessDraft.status == "draft"))
        .execute()
    )


def autosave(draft, fields):
    """Keep what was typed. Not audited one by one (DESIGN.md): the draft is."""
    if draft.status != "draft":
        return False
    return bool(_keep(draft, fields))


def submit(key, token, fields, user=None):
    """Save the account once. Returns the submitted draft (the same one on a resend).

    Whoever holds the draft's token has what they sent kept in the draft before any
    refusal, so an account sent from a tablet's offline queue is never lost.
    """
    with db.write_tx():
        draft = db.locked(WitnessDraft.select().where(WitnessDraft.key == key)).first()
        if draft is None:
            raise Refused(str(NOT_KNOWN), "form", status=404)
        if draft.status == "submitted":
            return draft  # a resend of what was already saved
        if draft.status == "discarded":
            raise Refused(_("This account was discarded, so it was not sent."), "form", status=409)
        # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
        given = (token or "").encode("utf-8", "surrogatepass")
        if not draft.token or not secrets.compare_digest(draft.token.encode(), given):
            raise Refused(_("This account cannot be sent from here."), "form")
        _keep(draft, fields)
        if not draft.author.is_active:
            refusal = Refused(str(TURNED_OFF), "form", status=403)
        elif problems := fields.problems():
            refusal = Refused(
                _("Please fill in the fields marked below. Nothing is lost."), problems=problems
            )
        else:
            return _save(
                draft,
                fields,
                sender=draft.author,
                by_token=user is None or user.id != draft.author_id,
            )
    raise refusal  # after the commit: what was sent stays in the draft


def _save(draft, fields, sender, **details):
    """The draft's account as a witness entry (filing a quick report's case first); the
    draft then keeps no copy of the text."""
    author = draft.author
    case = draft.case or cases.file_case(
        author,
        kind="incident",
        title=QUICK_REPORT_TITLE,
        what_happened="",  # the account stays in the witness entry; a facilitator writes the facts
        occurred_at=utcnow(),
        location="",
        severity=UNASSESSED,  # a facilitator assesses it
        raised_via="tablet",
    )
    witness = entries.Witness.given(fields.witness_name, fields.relation, fields.prefers_not_to_say)
    entry = entries.add_entry(case, author, "witness", _body(fields), witness=witness)
    now = utcnow()
    WitnessDraft.update(
        status="submitted",
        entry=entry.id,
        case=case.id,
        submitted_at=now,
        updated_at=now,
        token=SPENT,
        **vars(Fields(prefers_not_to_say=fields.prefers_not_to_say)),
    ).where(WitnessDraft.id == draft.id).execute()
    audit.record(
        "draft.submitted",
        actor=sender,
        case=case,
        entry_id=entry.id,
        draft=draft.id,
        author=author.id,
        **details,
    )
    return WitnessDraft.get_by_id(draft.id)


def send_for(draft, facilitator, fields):
    """A facilitator sends the draft of an account that was turned off, so nothing is lost.

    The entry keeps the volunteer as its author; the audit trail says who sent it.
    """
    with db.write_tx():
        current = db.locked(WitnessDraft.select().where(WitnessDraft.id == draft.id)).get()
        if current.status != "draft":
            raise Stale(_("This account was already sent or discarded."))
        if current.author.is_active:
            raise Refused(_("Only the person who wrote it can send this account."), status=403)
        _keep(current, fields)
        problems = fields.problems()
        if not problems:
            return _save(current, fields, sender=facilitator, for_account=current.author_id)
    raise Refused(_("Please fill in the fields marked below. Nothing is lost."), problems=problems)


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
            taken_by="",
            updated_at=utcnow(),
        ).where((WitnessDraft.id == draft.id) & (WitnessDraft.status == "draft")).execute()
        audit.record("draft.discarded", actor=user, case=draft.case_id, draft=draft.id)


def correct(draft, user, account, reason, based_on):
    """A volunteer's correction of their own account, shortly after: a new revision of the
    entry as it is now (``based_on`` is the revision they saw)."""
    if not policy.may_correct_draft(user, draft):
        raise Refused(_("The time to correct this account has passed. Tell a facilitator instead."))
    entry = draft.entry
    if entry.redacted_at:
        raise Stale(_("A facilitator redacted this account; it can no longer be corrected here."))
    if not (account or "").strip():
        raise Refused(_("Write what they saw and heard."), "account")
    latest = entries.latest_revision(entry)
    try:
        entries.correct_entry(
            entry,
            user,
            account,
            reason or "Corrected by the person who took it",  # stored in the entry's history
            based_on,
            witness=entries.witness_of(latest.body),
        )
    except Stale as stale:
        raise Stale(
            _(
                "A facilitator changed this account a moment ago. Here it is as it is now; "
                "make your correction again if it is still needed."
            )
        ) from stale
    except Refused as refused:
        raise Refused(refused.message, TABLET_FIELDS.get(refused.field, "account")) from refused


def stale_drafts(user):
    """Drafts nobody is finishing, for facilitators' Due page (case and author, never text):
    untouched for a day, or at once when their author's account was turned off."""
    cutoff = utcnow() - timedelta(hours=STALE_HOURS)
    query = (
        WitnessDraft.select(WitnessDraft, User)
        .join(User, on=(WitnessDraft.author == User.id))
        .where(
            (WitnessDraft.status == "draft")
            & ((WitnessDraft.updated_at < cutoff) | (User.is_active_account == False))  # noqa: E712
        )
    )
    excluded = policy.excluded_case_ids(user)
    if excluded:
        query = query.where(WitnessDraft.case.is_null() | WitnessDraft.case.not_in(excluded))
    return list(query.order_by(WitnessDraft.updated_at))


def orphaned_draft_or_none(user, key):
    """A draft whose author was turned off, when ``user`` may see its case, or None."""
    return next((d for d in stale_drafts(user) if d.key == key and not d.author.is_active), None)
