"""An index on when each case last changed: the board's poll asks for the latest."""


def up(migrator, db):
    migrator.migrate(migrator.add_index("cases", ("updated_at",), False))
