"""Raising a concern: a participant from "My cases", or anyone on the public page (where
the organisation allows it), who then holds a receipt code.

A title never carries anyone's words: Mend titles a raised concern "Concern raised on
26 Nov" until a facilitator writes a neutral one. The person's own account is kept as
a statement for the facilitators (and their own side, once they are a party), never
in the case's facts, which the board shows.

A receipt code is 20 characters of Crockford's base 32 (100 random bits), shown once
and kept only as its SHA-256: with that many bits a plain hash cannot be reversed by
trying codes. Its holder sees the stage of the concern in plain words and can add
information for the facilitators; nothing else.
"""

import hashlib
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from rj import audit, cases, db, entries, i18n, settings
from rj.clock import utcnow
from rj.models import Case, ConcernReceipt, Entry, Person
from rj.refusals import Refused
from rj.vocabulary import UNASSESSED

PUBLIC_FILING = "public_filing"  # the setting that opens the public page

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O or U
CODE_LENGTH = 20
# What people type by mistake, as Crockford's base 32 reads it.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})

# The most each field of a raised concern holds; the forms state the same.
LIMITS = {
    "what_happened": 5000,
    "when_where": 300,
    "name": 120,
    "contact": 200,
    "more": 5000,
}
LABELS = {
    "what_happened": _l("What happened"),
    "when_where": _l("When and where"),
    "name": _l("Your name"),
    "contact": _l("How to reach you"),
    "more": _l("What you want to add"),
}


def public_filing_open():
    """Whether the organisation lets anyone raise a concern without an account."""
    return bool(settings.get(PUBLIC_FILING, False))


def title_for(at):
    """The title Mend gives a raised concern: only the day it came in."""
    return f"Concern raised on {i18n.day_text(at)}"


# --- Receipt codes -----------------------------------------------------------------


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown(code):
    """A code as it is printed: groups of four, easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalised(text):
    """A code as typed (any case, spaces or dashes, O for 0), as it was issued; None when
    it cannot be a code at all."""
    code = "".join((text or "").split()).replace("-", "").upper().translate(_READS_AS)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def code_hash(code):
    """The SHA-256 a code is kept as (and looked up and counted by)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def typed_code_hash(text):
    """The hash of a typed code, or of the text when it is no code: every lookup is
    counted by something, and nothing typed is kept."""
    code = normalised(text)
    return code_hash(code) if code else hashlib.sha256((text or "").encode()).hexdigest()


# --- What a person tells us -------------------------------------------------------------


def _too_long(key, value):
    """What a person is told when their answer to ``key`` is over its limit."""
    limit = LIMITS[key]
    return ngettext(
        "%(label)s can be at most %(limit)s character: this has %(length)s. "
        "Shorten it; nothing is lost meanwhile.",
        "%(label)s can be at most %(limit)s characters: this has %(length)s. "
        "Shorten it; nothing is lost meanwhile.",
        limit,
        label=LABELS[key],
        limit=i18n.number_text(limit),
        length=i18n.number_text(len(value)),
    )


@dataclass
class Concern:
    what_happened: str = ""
    when_where: str = ""
    name: str = ""
    contact: str = ""

    def __post_init__(self):
        for key in vars(self):
            setattr(self, key, (getattr(self, key) or "").strip())

    def check(self, required=("what_happened",)):
        problems = {}
        for key in required:
            if not getattr(self, key):
                problems[key] = _("Tell us what happened.")
        for key, value in vars(self).items():
            if len(value) > LIMITS[key]:
                problems[key] = _too_long(key, value)
        if problems:
            raise Refused(_("Please correct the answers marked below."), problems=problems)

    def statement(self, publicly):
        """The person's account as a statement: their words, and for the public who they
        are and how to reach them (a facilitator adds them as a person)."""
        parts = [self.what_happened]
        if self.when_where:
            parts.append(f"When and where: {self.when_where}")
        if publicly:
            parts.append(f"Name: {self.name}" if self.name else "Did not give a name.")
            if self.contact:
                parts.append(f"How to reach them: {self.contact}")
        return "\n\n".join(parts)


# --- Raising one -------------------------------------------------------------------------


def _file(by, raised_via, now):
    return cases.file_case(
        by,
        kind="complaint",
        title=title_for(now),
        what_happened="",  # their words stay in their statement; a facilitator writes the facts
        occurred_at=now,
        location="",
        severity=UNASSESSED,
        raised_by=by.display_name if by else "",
        raised_via=raised_via,
    )


def raise_own(user, concern):
    """A signed-in participant's complaint about their own experience: in Filed, with
    them as a party on the harmed side and their account as a statement for the
    facilitators and their side."""
    concern.check()
    with db.write_tx():
        now = utcnow()
        case = _file(user, "participant", now)
        known = Person.select().where(Person.user == user.id).order_by(Person.id.desc()).first()
        person = known or cases.add_person(user.display_name, user=user)
        party = cases.add_party(case, person, "harmed", user)
        entries.add_entry(
            case,
            user,
            "statement",
            concern.statement(publicly=False),
            audience="party",
            party=party,
        )
    return case


def raise_publicly(concern, submission):
    """A concern raised without an account. Returns (case, code): the code is shown once
    and kept only as its hash. ``submission`` is the form's one-time key: sent again (a
    double tap), it files nothing new and issues a fresh code for the same concern,
    since the first was never seen."""
    concern.check()
    if not public_filing_open():
        raise Refused(_("Raising a concern here is not open."), status=404)
    key = hashlib.sha256((submission or "").encode()).hexdigest()
    code = new_code()
    with audit.publicly(), db.write_tx():
        earlier = db.locked(ConcernReceipt.select().where(ConcernReceipt.submission == key))
        earlier = earlier.first() if submission else None
        if earlier is not None:
            ConcernReceipt.update(code_hash=code_hash(code)).where(
                ConcernReceipt.id == earlier.id
            ).execute()
            audit.record("receipt.reissued", case=earlier.case_id)
            return Case.get_by_id(earlier.case_id), code
        case = _file(None, "public", utcnow())
        entries.add_entry(
            case, None, "statement", concern.statement(publicly=True), audience="facilitators"
        )
        ConcernReceipt.create(
            case=case, code_hash=code_hash(code), submission=key if submission else code_hash(code)
        )
    return case, code


# --- The receipt code's holder -----------------------------------------------------------


def case_for_code(text):
    """The concern a typed receipt code belongs to, or None: the same None for a code
    that was never issued and for one whose concern is gone."""
    code = normalised(text)
    if code is None:
        return None
    return (
        Case.kept()
        .join(ConcernReceipt, on=(ConcernReceipt.case == Case.id))
        .where(ConcernReceipt.code_hash == code_hash(code))
        .first()
    )


def viewed_with_code(case):
    """The holder of the code saw the concern's stage: recorded, with no address."""
    with audit.publicly(), db.write_tx():
        audit.record("receipt.used", case=case)


def add_information(case, text):
    """More information from the code's holder: a statement for the facilitators. The
    same text sent twice in a row (a reload, a double tap) is kept once."""
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write what you want to add."), "more")
    if len(text) > LIMITS["more"]:
        raise Refused(_too_long("more", text), "more")
    if case.stage == "closed":
        raise Refused(
            _(
                "This concern is closed, so nothing more can be added here. If something new "
                "happened, tell a staff member or raise a new concern."
            ),
            "more",
        )
    with audit.publicly(), db.write_tx():
        latest = (
            Entry.select(Entry.body)
            .where((Entry.case == case) & Entry.author.is_null())
            .order_by(Entry.id.desc())
            .first()
        )
        if latest is not None and latest.body == text:
            return False
        entries.add_entry(case, None, "statement", text, audience="facilitators")
    return True
