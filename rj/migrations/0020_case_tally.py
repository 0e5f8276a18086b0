"""Exact board counts and a change counter, kept by the database itself.

``case_tally`` holds, per stage and slot, how many cases are in that stage and how
many changes cases have had. Triggers on ``cases`` keep it on every insert, update
and delete, whatever wrote the row. The slot is the case id modulo SLOTS, so two
writers share a row only when their cases share a slot; a move updates its two
rows in a fixed order (by stage name), so two movers never wait on each other in
a circle. See rj/tally.py.
"""

from playhouse.migrate import PostgresqlMigrator

SLOTS = 32  # CaseTally.SLOTS; written out in the SQL below

TABLE = """
CREATE TABLE case_tally (
    stage VARCHAR(20) NOT NULL,
    slot INTEGER NOT NULL,
    cases INTEGER NOT NULL DEFAULT 0,
    changes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (stage, slot)
)
"""

FILL = """
INSERT INTO case_tally (stage, slot, cases, changes)
SELECT stage, MOD(id, 32), COUNT(*), COUNT(*) FROM cases GROUP BY stage, MOD(id, 32)
"""

# One upsert per row: the row may be missing (a new stage, or a table emptied by TRUNCATE).
SQLITE_ADD = """
INSERT INTO case_tally (stage, slot, cases, changes) VALUES ({stage}, {id} % {slots}, {n}, {c})
ON CONFLICT (stage, slot) DO UPDATE
SET cases = cases + excluded.cases, changes = changes + excluded.changes;
"""

SQLITE_TRIGGERS = (
    "CREATE TRIGGER case_tally_insert AFTER INSERT ON cases BEGIN "
    + SQLITE_ADD.format(stage="NEW.stage", id="NEW.id", slots=SLOTS, n=1, c=1)
    + " END",
    "CREATE TRIGGER case_tally_update AFTER UPDATE ON cases WHEN OLD.stage IS NEW.stage BEGIN "
    + SQLITE_ADD.format(stage="NEW.stage", id="NEW.id", slots=SLOTS, n=0, c=1)
    + " END",
    "CREATE TRIGGER case_tally_move AFTER UPDATE ON cases WHEN OLD.stage IS NOT NEW.stage BEGIN "
    + SQLITE_ADD.format(stage="OLD.stage", id="OLD.id", slots=SLOTS, n=-1, c=0)
    + SQLITE_ADD.format(stage="NEW.stage", id="NEW.id", slots=SLOTS, n=1, c=1)
    + " END",
    "CREATE TRIGGER case_tally_delete AFTER DELETE ON cases BEGIN "
    + SQLITE_ADD.format(stage="OLD.stage", id="OLD.id", slots=SLOTS, n=-1, c=1)
    + " END",
)

POSTGRES_FUNCTIONS = (
    """
CREATE OR REPLACE FUNCTION mend_case_tally_add(s VARCHAR, case_id BIGINT, n INTEGER, c INTEGER)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO case_tally (stage, slot, cases, changes) VALUES (s, MOD(case_id, 32), n, c)
    ON CONFLICT (stage, slot) DO UPDATE
    SET cases = case_tally.cases + EXCLUDED.cases,
        changes = case_tally.changes + EXCLUDED.changes
$$
""",
    """
CREATE OR REPLACE FUNCTION mend_case_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM mend_case_tally_add(NEW.stage, NEW.id, 1, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM mend_case_tally_add(OLD.stage, OLD.id, -1, 1);
    ELSIF OLD.stage IS NOT DISTINCT FROM NEW.stage THEN
        PERFORM mend_case_tally_add(NEW.stage, NEW.id, 0, 1);
    ELSIF OLD.stage < NEW.stage THEN
        -- Two rows, always locked in the order of their stage names.
        PERFORM mend_case_tally_add(OLD.stage, OLD.id, -1, 0);
        PERFORM mend_case_tally_add(NEW.stage, NEW.id, 1, 1);
    ELSE
        PERFORM mend_case_tally_add(NEW.stage, NEW.id, 1, 1);
        PERFORM mend_case_tally_add(OLD.stage, OLD.id, -1, 0);
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER case_tally AFTER INSERT OR UPDATE OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION mend_case_tally()
""",
)


def up(migrator, db):
    postgres = isinstance(migrator, PostgresqlMigrator)
    db.execute_sql(TABLE)
    # SQLite has MOD only when built with its math functions; % is the same for ids.
    db.execute_sql(FILL if postgres else FILL.replace("MOD(id, 32)", "id % 32"))
    for statement in POSTGRES_FUNCTIONS if postgres else SQLITE_TRIGGERS:
        db.execute_sql(statement)
