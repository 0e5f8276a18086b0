"""A covering index for the board's per-stage counts, so they read the index, not the rows."""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("cases", ("stage", "closed_at", "updated_at", "version"), False)
    )
