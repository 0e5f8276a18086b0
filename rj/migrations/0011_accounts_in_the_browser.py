"""Accounts run from the browser: sessions kept on the server, set-up codes that expire,
two-factor sign-in with recovery codes, one-time case codes that link an existing account
to a case,.

(The account an audit record is about is 0008a's column.)"""

import datetime

from peewee import *


def up(migrator, db):
    class BaseModel(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(BaseModel):
        class Meta:
            table_name = "account"

    class Case(BaseModel):
        class Meta:
            table_name = "cases"

    class Party(BaseModel):
        class Meta:
            table_name = "party"

    migrator.migrate(
        migrator.add_column("account", "setup_code_expires_at", DateTimeField(null=True)),
        migrator.add_column("account", "totp_secret", CharField(max_length=64, null=True)),
        migrator.add_column("account", "totp_enabled_at", DateTimeField(null=True)),
        migrator.add_column("account", "totp_last_step", BigIntegerField(null=True)),
    )

    class UserSession(BaseModel):
        token_hash = CharField(max_length=64, unique=True)
        user = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        last_seen_at = DateTimeField(default=datetime.datetime.utcnow)
        browser = CharField(max_length=200, default="")
        address = CharField(max_length=64, default="")
        ended_at = DateTimeField(null=True)
        ended_why = CharField(max_length=40, default="")

        class Meta:
            table_name = "user_session"
            indexes = ((("user", "ended_at"), False),)

    class RecoveryCode(BaseModel):
        user = ForeignKeyField(User, on_delete="CASCADE")
        code_hash = CharField(max_length=255)
        used_at = DateTimeField(null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "recovery_code"

    class CaseCode(BaseModel):
        code_hash = CharField(max_length=64, unique=True)
        party = ForeignKeyField(Party, on_delete="CASCADE")
        kind = CharField(max_length=20)  # "party" or "representative"
        created_by = ForeignKeyField(User)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        used_by = ForeignKeyField(User, null=True)

        class Meta:
            table_name = "case_code"

    db.create_tables([UserSession, RecoveryCode, CaseCode])
