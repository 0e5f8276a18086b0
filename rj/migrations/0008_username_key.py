"""Usernames are unique without regard to case: ``Farah`` and ``farah`` are one account.

``username_key`` holds the username case-folded (Unicode NFKC, then casefold), the same
in Python on SQLite and PostgreSQL alike, under a unique index. Accounts that already
clash keep working: the later ones are renamed ``<name>-<id>`` and listed on stderr.
"""

import sys
import unicodedata

from peewee import *


def _key(username):
    return unicodedata.normalize("NFKC", username).casefold()


def up(migrator, db):
    class Account(Model):
        username = CharField(max_length=64)
        username_key = CharField(max_length=64, null=True)

        class Meta:
            database = db
            table_name = "account"

    migrator.migrate(migrator.add_column("account", "username_key", Account.username_key))
    seen = set()
    for account in Account.select(Account.id, Account.username).order_by(Account.id):
        username, key = account.username, _key(account.username)
        if key in seen:
            username = f"{username}-{account.id}"[:64]
            key = _key(username)
            print(
                f"Account {account.id} renamed to {username!r}: its username differed from "
                "another only by case.",
                file=sys.stderr,
            )
        seen.add(key)
        Account.update(username=username, username_key=key).where(
            Account.id == account.id
        ).execute()
    migrator.migrate(migrator.add_index("account", ("username_key",), True))
