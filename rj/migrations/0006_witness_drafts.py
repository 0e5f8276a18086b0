"""Witness accounts being written on the tablet: drafts saved as they are typed."""

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

    class Entry(BaseModel):
        class Meta:
            table_name = "entry"

    class WitnessDraft(BaseModel):
        key = CharField(max_length=40, unique=True)
        token = CharField(max_length=64)
        author = ForeignKeyField(User)
        case = ForeignKeyField(Case, null=True, on_delete="CASCADE")
        witness_name = CharField(max_length=120, default="")
        prefers_not_to_say = BooleanField(default=False)
        relation = CharField(max_length=200, default="")
        account = TextField(default="")
        when_where = CharField(max_length=300, default="")
        taken_by = CharField(max_length=120, default="")
        status = CharField(max_length=12, default="draft")
        entry = ForeignKeyField(Entry, null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        updated_at = DateTimeField(default=datetime.datetime.utcnow, index=True)
        submitted_at = DateTimeField(null=True)

        class Meta:
            table_name = "witness_draft"

    db.create_tables([WitnessDraft])
