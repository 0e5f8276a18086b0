"""The account an audit record is about, as a column (indexed for an account's history).

Numbered to run before 0009, which reads the audit trail through the current model when it
seals a chain of plain records.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("audit_record", "account_id", IntegerField(null=True)),
        migrator.add_index("audit_record", ("account_id",), False),
    )
