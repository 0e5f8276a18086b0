"""Raising a concern publicly or from "My cases".

A case records how it came in (``raised_via``) and when a facilitator first opened
it (``opened_at``); a concern raised publicly has no account behind it, so the case's
``created_by``, the author of its facts and an entry's author (and its revisions')
may be empty. Receipts keep the SHA-256 of their code, never the code.
"""

import datetime

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("cases", "raised_via", CharField(max_length=12, default="staff")),
        migrator.add_column("cases", "opened_at", DateTimeField(null=True)),
        migrator.drop_not_null("cases", "created_by_id"),
        migrator.drop_not_null("case_facts", "author_id"),
        migrator.drop_not_null("entry", "author_id"),
        migrator.drop_not_null("entry_revision", "author_id"),
        # The board's notice reads the few cases nobody has opened yet.
        migrator.add_index("cases", ("opened_at", "severity"), False),
    )

    class Case(Model):
        class Meta:
            database = db
            table_name = "cases"

    class ConcernReceipt(Model):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        code_hash = CharField(max_length=64, unique=True)
        submission = CharField(max_length=64, unique=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            database = db
            table_name = "concern_receipt"
            legacy_table_names = False

    db.create_tables([ConcernReceipt])
    # Every case filed before this was filed by staff, who had it open as they filed it.
    db.execute_sql("UPDATE cases SET opened_at = created_at")
