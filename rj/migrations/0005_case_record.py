"""The case record: who raised a case, redactions that keep who, when and why, and files."""

import datetime

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("cases", "raised_by", TextField(default="")),
        migrator.add_column("cases", "people_involved", TextField(default="")),
        migrator.add_column("entry", "redacted_by_id", IntegerField(null=True)),
        migrator.add_column("entry", "redaction_reason", TextField(default="")),
        migrator.add_column("entry", "redaction_sha256", CharField(max_length=64, null=True)),
    )

    class Entry(Model):
        class Meta:
            database = db
            table_name = "entry"

    class EntryFile(Model):
        entry = ForeignKeyField(Entry, backref="files", on_delete="CASCADE")
        original_name = CharField(max_length=255)
        stored_name = CharField(max_length=80, unique=True)
        content_type = CharField(max_length=80)
        size = IntegerField()
        sha256 = CharField(max_length=64)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            database = db
            table_name = "entry_file"

    db.create_tables([EntryFile])
