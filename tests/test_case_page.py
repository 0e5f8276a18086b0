"""The case page and the printable file run the same number of SQL queries whatever the
number of items on the case's timeline, as the board does."""

import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

from rj import cases, entries, files, workflow
from rj.clock import today, utcnow
from rj.models import Case
from tests.helpers import count_queries, create_user, make_case


def _fill(case, by, n):
    """``n`` more items on the timeline, of every kind an item can be."""
    participant = create_user("participant")
    party = cases.add_party(case, cases.add_person("Pat", user=participant), "harmed", by)
    upload = lambda: files.check(  # noqa: E731
        FileStorage(io.BytesIO(b"a receipt\n"), filename="r.txt")
    )
    for i in range(n):
        kind = i % 8
        if kind == 0:
            entries.add_entry(case, by, "note", f"Note {i}", audience="everyone")
        elif kind == 1:
            entries.add_entry(case, participant, "statement", f"Mine {i}", party=party)
        elif kind == 2:
            witness = entries.Witness(f"Wit {i}", "saw it")
            entries.add_entry(case, by, "witness", f"Saw {i}", witness=witness)
        elif kind == 3:
            entries.add_entry(case, by, "evidence", f"Receipt {i}", uploads=[upload()])
        elif kind == 4:
            entry = entries.add_entry(case, by, "note", f"To correct {i}")
            entries.correct_entry(entry, create_user("facilitator"), f"Corrected {i}", "typo", 1)
        elif kind == 5:
            entry = entries.add_entry(case, by, "evidence", f"Gone {i}", uploads=[upload()])
            entries.redact_entry(entry, create_user("facilitator"), "named someone")
        elif kind == 6:
            cases.add_action(
                case, by, "support", f"Action {i}", create_user("facilitator"), today(), party
            )
        else:
            cases.add_checkin(case, by, today() + timedelta(days=i % 30))
            cases.schedule_meeting(case, by, utcnow() + timedelta(days=1), "Room", "All")


@pytest.mark.parametrize("path", ["", "/record"])
def test_the_case_page_runs_the_same_queries_at_10_and_300_items(client, login_as, path):
    fac = login_as("facilitator")
    small = make_case("investigating", by=fac)
    _fill(small, fac, 10)
    large = make_case("investigating", by=fac)
    _fill(large, fac, 300)
    for case in (small, large):  # a move on each timeline, and both in the same stage
        workflow.move(Case.get_by_id(case.id), "acknowledged", fac, case.version, "Back")
    at_10 = count_queries(client, f"/cases/{small.reference}{path}")
    at_300 = count_queries(client, f"/cases/{large.reference}{path}")
    assert at_10 == at_300
