"""Tables. No request, no Flask: plain peewee models and small query scopes."""

import unicodedata

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from rj.clock import utcnow
from rj.db import database
from rj.vocabulary import ROLE_LABELS, ROLES


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


STAFF_ROLES = ("facilitator", "admin")


def username_key(username):
    """A username as it is compared: ``Farah`` and ``farah`` are the same account."""
    return unicodedata.normalize("NFKC", username.strip()).casefold()


class User(BaseModel):
    username = CharField(max_length=64, unique=True)
    # username_key() of the username, under a unique index (see migration 0008).
    username_key = CharField(max_length=64, unique=True, null=True)
    display_name = CharField(max_length=120)
    role = CharField(max_length=20, choices=[(r, r) for r in ROLES])
    password_hash = CharField(max_length=255)
    is_active_account = BooleanField(default=True, column_name="active")
    must_change_password = BooleanField(default=False)
    # Part of the session id: bumping it ends every other session of this user.
    session_epoch = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    last_sign_in_at = DateTimeField(null=True)
    # A one-time set-up code (in password_hash while must_change_password) expires.
    setup_code_expires_at = DateTimeField(null=True)
    # Two-factor sign-in (TOTP): the shared secret, when it was turned on, and the last
    # time step a code was accepted for (a code works once).
    totp_secret = CharField(max_length=64, null=True)
    totp_enabled_at = DateTimeField(null=True)
    totp_last_step = BigIntegerField(null=True)

    class Meta:
        table_name = "account"

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        return super().save(*args, **kwargs)

    @classmethod
    def active(cls):
        """Accounts that can sign in, by name."""
        return (
            cls.select()
            .where(cls.is_active_account == True)  # noqa: E712
            .order_by(cls.display_name, cls.id)
        )

    @classmethod
    def staff(cls):
        """Active facilitators and coordinators, by name: who may lead, own or review."""
        return cls.active().where(cls.role.in_(STAFF_ROLES))

    @classmethod
    def representatives_for(cls, party):
        """Active representative accounts not yet representing ``party``, by name."""
        taken = Representative.select(Representative.user).where(Representative.party == party)
        return cls.active().where((cls.role == "representative") & cls.id.not_in(taken))

    @classmethod
    def named(cls, username):
        """The account with this username, whatever its case, or None."""
        return cls.get_or_none(cls.username_key == username_key(username or ""))

    # Flask-Login's interface, spelled out rather than mixed in.
    is_anonymous = False

    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.is_active_account

    def get_id(self):
        return f"{self.id}:{self.session_epoch}"

    @property
    def initials(self):
        words = [w for w in self.display_name.replace("-", " ").split() if w]
        return "".join(w[0] for w in words[:3]).upper() or self.username[:2].upper()

    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.role)


class Setting(BaseModel):
    """Organisation settings and markers (e.g. ``demo``), one JSON value per key."""

    key = CharField(max_length=80, primary_key=True)
    value = TextField()


# --- Cases -----------------------------------------------------------------

# The stage of a purged case: a tombstone on no board and in no list (rj/retention.py).
PURGED = "purged"


class Case(BaseModel):
    reference = CharField(max_length=20, unique=True)
    kind = CharField(max_length=20)
    title = CharField(max_length=120)
    what_happened = TextField()
    occurred_at = DateTimeField()
    location = CharField(max_length=200)
    severity = CharField(max_length=10)
    stage = CharField(max_length=20, index=True)
    stage_entered_at = DateTimeField(default=utcnow)
    stage_due_on = DateField(null=True)  # the stage's time target, fixed when it was entered
    appeal_return_stage = CharField(max_length=20, null=True)
    rank = FloatField(default=0)  # order within its column
    version = IntegerField(default=1)
    lead = ForeignKeyField(User, null=True, backref="led_cases", on_delete="SET NULL")
    # None for a concern raised publicly: no account stands behind it.
    created_by = ForeignKeyField(User, null=True, backref="filed_cases")
    created_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True)
    updated_at = DateTimeField(default=utcnow)
    safety_steps = TextField(default="")
    decision_communicated_on = DateField(null=True)
    close_kind = CharField(max_length=20, null=True)
    close_reason = TextField(null=True)
    duplicate_of = CharField(max_length=20, null=True)
    closed_at = DateTimeField(null=True)
    raised_by = TextField(default="")  # who raised it, in the words of the intake
    people_involved = TextField(default="")  # known people or a description
    facts_revision = IntegerField(default=1)  # the CaseFacts revision the columns above hold
    raised_via = CharField(max_length=12, default="staff")  # vocabulary.RAISED_VIA_LABELS
    # When a facilitator first opened the case page: until then an unassessed concern
    # stands in the board's notice.
    opened_at = DateTimeField(null=True)

    @classmethod
    def kept(cls):
        """Cases that were not purged (a purged case is a tombstone: rj/retention.py)."""
        return cls.select().where(cls.stage != PURGED)

    def touch(self, by):
        """Mark the case as changed now, by ``by`` (None for a change made publicly, by a
        receipt code's holder): every write to a case updates its row, which advances the
        board's change counter (CaseTally)."""
        Case.update(updated_at=utcnow(), updated_by=by.id if by else None).where(
            Case.id == self.id
        ).execute()

    class Meta:
        table_name = "cases"
        indexes = (
            (("stage", "rank", "id"), False),
            (("stage", "closed_at", "updated_at", "version"), False),
            (("updated_at",), False),
            (("opened_at", "severity"), False),
        )


class CaseTally(BaseModel):
    """Per stage and slot (the case id modulo SLOTS): how many cases are in the stage,
    and how many changes cases have had. Kept by triggers on ``cases`` (migration
    0020), never written by Mend itself; read by rj/tally.py."""

    SLOTS = 32

    stage = CharField(max_length=20)
    slot = IntegerField()
    cases = IntegerField(default=0)
    changes = BigIntegerField(default=0)

    class Meta:
        table_name = "case_tally"
        primary_key = CompositeKey("stage", "slot")


# The facts of a case, as filed and as corrected: revisions, like entries.
FACT_FIELDS = (
    "title",
    "what_happened",
    "occurred_at",
    "location",
    "people_involved",
    "raised_by",
    "safety_steps",
)
TEXT_FACT_FIELDS = tuple(f for f in FACT_FIELDS if f != "occurred_at")


class CaseFacts(BaseModel):
    """One revision of a case's facts. The case row holds the latest, for the board;
    a correction adds a revision, and a redaction blanks text in every one of them."""

    case = ForeignKeyField(Case, backref="facts_revisions", on_delete="CASCADE")
    number = IntegerField()
    title = CharField(max_length=120)
    what_happened = TextField(default="")
    occurred_at = DateTimeField()
    location = CharField(max_length=200, default="")
    people_involved = TextField(default="")
    raised_by = TextField(default="")
    safety_steps = TextField(default="")
    author = ForeignKeyField(User, null=True)  # None: raised publicly
    created_at = DateTimeField(default=utcnow)
    reason = TextField(default="")

    class Meta:
        table_name = "case_facts"
        indexes = ((("case", "number"), True),)


class CaseRedaction(BaseModel):
    """Facts of a case blanked in every revision: which, who, when, why, and a keyed
    digest of what was removed (never the text)."""

    case = ForeignKeyField(Case, backref="redactions", on_delete="CASCADE")
    fields = CharField(max_length=200)  # comma-separated names from TEXT_FACT_FIELDS
    by = ForeignKeyField(User)
    at = DateTimeField(default=utcnow)
    reason = TextField()
    digest = CharField(max_length=64)

    class Meta:
        table_name = "case_redaction"


class ReferenceCounter(BaseModel):
    year = IntegerField(primary_key=True)
    last = IntegerField(default=0)

    class Meta:
        table_name = "reference_counter"


class Person(BaseModel):
    name = CharField(max_length=120)
    pronouns = CharField(max_length=40, default="")
    contact = CharField(max_length=200, default="")
    user = ForeignKeyField(User, null=True, backref="people", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)


class Party(BaseModel):
    case = ForeignKeyField(Case, backref="parties", on_delete="CASCADE")
    person = ForeignKeyField(Person, backref="parties")
    side = CharField(max_length=10)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("case", "person"), True),)


class Representative(BaseModel):
    party = ForeignKeyField(Party, backref="representatives", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="representing")

    class Meta:
        indexes = ((("party", "user"), True),)


class Conflict(BaseModel):
    """A facilitator's declared conflict of interest: they are recused from the case."""

    case = ForeignKeyField(Case, backref="conflicts", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="conflicts")
    note = TextField(default="")
    declared_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("case", "user"), True),)


class Acknowledgement(BaseModel):
    case = ForeignKeyField(Case, backref="acknowledgements", on_delete="CASCADE")
    by = ForeignKeyField(User)
    at = DateTimeField()
    method = CharField(max_length=20)  # in person, phone, message, letter
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow)


class Entry(BaseModel):
    """A timeline entry: statement, witness account, evidence, finding, note."""

    case = ForeignKeyField(Case, backref="entries", on_delete="CASCADE")
    kind = CharField(max_length=20, index=True)
    audience = CharField(max_length=20)
    audience_party = ForeignKeyField(Party, null=True)
    author = ForeignKeyField(User, null=True)  # None: written publicly, with a receipt code
    created_at = DateTimeField(default=utcnow)
    body = TextField()
    revision = IntegerField(default=1)
    redacted_at = DateTimeField(null=True)
    redacted_by = ForeignKeyField(User, null=True, column_name="redacted_by_id")
    redaction_reason = TextField(default="")
    redaction_sha256 = CharField(max_length=64, null=True)


class EntryFile(BaseModel):
    """A file attached to an entry, stored outside rj/static/ and served after the access check."""

    entry = ForeignKeyField(Entry, backref="files", on_delete="CASCADE")
    original_name = CharField(max_length=255)
    stored_name = CharField(max_length=80, unique=True)
    content_type = CharField(max_length=80)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "entry_file"


class EntryRevision(BaseModel):
    entry = ForeignKeyField(Entry, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    body = TextField()
    author = ForeignKeyField(User, null=True)
    created_at = DateTimeField(default=utcnow)
    reason = TextField(default="")

    class Meta:
        table_name = "entry_revision"
        indexes = ((("entry", "number"), True),)


class Meeting(BaseModel):
    case = ForeignKeyField(Case, backref="meetings", on_delete="CASCADE")
    scheduled_at = DateTimeField()
    place = CharField(max_length=200)
    attendees = TextField()
    minutes = TextField(default="")
    outcome = TextField(default="")
    outcome_recorded_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User)
    created_at = DateTimeField(default=utcnow)


class Action(BaseModel):
    """A restorative action of the decision."""

    case = ForeignKeyField(Case, backref="actions", on_delete="CASCADE")
    party = ForeignKeyField(Party, null=True, backref="actions")
    kind = CharField(max_length=30)
    description = TextField()
    owner = ForeignKeyField(User, null=True, backref="owned_actions")
    due_on = DateField()
    status = CharField(max_length=10, default="open")  # open, done, waived
    waived_reason = TextField(default="")
    created_at = DateTimeField(default=utcnow)


class CommunityAssessment(BaseModel):
    case = ForeignKeyField(Case, backref="community_assessments", on_delete="CASCADE")
    impacted = TextField(default="")
    actions = TextField(default="")
    none_reason = TextField(default="")
    by = ForeignKeyField(User)
    at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "community_assessment"


class CheckIn(BaseModel):
    case = ForeignKeyField(Case, backref="checkins", on_delete="CASCADE")
    due_on = DateField()
    held_at = DateTimeField(null=True)
    notes = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "checkin"


class Reflection(BaseModel):
    case = ForeignKeyField(Case, backref="reflections", on_delete="CASCADE")
    repaired = TextField()
    learned = TextField()
    by = ForeignKeyField(User)
    at = DateTimeField(default=utcnow)


class Appeal(BaseModel):
    case = ForeignKeyField(Case, backref="appeals", on_delete="CASCADE")
    party = ForeignKeyField(Party, null=True)
    grounds = TextField()
    filed_at = DateTimeField(default=utcnow)
    reviewer = ForeignKeyField(User, null=True)
    from_stage = CharField(max_length=20)
    outcome = CharField(max_length=20, null=True)  # upheld, hearing, restoring
    outcome_note = TextField(default="")
    decided_at = DateTimeField(null=True)


class StageHistory(BaseModel):
    """One stay of a case in a stage: when it entered and left, who moved it, and how it
    came in. Written in the transaction of every change of stage (rj/workflow.py,
    ``record_stage``); reports read time in stage, outcomes and appeals from it.

    It holds no content, and the case is named by its id and reference rather than a
    foreign key, so the rows outlive a purge of the case and past reports do not change.
    ``how`` is how the case came in: ``filed``, ``forward``, ``back``, ``reopened``,
    ``appealed``; the kind of closing (``resolved``, ``withdrawn``, ``duplicate``,
    ``referred``); or an appeal's outcome (``appeal_upheld``, ``appeal_hearing``,
    ``appeal_restoring``). ``due_at`` is when the stage's time target ran out (the end of
    its due day in the organisation's zone, as UTC), fixed on entering; None without one.
    """

    case_id = IntegerField(index=True)
    reference = CharField(max_length=20)
    stage = CharField(max_length=20)
    how = CharField(max_length=20)
    entered_at = DateTimeField()
    entered_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    due_at = DateTimeField(null=True)
    left_at = DateTimeField(null=True)
    left_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "stage_history"
        # Reports read stays by how they began (closings, appeals) and by when they ended
        # (time in stage, what was open); these indexes hold all they read.
        indexes = (
            (("how", "entered_at"), False),
            (("left_at", "stage", "entered_at", "due_at", "case_id"), False),
        )


class StageSetting(BaseModel):
    stage = CharField(max_length=20, primary_key=True)
    label = CharField(max_length=40)
    help = TextField(default="")
    target_days = IntegerField(null=True)
    enabled = BooleanField(default=True)

    class Meta:
        table_name = "stage_setting"


class AuditRecord(BaseModel):
    at = DateTimeField(default=utcnow)
    actor = ForeignKeyField(User, null=True, backref="audit_records")
    action = CharField(max_length=40)
    case = ForeignKeyField(Case, null=True, backref="audit_records", on_delete="RESTRICT")
    entry_id = IntegerField(null=True)
    account_id = IntegerField(null=True, index=True)  # the account a record is about
    details = TextField(default="{}")
    address = CharField(max_length=64, default="")
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)

    class Meta:
        table_name = "audit_record"


class ConcernReceipt(BaseModel):
    """The receipt of a concern raised publicly. Its code is shown once and kept only as
    a SHA-256 (``code_hash``); ``submission`` is the SHA-256 of the form's one-time key,
    so a double-tapped submit files one concern."""

    case = ForeignKeyField(Case, backref="receipts", on_delete="CASCADE")
    code_hash = CharField(max_length=64, unique=True)
    submission = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "concern_receipt"


class WitnessDraft(BaseModel):
    """A witness account being written on the tablet, saved as it is typed.

    ``key`` is the draft's id and the idempotency key of its submission: sending it
    twice saves one account. ``token`` is a single-use secret issued with the draft,
    so an account queued offline is still credited to its author after a sign-out.
    """

    key = CharField(max_length=40, unique=True)
    token = CharField(max_length=64)
    author = ForeignKeyField(User, backref="witness_drafts")
    case = ForeignKeyField(Case, null=True, backref="witness_drafts", on_delete="CASCADE")
    # Whatever was typed, however long (limits are checked when it is sent); emptied
    # once the account is saved as an entry, so no copy of it outlives a redaction.
    witness_name = TextField(default="")
    prefers_not_to_say = BooleanField(default=False)
    relation = TextField(default="")
    account = TextField(default="")
    when_where = TextField(default="")
    taken_by = TextField(default="")
    status = CharField(max_length=12, default="draft")  # draft, submitted, discarded
    entry = ForeignKeyField(Entry, null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow, index=True)
    submitted_at = DateTimeField(null=True)

    class Meta:
        table_name = "witness_draft"


class UserSession(BaseModel):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is kept.
    Ending the row ends the session, whatever the cookie says."""

    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    browser = CharField(max_length=200, default="")
    address = CharField(max_length=64, default="")
    ended_at = DateTimeField(null=True)
    ended_why = CharField(max_length=40, default="")

    class Meta:
        table_name = "user_session"
        indexes = ((("user", "ended_at"), False),)


class RecoveryCode(BaseModel):
    """A single-use code that stands in for a two-factor code (only its SHA-256 is kept)."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=255)
    used_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "recovery_code"


class CaseCode(BaseModel):
    """A one-time code that links an account someone already has to a case: as the person
    of a party, or as a representative of it. Only its SHA-256 is kept."""

    code_hash = CharField(max_length=64, unique=True)
    party = ForeignKeyField(Party, backref="case_codes", on_delete="CASCADE")
    kind = CharField(max_length=20)  # "party" or "representative"
    created_by = ForeignKeyField(User)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    used_by = ForeignKeyField(User, null=True)

    class Meta:
        table_name = "case_code"
