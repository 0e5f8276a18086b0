"""Every page or fragment that shows one case's content records the view in the audit
trail; boards, lists and the Due page do not (DESIGN.md, "The audit trail").

Generated from the URL map: every GET route is listed either as a content view or as
exempt, and a route in neither list fails here.
"""

import pytest

from rj.models import AuditRecord, Case
from tests.helpers import build_places, path_for, route_rules, sign_in_session

# endpoint -> (the role that reads it, the case it is asked about)
CONTENT_VIEWS = {
    "cases.show": ("facilitator", "own"),
    "cases.record": ("facilitator", "own"),
    "cases.export_zip": ("facilitator", "own"),
    "cases.audit_trail": ("facilitator", "own"),
    "cases.correct_facts": ("facilitator", "own"),
    "cases.facts_history": ("facilitator", "own"),
    "cases.redact_facts": ("facilitator", "own"),
    "entries.new": ("facilitator", "own"),
    "entries.correct": ("facilitator", "own"),
    "entries.redact": ("facilitator", "own"),
    "entries.history": ("facilitator", "own"),
    "entries.file": ("facilitator", "own"),
    "process.acknowledge": ("facilitator", "own"),
    "process.add_party": ("facilitator", "own"),
    "process.add_representatives": ("facilitator", "own"),
    "process.set_lead": ("facilitator", "own"),
    "process.declare_conflict": ("facilitator", "own"),
    "process.schedule_meeting": ("facilitator", "own"),
    "process.meeting_outcome": ("facilitator", "own"),
    "process.add_action": ("facilitator", "own"),
    "process.action_status": ("facilitator", "own"),
    "process.communicate_decision": ("facilitator", "own"),
    "process.assess_community": ("facilitator", "own"),
    "process.file_appeal": ("facilitator", "own"),
    "process.appeal_outcome": ("admin", "appealed"),  # the admin reviews it
    "process.add_checkin": ("facilitator", "own"),
    "process.hold_checkin": ("facilitator", "own"),
    "process.reflection": ("facilitator", "own"),
    "process.close_early": ("facilitator", "own"),
    "process.reopen": ("facilitator", "closed"),
    "mycases.show": ("participant", "own"),
    "mycases.add": ("participant", "own"),
    "tablet.correct": ("volunteer", "sent"),  # the account as it is now
    "due.draft": ("facilitator", "orphaned"),  # a turned-off volunteer's account
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
}


def _get_rules(app):
    return [rule for rule in route_rules(app) if "GET" in rule.methods]


def test_every_get_route_is_a_content_view_or_exempt(app):
    endpoints = {rule.endpoint for rule in _get_rules(app)}
    unlisted = sorted(endpoints - CONTENT_VIEWS.keys() - EXEMPT.keys())
    both = sorted(CONTENT_VIEWS.keys() & EXEMPT.keys())
    gone = sorted((CONTENT_VIEWS.keys() | EXEMPT.keys()) - endpoints)
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
    for endpoint, (role, context) in sorted(CONTENT_VIEWS.items()):
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
        role = {"admin.settings_page": "admin", "tablet.draft": "volunteer"}.get(
            endpoint, "facilitator"
        )
        path = path_for(app, rule, values["own"])
        before = AuditRecord.select().count()
        sign_in_session(client, users[role])
        response = client.get(path)
        new = AuditRecord.select().order_by(AuditRecord.id).offset(before)
        written = [r.action for r in new if r.action != "draft.created"]
        if response.status_code >= 500 or written:
            wrong.append(f"GET {path} as {role}: {response.status_code}, wrote {written}")
    assert not wrong, "\n".join(wrong)
