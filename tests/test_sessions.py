"""Sessions kept on the server: signing out, "sign out everywhere else", an admin ending
a session, deactivation, a password change, and shared devices that time out sooner."""

import pytest

from rj import accounts
from rj.clock import utcnow
from rj.models import UserSession
from tests.helpers import PASSWORD, create_user, sign_in_session


def sign_in(client, user, password=PASSWORD, **kwargs):
    response = client.post(
        "/signin", data={"username": user.username, "password": password}, **kwargs
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def session_cookie(client, app):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_a_cookie_saved_before_sign_out_is_refused_after_it(app):
    user = create_user("facilitator")
    client = app.test_client()
    sign_in(client, user)
    saved = session_cookie(client, app)
    assert client.get("/board/").status_code == 200
    client.post("/signout")
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    response = replay.get("/board/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    ended = UserSession.get(UserSession.user == user.id)
    assert ended.ended_at is not None and ended.ended_why == "signed out"


def test_your_sessions_list_each_browser_and_end_one_or_everywhere_else(app):
    user = create_user("facilitator")
    laptop, phone, tablet = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, user, headers={"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/140.0"})
    sign_in(phone, user, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/139"})
    sign_in(tablet, user, headers={"User-Agent": "Mozilla/5.0 (iPad) Safari/605.1"})
    page = laptop.get("/account/").get_data(as_text=True)
    assert "Firefox on Linux <strong>(this browser)</strong>" in page
    assert "Chrome on Android" in page and "Safari on iPad" in page
    phone_row = UserSession.get(UserSession.browser.contains("Android"))
    assert laptop.post(f"/account/sessions/{phone_row.id}/end").status_code == 302
    assert phone.get("/board/").status_code == 302  # signed out
    assert tablet.get("/board/").status_code == 200
    laptop.post("/account/sessions/end-others")
    assert tablet.get("/board/").status_code == 302
    assert laptop.get("/board/").status_code == 200


def test_one_cannot_end_another_accounts_session_from_ones_own_page(app):
    mine, theirs = create_user("facilitator"), create_user("facilitator")
    me, them = app.test_client(), app.test_client()
    sign_in(me, mine)
    sign_in(them, theirs)
    their_row = UserSession.get(UserSession.user == theirs.id)
    assert me.post(f"/account/sessions/{their_row.id}/end").status_code == 404
    assert them.get("/board/").status_code == 200


def test_an_admin_sees_and_ends_a_users_sessions(app):
    admin, user = create_user("admin"), create_user("facilitator", display_name="Fen")
    coordinator, browser = app.test_client(), app.test_client()
    sign_in(coordinator, admin)
    sign_in(browser, user, headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Edg/140"})
    page = coordinator.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Edge on Windows" in page
    row = UserSession.get(UserSession.user == user.id)
    assert coordinator.post(f"/admin/users/{user.id}/sessions/{row.id}/end").status_code == 302
    assert browser.get("/board/").status_code == 302


@pytest.mark.parametrize("change", ["deactivate", "password", "code"])
def test_account_changes_end_the_sessions_they_should(app, change):
    user = create_user("facilitator")
    create_user("admin")  # deactivation needs a coordinator left
    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    if change == "deactivate":
        accounts.deactivate(user)
    elif change == "password":
        here = app.test_client()
        sign_in(here, user)
        data = {"current_password": PASSWORD, "new_password": "another long phrase"}
        assert here.post("/account/password", data={**data, "confirm": data["new_password"]})
        assert here.get("/board/").status_code == 200  # the one that changed it goes on
    else:
        accounts.issue_one_time_code(user)
    assert elsewhere.get("/board/").status_code == 302
    still_open = UserSession.select().where(
        (UserSession.user == user.id) & UserSession.ended_at.is_null()
    )
    assert still_open.count() == (1 if change == "password" else 0)


def test_participants_and_representatives_time_out_sooner(client, app):
    app.config["SHARED_DEVICE_IDLE_MINUTES"] = 10
    participant = create_user("participant")
    facilitator = create_user("facilitator")
    for user, stays in ((participant, False), (facilitator, True)):
        sign_in_session(client, user)
        with client.session_transaction() as session:
            session["seen_at"] = utcnow().timestamp() - 11 * 60
        landing = "/my-cases/" if user is participant else "/board/"
        assert (client.get(landing).status_code == 200) is stays


def test_leave_quickly_signs_out_at_once_and_shows_nothing_of_mend(client, app):
    participant = create_user("participant")
    sign_in_session(client, participant)
    page = client.get("/my-cases/").get_data(as_text=True)
    assert 'href="/leave" data-leave-quickly>Leave quickly</a>' in page
    response = client.get("/leave")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Clear-Site-Data"] == '"cache"'
    assert "Mend" not in html and "case" not in html.lower()
    assert client.get("/my-cases/").status_code == 302  # signed out
    assert UserSession.get(UserSession.user == participant.id).ended_why == "left quickly"
    assert "Leave quickly" not in client.get("/signin").get_data(as_text=True)
