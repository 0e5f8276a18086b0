"""Tablet drafts keep whatever was typed, however long: the limits are checked when the
account is sent, so an autosave never refuses (PostgreSQL enforces VARCHAR lengths)."""

from peewee import *
from playhouse.migrate import PostgresqlMigrator


def up(migrator, db):
    if not isinstance(migrator, PostgresqlMigrator):
        return  # SQLite does not enforce a VARCHAR's length
    migrator.migrate(
        *(
            migrator.alter_column_type("witness_draft", column, TextField(default=""))
            for column in ("witness_name", "relation", "when_where", "taken_by")
        )
    )
