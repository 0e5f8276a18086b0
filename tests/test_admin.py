"""Coordinators' settings: stage labels, help text, time targets, appeal window, Community."""

import pytest

from rj import workflow
from rj.models import StageSetting
from tests.helpers import create_user, make_case, sign_in_session


def form_data(**changes):
    data = {"appeal_window_days": "14", "community_enabled": "y"}
    for stage in workflow.DEFAULT_STAGES:
        data[f"label_{stage.key}"] = stage.label
        data[f"help_{stage.key}"] = stage.help
        if stage.key != "closed":
            data[f"target_{stage.key}"] = str(stage.target_days or "")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def admin(app, login_as):
    return login_as("admin")


def test_settings_form_shows_the_current_values(client, admin):
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="Acknowledged"' in html and 'name="appeal_window_days"' in html
    assert '<label for="label_filed">Filed: label</label>' in html


def test_saving_settings_changes_the_board_and_the_rules(client, admin):
    response = client.post(
        "/admin/settings",
        data=form_data(
            label_acknowledged="Received",
            target_acknowledged="3",
            appeal_window_days="21",
            community_enabled=None,
        ),
    )
    assert response.status_code == 302
    assert StageSetting.get_by_id("acknowledged").label == "Received"
    assert StageSetting.get_by_id("community").enabled is False
    board = client.get("/board/").get_data(as_text=True)
    assert ">Received" in board and "Target: 3 days in this stage." in board
    case = make_case("filed")
    move = client.post(
        f"/board/cases/{case.reference}/move",
        data={"to": "acknowledged", "version": case.version},
        headers={"HX-Request": "true"},
    )
    assert "Needs an acknowledgement before Received." in move.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"label_filed": ""}, "label_filed", "Give the stage a label."),
        ({"target_hearing": "-2"}, "target_hearing", "Between 0 and 365 days."),
        ({"target_hearing": "soon"}, "target_hearing", "Not a valid integer value."),
        ({"appeal_window_days": "0"}, "appeal_window_days", "Between 1 and 365 days."),
        ({"appeal_window_days": ""}, "appeal_window_days", "Give the appeal window in days."),
    ],
)
def test_bad_settings_are_refused_beside_the_field(client, admin, changes, field, message):
    response = client.post("/admin/settings", data=form_data(**changes))
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in response.get_data(as_text=True)
    assert not StageSetting.select().exists()


def test_only_coordinators_change_settings(client, app):
    sign_in_session(client, create_user("facilitator"))
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=form_data()).status_code == 403
