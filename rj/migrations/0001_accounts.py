"""Accounts and settings."""

import datetime

from peewee import *


def up(migrator, db):
    class User(Model):
        username = CharField(max_length=64, unique=True)
        display_name = CharField(max_length=120)
        role = CharField(max_length=20)
        password_hash = CharField(max_length=255)
        active = BooleanField(default=True)
        must_change_password = BooleanField(default=False)
        session_epoch = IntegerField(default=0)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        last_sign_in_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "account"

    class Setting(Model):
        key = CharField(max_length=80, primary_key=True)
        value = TextField()

        class Meta:
            database = db
            table_name = "setting"

    db.create_tables([User, Setting])
