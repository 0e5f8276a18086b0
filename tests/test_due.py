"""The Due page: acknowledgements, actions and check-ins due soon or overdue."""

from datetime import timedelta

import pytest

from rj import cases
from rj.clock import today
from rj.models import Case
from tests.helpers import create_user, make_case, sign_in_session


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator", display_name="Fen Facil")


def section(html, heading):
    start = html.index(f'id="{heading}-heading"')
    end = html.find("</section>", start)
    return html[start:end]


def test_overdue_and_soon_items_are_listed_across_visible_cases(client, fac):
    late_ack = make_case("filed", by=fac, title="Needs acknowledging")
    Case.update(stage_due_on=today() - timedelta(days=1)).where(Case.id == late_ack.id).execute()
    restoring = make_case("restoring", by=fac, title="Has an action")
    for action in restoring.actions:
        action.due_on = today() + timedelta(days=60)
        action.save()
    cases.add_action(
        restoring, fac, "repair", "Replace the broken mug", fac, today() + timedelta(days=3)
    )
    followup = make_case("followup", by=fac, title="Has a check-in")
    cases.add_checkin(followup, fac, today() - timedelta(days=2))
    far = make_case("followup", by=fac, title="Far away")
    for row in [*far.checkins, *far.actions]:
        row.due_on = today() + timedelta(days=60)
        row.save()
    html = client.get("/due/").get_data(as_text=True)
    overdue, soon = section(html, "overdue"), section(html, "soon")
    assert late_ack.reference in overdue and "Acknowledgement" in overdue
    assert followup.reference in overdue and "Check-in" in overdue
    assert "Replace the broken mug" in soon and "Fen Facil" in soon
    assert far.reference not in html


def test_due_page_leaves_out_cases_the_facilitator_may_not_see(client, fac):
    hidden = make_case("followup")
    cases.add_checkin(hidden, fac, today())
    cases.declare_conflict(hidden, fac, "Cousin")
    assert hidden.reference not in client.get("/due/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["representative", "participant", "volunteer"])
def test_due_page_is_for_facilitators(client, app, role):
    sign_in_session(client, create_user(role))
    assert client.get("/due/").status_code == 403
