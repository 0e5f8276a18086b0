"""The move endpoint: allowed, refused, stale, backward, bad input, and who may move."""

import pytest

from rj import cases, workflow
from rj.clock import utcnow
from rj.models import AuditRecord, Case
from tests.helpers import create_user, make_case, sign_in_session

HX = {"HX-Request": "true"}


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator", display_name="Fen Facil")


def post_move(client, case, to, version=None, headers=HX, **extra):
    data = {"to": to, "version": case.version if version is None else version, **extra}
    return client.post(f"/board/cases/{case.reference}/move", data=data, headers=headers)


def test_an_allowed_move_answers_with_the_updated_card_counts_and_announcement(client, fac):
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "in person")
    response = post_move(client, case, "acknowledged")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="case-{case.id}"' in html and 'data-stage="acknowledged"' in html
    assert f'data-version="{case.version + 1}"' in html
    assert 'id="count-acknowledged"' in html and 'id="count-filed"' in html
    assert f"{case.reference} moved to Acknowledged." in html
    assert Case.get_by_id(case.id).stage == "acknowledged"


def test_a_refused_move_names_what_is_missing_and_changes_nothing(client, fac):
    case = make_case("filed", by=fac)
    response = post_move(client, case, "acknowledged")
    assert response.status_code == 422
    assert "Needs an acknowledgement before Acknowledged." in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#board-message"
    assert '"move-refused"' in response.headers["HX-Trigger"]
    fresh = Case.get_by_id(case.id)
    assert (fresh.stage, fresh.version) == ("filed", case.version)
    assert not AuditRecord.select().where(AuditRecord.action == "case.moved").exists()


def test_a_stale_move_is_refused_with_who_moved_it(client, fac):
    other = create_user("facilitator", display_name="Sam Second")
    case = make_case("filed", by=fac)
    cases.acknowledge(case, fac, utcnow(), "phone")
    workflow.move(Case.get_by_id(case.id), "acknowledged", other, case.version)
    response = post_move(client, case, "filed", reason="Wrong column")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "was changed by Sam Second" in html and "now in Acknowledged" in html
    assert '"stale": true' in response.headers["HX-Trigger"]
    assert Case.get_by_id(case.id).stage == "acknowledged"


def test_a_backward_move_needs_a_reason(client, fac):
    case = make_case("investigating", by=fac)
    refused = post_move(client, case, "acknowledged")
    assert refused.status_code == 422
    assert "A move back to Acknowledged needs a reason." in refused.get_data(as_text=True)
    allowed = post_move(client, case, "acknowledged", reason="Lead stepped down")
    assert allowed.status_code == 200
    assert Case.get_by_id(case.id).stage == "acknowledged"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to": "limbo", "version": "1"}, "That is not a stage of the process."),
        ({"to": "acknowledged"}, "The card&#39;s version is missing. Reload the board."),
        ({"to": "acknowledged", "version": "abc"}, "Not a valid integer value."),
        ({"version": "1"}, "Choose a stage."),
        ({"to": "filed", "version": "1", "before": "xyz"}, "Not a valid integer value."),
        (
            {"to": "filed", "version": "1", "reason": "x" * 2001},
            "Use at most 2,000 characters: this has 2,001.",
        ),
    ],
)
def test_bad_input_gets_a_422_with_a_message(client, fac, data, message):
    case = make_case("filed", by=fac)
    response = client.post(f"/board/cases/{case.reference}/move", data=data, headers=HX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Case.get_by_id(case.id).version == case.version


def test_an_unknown_case_is_a_404(client, fac):
    response = post_move(client, Case(reference="RJ-2026-9999", version=1), "filed")
    assert response.status_code == 404


def test_garbage_in_the_reference_is_a_404(client, fac):
    response = client.post("/board/cases/%3Cscript%3E/move", data={"to": "x"}, headers=HX)
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["representative", "participant", "volunteer"])
def test_only_facilitators_move_cards(client, app, role):
    case = make_case("filed")
    user = create_user(role)
    sign_in_session(client, user)
    assert post_move(client, case, "filed").status_code == 403


def test_a_recused_facilitator_cannot_see_or_move_the_case(client, fac):
    case = make_case("filed")
    cases.declare_conflict(case, fac, "My cousin")
    assert post_move(client, case, "filed").status_code == 404
    assert client.get(f"/board/cases/{case.reference}/move").status_code == 404


def test_without_script_the_move_page_posts_and_redirects_back(client, fac):
    case = make_case("filed", by=fac)
    page = client.get(f"/board/cases/{case.reference}/move").get_data(as_text=True)
    assert "<legend>Move to</legend>" in page and 'name="version"' in page
    assert '<label for="reason">Why it moves back</label>' in page
    cases.acknowledge(case, fac, utcnow(), "letter")
    response = post_move(client, case, "acknowledged", headers={})
    assert response.status_code == 302
    board = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{case.reference} moved to Acknowledged." in board


def test_without_script_a_refusal_is_shown_on_the_move_page(client, fac):
    case = make_case("filed", by=fac)
    response = post_move(client, case, "acknowledged", headers={})
    assert response.status_code == 422
    assert "Needs an acknowledgement before Acknowledged." in response.get_data(as_text=True)


def test_move_is_audited_with_mover_from_to_and_whether_a_reason_was_given(client, fac):
    case = make_case("hearing", by=fac)
    post_move(client, case, "investigating", reason="New evidence")
    record = (
        AuditRecord.select()
        .where(AuditRecord.action == "case.moved")
        .order_by(AuditRecord.id.desc())
        .get()
    )
    assert record.actor_id == fac.id and record.case_id == case.id
    assert '"from": "hearing"' in record.details and '"to": "investigating"' in record.details
    assert "New evidence" not in record.details  # the text lives in the case record
