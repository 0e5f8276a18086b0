"""The authorization matrix: every route in the URL map, asked by every role (and by
nobody signed in) about a case they take part in and one they do not, answers with
the status DESIGN.md ("Who sees what") gives it.

A new route fails here until it has a row in MATRIX, and a row whose route is gone
fails too, so the table is always the whole app.
"""

from urllib.parse import urlsplit

import pytest

from rj import policy
from rj.models import AuditRecord, Entry
from rj.vocabulary import ROLES
from tests.helpers import ask, method_for, path_for, route_rules

ANONYMOUS = None

# The cases each role is asked about, in the order of the tuples in MATRIX.
#   own     — facilitators and admins: a case on their board; a participant: a case
#             where they are a party; a representative: a case where they represent one
#   recused — a case the facilitator or admin has declared a conflict in
#   party   — a case the facilitator or admin is a party to (they reach it as a participant)
#   other   — a case they take no part in
CONTEXTS = {
    "admin": ("own", "recused", "party"),
    "facilitator": ("own", "recused", "party"),
    "representative": ("own", "other"),
    "participant": ("own", "other"),
    "volunteer": ("other",),  # volunteers have no case of their own
    ANONYMOUS: ("other",),
}


def row(ability, admin, facilitator, representative, participant, volunteer, anonymous=302):
    """One endpoint's rule and expected statuses. ``ability`` is what the route asks the
    policy (rj/policy.py: can(user, ability, case)); a number holds for every case the
    role is asked about; a tuple gives one per case, in the order of CONTEXTS[role]."""
    return {
        "ability": ability,
        "admin": admin,
        "facilitator": facilitator,
        "representative": representative,
        "participant": participant,
        "volunteer": volunteer,
        ANONYMOUS: anonymous,
    }


# GET for every rule that has it, else POST with empty data (CSRF is off in tests).
# Anonymous 302s go to /signin; staff 302s are the route's own redirect.
# fmt: off
MATRIX = {
    # endpoint                       ability            admin            facilitator      repr.       partic.     vol. anon.
    "home.index":                    row("public",          302,             302,             302,        302,        302),
    "home.healthz":                  row("public",          200,             200,             200,        200,        200, 200),
    "auth.signin":                   row("public",          302,             302,             302,        302,        302, 200),
    "auth.signout":                  row("public",          302,             302,             302,        302,        302, 302),
    "auth.change_password":          row("signed-in",       200,             200,             200,        200,        200),
    # Nobody is between a password and a code: back to the sign-in page.
    "auth.second_factor":            row("public",          302,             302,             302,        302,        302, 302),
    "auth.leave":                    row("public",          200,             200,             200,        200,        200, 200),
    "account.index":                 row("signed-in",       200,             200,             200,        200,        200),
    # <session_id> is another account's session: not found among one's own.
    "account.end_session":           row("signed-in",       404,             404,             404,        404,        404),
    "account.end_other_sessions":    row("signed-in",       302,             302,             302,        302,        302),
    "account.two_factor":            row("signed-in",       200,             200,             200,        200,        200),
    "users.index":                   row("users.manage",    200,             403,             403,        403,        403),
    "users.new":                     row("users.manage",    200,             403,             403,        403,        403),
    "users.show":                    row("users.manage",    200,             403,             403,        403,        403),
    "users.deactivate":              row("users.manage",    200,             403,             403,        403,        403),
    "users.change_role":             row("users.manage",    200,             403,             403,        403,        403),
    # The account is on, MEND_PUBLIC_URL is not set, two-factor is off: refused, back to it.
    "users.reactivate":              row("users.manage",    302,             403,             403,        403,        403),
    "users.new_code":                row("users.manage",    302,             403,             403,        403,        403),
    "users.reset_two_factor":        row("users.manage",    302,             403,             403,        403,        403),
    "users.end_session":             row("users.manage",    302,             403,             403,        403,        403),
    "users.end_sessions":            row("users.manage",    302,             403,             403,        403,        403),
    "mycases.join":                  row("mycases.view",    200,             200,             200,        200,        200),
    "board.index":                   row("board.view",      200,             200,             403,        403,        403),
    "board.more":                    row("board.view",      302,             302,             403,        403,        403),
    "board.toggle_names":            row("board.view",      302,             302,             403,        403,        403),
    "board.closed":                  row("board.view",      200,             200,             403,        403,        403),
    "board.move":                    row("case.move",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "due.index":                     row("due.view",        200,             200,             403,        403,        403),
    # <key> is a draft of an active volunteer: only a turned-off account's draft is offered.
    "due.draft":                     row("due.view",        404,             404,             403,        403,        403),
    "admin.settings_page":           row("settings.manage", 200,             403,             403,        403,        403),
    "reports.index":                 row("reports.view",    200,             403,             403,        403,        403),
    "reports.printable":             row("reports.view",    200,             403,             403,        403,        403),
    "reports.download":              row("reports.view",    200,             403,             403,        403,        403),
    "reports.chart":                 row("reports.view",    200,             403,             403,        403,        403),
    "tablet.index":                  row("tablet.use",      200,             200,             403,        403,        200),
    # Empty data: a quick incident report's draft, then to it.
    "tablet.start":                  row("tablet.use",      302,             302,             403,        403,        302),
    # <key> is a fresh draft of the volunteer's: anybody else's draft is not found.
    "tablet.draft":                  row("tablet.use",      404,             404,             403,        403,        200),
    "tablet.autosave":               row("tablet.use",      404,             404,             403,        403,        204),
    # Not yet sent, so there is nothing to correct: back to the tablet.
    "tablet.correct":                row("tablet.use",      404,             404,             403,        403,        302),
    # GET asks once more (a page without script); POST discards.
    "tablet.discard":                row("tablet.use",      404,             404,             403,        403,        200),
    # Public (the draft's token stands in for the session); empty data is refused.
    "tablet.submit":                 row("public",          404,             404,             404,        404,        422, 404),
    "mycases.index":                 row("mycases.view",    200,             200,             200,        200,        200),
    "mycases.show":                  row("mycases.view",    (404, 404, 200), (404, 404, 200), (200, 404), (200, 404), 404),
    "mycases.add":                   row("mycases.view",    (404, 404, 200), (404, 404, 200), (200, 404), (200, 404), 404),
    "mycases.raise_concern":         row("mycases.view",    200,             200,             200,        200,        200),
    "cases.new":                     row("case.file",       200,             200,             403,        403,        403),
    "cases.file":                    row("case.file",       200,             200,             403,        403,        403),
    "cases.show":                    row("case.view",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "cases.record":                  row("case.export",     (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "cases.export_zip":              row("case.export",     (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "cases.audit_trail":             row("case.view",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "cases.correct_facts":           row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "cases.facts_history":           row("case.view",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "cases.redact_facts":            row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "cases.set_severity":            row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "entries.new":                   row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "entries.correct":               row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "entries.redact":                row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "entries.history":               row("case.view",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "entries.file":                  row("case.view",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.acknowledge":           row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.add_party":             row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    # <party_id> is a person with an account already: back to the case page.
    "process.give_access":           row("case.edit",       (302, 404, 404), (302, 404, 404), 403,        403,        403),
    "process.representative_access": row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.add_representatives":   row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.set_lead":              row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.declare_conflict":      row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.schedule_meeting":      row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.meeting_outcome":       row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.add_action":            row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.action_status":         row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.communicate_decision":  row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.assess_community":      row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.file_appeal":           row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    # The case is in Follow-up with no appeal under review: back to the case page.
    "process.appeal_outcome":        row("case.edit",       (302, 404, 404), (302, 404, 404), 403,        403,        403),
    "process.add_checkin":           row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.hold_checkin":          row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.reflection":            row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    "process.close_early":           row("case.edit",       (200, 404, 404), (200, 404, 404), 403,        403,        403),
    # The case is open: back to the case page.
    "process.reopen":                row("case.edit",       (302, 404, 404), (302, 404, 404), 403,        403,        403),
    # The public pages: anyone, signed in or not (public filing is on in the world).
    "public.procedures_page":        row("public",          200,             200,             200,        200,        200, 200),
    "public.poster":                 row("public",          200,             200,             200,        200,        200, 200),
    "public.raise_concern":          row("public",          200,             200,             200,        200,        200, 200),
    "public.receipt":                row("public",          200,             200,             200,        200,        200, 200),
    # POST only; empty data has no receipt code.
    "public.add_information":        row("public",          422,             422,             422,        422,        422, 422),
}
# fmt: on


def _expected(endpoint, role, context):
    cell = MATRIX[endpoint][role]
    if isinstance(cell, int):
        return cell
    return dict(zip(CONTEXTS[role], cell, strict=True))[context]


def test_the_matrix_names_every_endpoint_and_only_those(app):
    endpoints = {rule.endpoint for rule in route_rules(app)}
    missing = sorted(endpoints - MATRIX.keys())
    gone = sorted(MATRIX.keys() - endpoints)
    assert not missing, "\n".join(f"add {e} to the authorization matrix" for e in missing)
    assert not gone, "\n".join(
        f"{e} is in the authorization matrix but no longer in the URL map: remove it" for e in gone
    )


def test_every_route_asks_the_policy_for_the_ability_its_row_names(app):
    wrong = []
    for rule in route_rules(app):
        declared = policy.rule_for(app.view_functions[rule.endpoint], rule.endpoint)
        listed = MATRIX.get(rule.endpoint, {}).get("ability")
        if declared != listed:
            wrong.append(f"{rule.endpoint} asks for {declared!r}; the matrix says {listed!r}")
    assert not wrong, "\n".join(wrong)


def test_every_matrix_row_gives_one_status_per_case_asked_about():
    wrong = [
        f"{endpoint} / {role or 'anonymous'}: {cell!r} should be one status or "
        f"{len(CONTEXTS[role])} ({', '.join(CONTEXTS[role])})"
        for endpoint, cells in MATRIX.items()
        for role, cell in cells.items()
        if role != "ability" and not isinstance(cell, int) and len(cell) != len(CONTEXTS[role])
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS], ids=[*ROLES, "anonymous"])
def test_every_route_answers_each_role_as_the_matrix_says(app, world, role):
    users, objects = world
    user = users[role] if role else None
    client = app.test_client()
    wrong = []
    for rule in route_rules(app):
        if rule.endpoint not in MATRIX:
            wrong.append(f"add {rule.endpoint} to the authorization matrix")
            continue
        method = method_for(rule)
        for context in CONTEXTS[role]:
            path = path_for(app, rule, objects[context])
            response = ask(client, user, method, path)
            want = _expected(rule.endpoint, role, context)
            where = f"{method} {path} as {role or 'anonymous'} ({context} case)"
            if response.status_code != want:
                wrong.append(f"{where}: expected {want}, got {response.status_code}")
            elif role is ANONYMOUS and want == 302:
                target = urlsplit(response.headers["Location"]).path
                if target != "/signin":
                    wrong.append(f"{where}: redirected to {target}, not to /signin")
    assert not wrong, "\n".join(wrong)


def test_htmx_requests_without_a_session_get_401_and_session_ended(app, world):
    _, objects = world
    client = app.test_client()
    wrong = []
    for rule in route_rules(app):
        if rule.endpoint not in MATRIX:
            continue
        view = app.view_functions[rule.endpoint]
        if policy.rule_for(view, rule.endpoint) == policy.PUBLIC:
            continue
        path = path_for(app, rule, objects["other"])
        response = ask(client, None, method_for(rule), path, headers={"HX-Request": "true"})
        if response.status_code != 401 or response.headers.get("HX-Trigger") != "session-ended":
            wrong.append(
                f"{method_for(rule)} {path} (htmx, signed out): got {response.status_code} "
                f"HX-Trigger={response.headers.get('HX-Trigger')!r}"
            )
    assert not wrong, "\n".join(wrong)


REFUSED = (403, 404)


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS], ids=[*ROLES, "anonymous"])
def test_a_refused_page_refuses_its_post_the_same_way_and_writes_nothing(app, world, role):
    """Where GET of a form is refused, POSTing to it is refused alike, with no write."""
    users, objects = world
    user = users[role] if role else None
    client = app.test_client()

    def audits():
        # Building a path can start the volunteer's draft; nothing else may be written.
        return AuditRecord.select().where(AuditRecord.action != "draft.created").count()

    before, entry_count = audits(), Entry.select().count()
    wrong = []
    for rule in route_rules(app):
        if rule.endpoint not in MATRIX or not {"GET", "POST"} <= rule.methods:
            continue
        for context in CONTEXTS[role]:
            want = _expected(rule.endpoint, role, context)
            if want not in REFUSED and not (role is ANONYMOUS and want == 302):
                continue
            path = path_for(app, rule, objects[context])
            response = ask(client, user, "POST", path)
            if response.status_code != want:
                wrong.append(
                    f"POST {path} as {role or 'anonymous'} ({context} case): "
                    f"expected {want} like its GET, got {response.status_code}"
                )
    assert not wrong, "\n".join(wrong)
    assert audits() == before
    assert Entry.select().count() == entry_count


def test_ids_of_another_case_are_not_found_under_a_case_one_may_see(app, world):
    """/cases/<own case>/entries/<an entry of a recused case>/… is 404, for every id."""
    users, objects = world
    client = app.test_client()
    wrong = []
    for rule in route_rules(app):
        ids = sorted(arg for arg in rule.arguments if arg.endswith("_id"))
        if "reference" not in rule.arguments or not ids:
            continue
        for foreign in ("recused", "party"):
            values = {**objects["own"], **{arg: objects[foreign][arg] for arg in ids}}
            path = path_for(app, rule, values)
            response = ask(client, users["facilitator"], method_for(rule), path)
            if response.status_code != 404:
                wrong.append(f"{path} ({foreign} case's {ids}): got {response.status_code}")
    assert not wrong, "\n".join(wrong)
