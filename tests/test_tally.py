"""The board's counts and change counter, kept by the database: exact for each user,
advanced by every change to a case whatever the clocks say, and kept by concurrent
writers without a deadlock."""

import threading
from datetime import timedelta

from rj import audit, cases, entries, tally, workflow
from rj import db as rjdb
from rj.clock import utcnow
from rj.models import Case, CaseTally, User
from tests.helpers import create_user, make_case

POLL = {"X-Mend-Background": "1", "HX-Request": "true"}


def test_the_tally_agrees_with_the_cases_whoever_wrote_them(app):
    fac = create_user("facilitator")
    filed = make_case("filed", by=fac)
    make_case("investigating", by=fac)
    make_case("closed", by=fac)
    assert tally.read()[0] == tally.recount() == {"filed": 1, "investigating": 1, "closed": 1}
    # Rows written around the domain functions are counted too: the database keeps it.
    now = utcnow()
    loose = Case.insert(
        reference="RJ-2000-0001", kind="incident", title="Bulk", what_happened="x",
        occurred_at=now, location="x", severity="low", stage="appeal", created_by=fac.id,
    ).execute()  # fmt: skip
    Case.update(stage="hearing").where(Case.id == filed.id).execute()
    assert tally.read()[0] == tally.recount() == {
        "hearing": 1, "investigating": 1, "closed": 1, "appeal": 1
    }  # fmt: skip
    Case.delete().where(Case.id == loose).execute()
    assert tally.read()[0] == tally.recount() == {"hearing": 1, "investigating": 1, "closed": 1}
    # A move spreads over the rows of one slot; no row is shared by every case.
    assert CaseTally.select().where(CaseTally.slot == filed.id % CaseTally.SLOTS).count() >= 2


def test_every_change_to_a_case_advances_the_counter_whatever_the_clock_says(app):
    fac = create_user("facilitator")
    case = make_case("filed", by=fac)
    before = tally.read()[1]
    # A server whose clock runs behind writes an older updated_at: the counter still moves.
    Case.update(updated_at=utcnow() - timedelta(days=3)).where(Case.id == case.id).execute()
    after_clock = tally.read()[1]
    entries.add_entry(Case.get_by_id(case.id), fac, "note", "Called them back.")
    after_entry = tally.read()[1]
    assert before < after_clock < after_entry


def test_the_poll_sees_a_change_written_with_an_older_clock(client, login_as):
    fac = login_as("facilitator")
    case = make_case("filed", by=fac)
    tag = client.get("/board/").headers["ETag"].strip('"')
    assert client.get("/board/", headers={**POLL, "If-None-Match": tag}).status_code == 304
    latest = Case.get_by_id(case.id).updated_at
    cases.acknowledge(Case.get_by_id(case.id), fac, utcnow(), "phone")
    Case.update(updated_at=latest - timedelta(minutes=5)).where(Case.id == case.id).execute()
    assert client.get("/board/", headers={**POLL, "If-None-Match": tag}).status_code == 200


def test_counts_leave_out_each_users_party_and_recused_cases(client, world):
    users, _ = world  # three cases in Follow-up: own, recused and one they are a party to
    fac, admin, other = users["facilitator"], users["admin"], create_user("facilitator")
    from tests.helpers import sign_in_session

    def followup_count(user):
        sign_in_session(client, user)
        html = client.get("/board/").get_data(as_text=True)
        return int(html.split('id="count-followup"', 1)[1].split(">", 1)[1].split("<", 1)[0])

    assert followup_count(other) == 3
    assert followup_count(fac) == 1
    assert followup_count(admin) == 1


def test_the_tally_holds_one_row_per_stage_and_slot_however_many_cases(app):
    fac = create_user("facilitator")
    now = utcnow()
    rows = [
        dict(
            reference=f"RJ-2000-{i:04d}", kind="incident", title="Bulk", what_happened="x",
            occurred_at=now, location="x", severity="low", stage="filed", created_by=fac.id,
        )
        for i in range(3 * CaseTally.SLOTS)
    ]  # fmt: skip
    Case.insert_many(rows).execute()
    assert CaseTally.select().where(CaseTally.stage == "filed").count() == CaseTally.SLOTS
    assert tally.read()[0] == {"filed": 3 * CaseTally.SLOTS}


def test_concurrent_movers_and_writers_neither_deadlock_nor_miscount(app):
    """Eight threads move their own cases back and forth, add entries to them and open
    each other's, at once (a view is a write to the audit chain)."""
    fac = create_user("facilitator")
    own = [make_case("investigating", by=fac).id for _ in range(8)]
    errors = []

    def work(case_id):
        neighbour = own[(own.index(case_id) + 1) % len(own)]
        try:
            with app.app_context(), rjdb.database.connection_context():
                by = User.get_by_id(fac.id)
                for i in range(4):
                    case = Case.get_by_id(case_id)
                    to = "acknowledged" if case.stage == "investigating" else "investigating"
                    reason = "Back for more facts." if to == "acknowledged" else ""
                    workflow.move(case, to, by, case.version, reason)
                    entries.add_entry(Case.get_by_id(case_id), by, "note", f"Note {i}.")
                    audit.viewed(by, Case.get_by_id(neighbour))
        except Exception as exc:  # a deadlock or "database is locked" lands here
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(case_id,)) for case_id in own]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert tally.read()[0] == tally.recount() == {"investigating": 8}
