"""Case facts as revisions: a correction adds one, a redaction blanks text in all of them.

Every existing case gets revision 1 from its current facts, by whoever filed it.
"""

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
        title = CharField(max_length=120)
        what_happened = TextField()
        occurred_at = DateTimeField()
        location = CharField(max_length=200)
        people_involved = TextField(default="")
        raised_by = TextField(default="")
        safety_steps = TextField(default="")
        created_by = ForeignKeyField(User)
        created_at = DateTimeField()

        class Meta:
            table_name = "cases"

    class CaseFacts(BaseModel):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        number = IntegerField()
        title = CharField(max_length=120)
        what_happened = TextField(default="")
        occurred_at = DateTimeField()
        location = CharField(max_length=200, default="")
        people_involved = TextField(default="")
        raised_by = TextField(default="")
        safety_steps = TextField(default="")
        author = ForeignKeyField(User)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        reason = TextField(default="")

        class Meta:
            table_name = "case_facts"
            indexes = ((("case", "number"), True),)

    class CaseRedaction(BaseModel):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        fields = CharField(max_length=200)
        by = ForeignKeyField(User)
        at = DateTimeField(default=datetime.datetime.utcnow)
        reason = TextField()
        digest = CharField(max_length=64)

        class Meta:
            table_name = "case_redaction"

    migrator.migrate(migrator.add_column("cases", "facts_revision", IntegerField(default=1)))
    db.create_tables([CaseFacts, CaseRedaction])
    CaseFacts.insert_from(
        Case.select(
            Case.id,
            Value(1),
            Case.title,
            Case.what_happened,
            Case.occurred_at,
            Case.location,
            Case.people_involved,
            Case.raised_by,
            Case.safety_steps,
            Case.created_by,
            Case.created_at,
            Value(""),
        ),
        [
            CaseFacts.case,
            CaseFacts.number,
            CaseFacts.title,
            CaseFacts.what_happened,
            CaseFacts.occurred_at,
            CaseFacts.location,
            CaseFacts.people_involved,
            CaseFacts.raised_by,
            CaseFacts.safety_steps,
            CaseFacts.author,
            CaseFacts.created_at,
            CaseFacts.reason,
        ],
    ).execute()
