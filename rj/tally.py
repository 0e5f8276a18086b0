"""How many cases each stage holds, and how many changes cases have had, as the database
keeps them.

Triggers on ``cases`` (migration 0020) keep CaseTally on every insert, update and
delete, whoever wrote the row, so the counts cannot drift from the cases. Each
stage's figures are spread over slots (the case id modulo ``CaseTally.SLOTS``): a
write updates the row of its case's slot, so writers to different cases rarely
share a row, and a move updates its two rows in the order of their stage names,
so two movers never wait for each other in a circle.

Reading costs the same whatever the number of cases: a few hundred small rows.
The change counter only grows and is read in one statement, so it tells a poll that
something changed even when several servers' clocks disagree, or when the writes
commit in another order than they began.
"""

from peewee import SQL, fn

from rj.models import Case, CaseTally


def read(hidden_ids=()):
    """``(cases per stage, changes)`` in one statement: the stages holding cases, less the
    cases in ``hidden_ids`` (where a user is a party or recused), and the total number
    of changes made to cases so far (it only ever grows)."""
    kept = CaseTally.select(CaseTally.stage, CaseTally.cases, CaseTally.changes)
    if hidden_ids:
        hidden = (
            Case.select(Case.stage, fn.COUNT(Case.id) * -1, SQL("0"))
            .where(Case.id.in_(list(hidden_ids)))
            .group_by(Case.stage)
        )
        kept = kept + hidden  # UNION ALL
    rows = kept.alias("kept")
    query = (
        CaseTally.select(rows.c.stage, fn.SUM(rows.c.cases), fn.SUM(rows.c.changes))
        .from_(rows)
        .group_by(rows.c.stage)
        .tuples()
    )
    totals, changes = {}, 0
    for stage, cases, stage_changes in query:
        if cases:
            totals[stage] = int(cases)
        changes += int(stage_changes or 0)
    return totals, changes


def recount():
    """Count the cases afresh, per stage: what the tally must agree with (for checks)."""
    return dict(Case.select(Case.stage, fn.COUNT(Case.id)).group_by(Case.stage).tuples())
