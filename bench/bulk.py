"""A bulk seed for boards of 100,000 cases: copies of cases built by the domain functions.

Filing 100,000 cases through ``rj.demo`` takes the best part of an hour; copying them
with SQL takes seconds. Each copy writes the rows the domain functions wrote for its
template: the case (a reference of its own, ``RJ-<1900 + copy>-<template's number>``,
with the reference counter of that year), its facts revision, its people and parties,
acknowledgement, entries and their revisions, meetings, actions, community assessment,
check-ins and reflection, every id and foreign key moved on by a fixed step per copy.
The triggers keep the board's tally as for any insert. Not copied: the audit records,
which no board or count reads (the chain of a copied database stays whole and short).
"""

from rj import db
from rj.models import Case

# (table, the column that ties a row to a template case, how) in an order that keeps
# foreign keys satisfied. "case" rows belong to a template case by case_id; the others
# through their parent.
OF_TEMPLATES = "case_id IN (SELECT id FROM seed_template)"
TABLES = (
    ("cases", "id IN (SELECT id FROM seed_template)"),
    ("case_facts", OF_TEMPLATES),
    ("person", f"id IN (SELECT person_id FROM party WHERE {OF_TEMPLATES})"),
    ("party", OF_TEMPLATES),
    ("representative", f"party_id IN (SELECT id FROM party WHERE {OF_TEMPLATES})"),
    ("acknowledgement", OF_TEMPLATES),
    ("entry", OF_TEMPLATES),
    ("entry_revision", f"entry_id IN (SELECT id FROM entry WHERE {OF_TEMPLATES})"),
    ("meeting", OF_TEMPLATES),
    ("action", OF_TEMPLATES),
    ("community_assessment", OF_TEMPLATES),
    ("checkin", OF_TEMPLATES),
    ("reflection", OF_TEMPLATES),
)
# Foreign key columns that move with a copy, and the table they point at.
MOVES = {
    "case_id": "cases",
    "person_id": "person",
    "party_id": "party",
    "audience_party_id": "party",
    "entry_id": "entry",
}


def _columns(table):
    return [row[1] for row in db.database.execute_sql(f'PRAGMA table_info("{table}")')]


def clone_open_cases(wanted):
    """Add about ``wanted`` open cases (SQLite), copying the open cases there are."""
    database = db.database
    templates = [r[0] for r in Case.select(Case.id).where(Case.stage != "closed").tuples()]
    if not templates or wanted <= 0:
        return 0
    steps = {
        table: database.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
        for table, _ in TABLES
    }
    columns = {table: _columns(table) for table, _ in TABLES}
    added, copy = 0, 0
    with db.write_tx():
        database.execute_sql("CREATE TEMP TABLE seed_template (id INTEGER PRIMARY KEY)")
        while added < wanted:
            copy += 1
            batch = templates[: wanted - added]
            database.execute_sql("DELETE FROM seed_template")
            database.execute_sql(
                "INSERT INTO seed_template (id) VALUES " + ",".join(f"({i})" for i in batch)
            )
            for table, belongs in TABLES:
                exprs = []
                for column in columns[table]:
                    if column == "id":
                        exprs.append(f"id + {copy * steps[table]}")
                    elif column in MOVES and MOVES[column] in steps:
                        step = copy * steps[MOVES[column]]
                        exprs.append(f"{column} + {step}")
                    elif table == "cases" and column == "reference":
                        exprs.append(f"printf('RJ-%04d-', {1900 + copy}) || substr(reference, 9)")
                    else:
                        exprs.append(f'"{column}"')
                names = ", ".join(f'"{c}"' for c in columns[table])
                database.execute_sql(
                    f'INSERT INTO "{table}" ({names}) SELECT {", ".join(exprs)} '
                    f'FROM "{table}" WHERE {belongs}'
                )
            database.execute_sql(
                "INSERT OR REPLACE INTO reference_counter (year, last) SELECT ?, "
                "MAX(CAST(substr(reference, 9) AS INTEGER)) FROM cases WHERE reference LIKE ?",
                (1900 + copy, f"RJ-{1900 + copy}-%"),
            )
            added += len(batch)
        database.execute_sql("DROP TABLE seed_template")
    db.checkpoint()
    return added
