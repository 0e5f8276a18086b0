"""Tables. No request, no Flask: plain peewee models and small query scopes."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)

from rj.clock import utcnow
from rj.db import database

ROLES = ("admin", "facilitator", "representative", "participant", "volunteer")
ROLE_LABELS = {
    "admin": "Coordinator (admin)",
    "facilitator": "Facilitator",
    "representative": "Representative",
    "participant": "Participant",
    "volunteer": "Volunteer",
}


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):
    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=120)
    role = CharField(max_length=20, choices=[(r, r) for r in ROLES])
    password_hash = CharField(max_length=255)
    is_active_account = BooleanField(default=True, column_name="active")
    must_change_password = BooleanField(default=False)
    # Part of the session id: bumping it ends every other session of this user.
    session_epoch = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    last_sign_in_at = DateTimeField(null=True)

    class Meta:
        table_name = "account"

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
