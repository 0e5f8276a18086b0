"""Every page or fragment that shows one case's content records the view in the audit
trail; boards, lists and the Due page do not (DESIGN.md, "The audit trail").

Generated from the URL map: every GET route is listed either as a content view or as
exempt, and a route in neither list fails here.
"""

import pytest

from rj.models import AuditRecord, Case
from tests.helpers import READERS, build_places, path_for, route_rules, sign_in_session

# Pages that show one case's content (who reads each: helpers.READERS).
CONTENT_VIEWS = {
    "cases.show",
    "cases.record",
    "cases.export_zip",
    "cases.audit_trail",
    "cases.correct_facts",
    "cases.facts_history",
    "cases.redact_facts",
    "cases.set_severity",
    "entries.new",
    "entries.correct",
    "entries.redact",
    "entries.history",
    "entries.file",
    "process.acknowledge",
    "process.add_party",
    "process.add_representatives",
    "process.set_lead",
    "process.declare_conflict",
    "process.schedule_meeting",
    "process.meeting_outcome",
    "process.add_action",
    "process.action_status",
    "process.communicate_decision",
    "process.assess_community",
    "process.file_appeal",
    "process.appeal_outcome",
    "process.add_checkin",
    "process.hold_checkin",
    "process.reflection",
    "process.close_early",
    "process.reopen",
    "mycases.show",
    "mycases.add",
    "tablet.correct",
    "due.draft",
    "process.give_access",
    "process.representative_access",
}
# Pages about the process as a whole: opening one is recorded, with its period and no case.
REPORT_VIEWS = {
    "reports.index": "report.viewed",
    "reports.printable": "report.printed",
    "reports.download": "report.exported",
}
# endpoint -> why it records no view
EXEMPT = {
    "home.index": "a redirect to where the user lands",
    "home.healthz": "the health check",
    "auth.signin": "the sign-in page",
    "auth.change_password": "one's own password",
    "board.index": "the board: references, neutral titles and stages",
    "board.more": "more cards of a board column",
    "board.closed": "the list of closed cases",
    "board.move": "the board's move dialog: reference, title and stage, as on the card",
    "due.index": "the Due page: what is due, never what was written",
    "admin.settings_page": "the organisation's settings",
    "cases.new": "choosing what to file: no case yet",
    "cases.file": "filing a case: no case yet",
    "mycases.index": "the list of one's own cases",
    "tablet.index": "the tablet's list of open cases: references and neutral titles",
    "tablet.draft": "one's own draft before it is sent",
    "tablet.discard": "asks before discarding one's own draft: nothing of any case",
    "auth.second_factor": "the second step of signing in",
    "auth.leave": "a blank page after leaving quickly",
    "account.index": "one's own account",
    "account.two_factor": "one's own two-factor sign-in",
    "users.index": "the list of accounts",
    "users.new": "a new account",
    "users.show": "an account, with the references and titles of its work, as on the board",
    "users.deactivate": "turning an account off: references and titles of its work",
    "users.change_role": "an account's role: references and titles of its work",
    "mycases.join": "joining a case with a code: no case yet",
    "mycases.raise_concern": "raising a concern: no case yet",
    "public.procedures_page": "the posted procedures: nothing of any case",
    "public.poster": "the printable poster: nothing of any case",
    "public.raise_concern": "the public form: no case yet",
    "public.receipt": "asks for a receipt code; a concern's stage answers only a POST",
    "reports.chart": "a chart of the reports page, whose opening is recorded",
}


def _get_rules(app):
    return [rule for rule in route_rules(app) if "GET" in rule.methods]


def test_every_get_route_is_a_content_view_or_exempt(app):
    endpoints = {rule.endpoint for rule in _get_rules(app)}
    unlisted = sorted(endpoints - CONTENT_VIEWS - EXEMPT.keys() - REPORT_VIEWS.keys())
    both = sorted(
        (CONTENT_VIEWS & EXEMPT.keys()) | (REPORT_VIEWS.keys() & (CONTENT_VIEWS | EXEMPT.keys()))
    )
    gone = sorted((CONTENT_VIEWS | EXEMPT.keys() | REPORT_VIEWS.keys()) - endpoints)
    assert not unlisted, f"list these as content views or exempt: {unlisted}"
    assert not both and not gone, (both, gone)


@pytest.fixture
def places(world):
    return build_places(world)


def _views_of(case_reference):
    case = Case.get(Case.reference == case_reference)
    return list(AuditRecord.select().where(AuditRecord.case == case).order_by(AuditRecord.id))


def test_every_content_view_is_recorded_once(app, places):
    users, values = places
    client = app.test_client()
    wrong = []
    for endpoint in sorted(CONTENT_VIEWS):
        role, context = READERS.get(endpoint, ("facilitator", "own"))
        user = users[role]
        rule = next(r for r in _get_rules(app) if r.endpoint == endpoint)
        path = path_for(app, rule, values[context])
        reference = values[context]["reference"]
        before = len(_views_of(reference))
        sign_in_session(client, user)
        response = client.get(path)
        new = _views_of(reference)[before:]
        if response.status_code != 200:
            wrong.append(f"GET {path} as {role}: {response.status_code}")
        elif len(new) != 1 or new[0].actor_id != user.id:
            wrong.append(f"GET {path} as {role} recorded {[r.action for r in new]}")
        elif not new[0].action.endswith(("viewed", "printed", "exported")):
            wrong.append(f"GET {path} recorded {new[0].action}")
    assert not wrong, "\n".join(wrong)


def test_no_exempt_page_records_a_view(app, places):
    users, values = places
    client = app.test_client()
    wrong = []
    for endpoint in sorted(EXEMPT):
        rule = next(r for r in _get_rules(app) if r.endpoint == endpoint)
        role, context = READERS.get(endpoint, ("facilitator", "own"))
        path = path_for(app, rule, values[context])
        before = AuditRecord.select().count()
        sign_in_session(client, users[role])
        response = client.get(path)
        new = AuditRecord.select().order_by(AuditRecord.id).offset(before)
        written = [r.action for r in new if r.action != "draft.created"]
        if response.status_code >= 500 or written:
            wrong.append(f"GET {path} as {role}: {response.status_code}, wrote {written}")
    assert not wrong, "\n".join(wrong)


def test_every_report_view_is_recorded_once_without_a_case(app, places):
    users, values = places
    client = app.test_client()
    wrong = []
    for endpoint, action in sorted(REPORT_VIEWS.items()):
        role, context = READERS[endpoint]
        rule = next(r for r in _get_rules(app) if r.endpoint == endpoint)
        path = path_for(app, rule, values[context])
        before = AuditRecord.select().count()
        sign_in_session(client, users[role])
        response = client.get(path)
        new = list(AuditRecord.select().order_by(AuditRecord.id).offset(before))
        if response.status_code != 200:
            wrong.append(f"GET {path} as {role}: {response.status_code}")
        elif [(r.action, r.case_id, r.actor_id) for r in new] != [(action, None, users[role].id)]:
            wrong.append(f"GET {path} as {role} recorded {[r.action for r in new]}")
    assert not wrong, "\n".join(wrong)
