"""Signing in and out, throttling, and what a session lives through."""

import re
import uuid

import pytest

from rj import passwords, throttle
from rj.clock import utcnow
from rj.models import User
from tests.helpers import PASSWORD, create_user, sign_in_session


def sign_in(client, username, password=PASSWORD, **kwargs):
    return client.post("/signin", data={"username": username, "password": password}, **kwargs)


def test_sign_in_form_has_labelled_fields_and_a_sign_in_button(client):
    html = client.get("/signin").get_data(as_text=True)
    assert '<label for="username">Username</label>' in html
    assert '<label for="password">Password</label>' in html
    assert ">Sign in</button>" in html


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("admin", "/board/"),
        ("facilitator", "/board/"),
        ("representative", "/my-cases/"),
        ("participant", "/my-cases/"),
        ("volunteer", "/tablet/"),
    ],
)
def test_each_role_lands_on_its_own_page_after_sign_in(client, role, landing):
    user = create_user(role)
    response = sign_in(client, user.username)
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


def test_sign_in_records_the_time_and_signs_out_again(client):
    user = create_user("facilitator")
    sign_in(client, user.username)
    assert User.get_by_id(user.id).last_sign_in_at is not None
    response = client.post("/signout", follow_redirects=True)
    assert "You are signed out." in response.get_data(as_text=True)
    assert client.get("/board/").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    user = create_user("facilitator")
    wrong = sign_in(client, user.username, "not the password")
    unknown = sign_in(client, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    message = "That username and password do not match an active account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)

    def page(response):
        # The CSRF token is signed with the time: two pages a second apart differ there only.
        text = response.get_data(as_text=True)
        return re.sub(r"X-CSRFToken&#34;: &#34;[^&]+&#34;", "X-CSRFToken", text)

    assert page(wrong).replace(user.username, "nobody-here") == page(unknown)


def test_deactivated_user_cannot_sign_in_and_is_told_nothing_more(client):
    user = create_user("facilitator", is_active_account=False)
    response = sign_in(client, user.username)
    assert "do not match an active account" in response.get_data(as_text=True)


def test_empty_fields_are_marked_beside_the_field(client):
    response = client.post("/signin", data={"username": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="username-error">Enter your username.' in html
    assert 'id="password-error">Enter your password.' in html


def test_next_parameter_only_redirects_within_mend(client):
    user = create_user("facilitator")
    response = sign_in(client, user.username, query_string={"next": "https://evil.example/x"})
    assert response.headers["Location"] == "/board/"
    client.post("/signout")
    response = sign_in(client, user.username, query_string={"next": "//evil.example/x"})
    assert response.headers["Location"] == "/board/"
    client.post("/signout")
    response = sign_in(client, user.username, query_string={"next": "/board/?severity=high"})
    assert response.headers["Location"] == "/board/?severity=high"


def test_sign_in_starts_a_fresh_session(client):
    user = create_user("facilitator")
    with client.session_transaction() as session:
        session["planted"] = "from before sign-in"
    sign_in(client, user.username)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}:0"


@pytest.fixture
def throttled(app):
    app.config["THROTTLE_ENABLED"] = True
    throttle.init_app(app)  # fresh counters, in the storage just set
    return app


def test_five_failures_from_one_address_make_that_pair_wait(client, throttled):
    user = create_user("facilitator")
    for _ in range(5):
        assert sign_in(client, user.username, "wrong password").status_code == 200
    response = sign_in(client, user.username)  # even the right password waits
    assert response.status_code == 429
    assert "Too many failed sign-ins for this username here; try again in" in response.get_data(
        as_text=True
    )
    # Another address is not slowed by this pair.
    other = sign_in(client, user.username, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302


def test_twenty_failures_lock_the_account_from_every_address(client, throttled):
    user = create_user("facilitator")
    for i in range(20):
        sign_in(
            client, user.username, "wrong password", environ_base={"REMOTE_ADDR": f"10.1.0.{i}"}
        )
    response = sign_in(client, user.username, environ_base={"REMOTE_ADDR": "10.2.0.1"})
    assert response.status_code == 429
    assert (
        "Too many failed sign-ins for this account; try again in 15 minutes."
        in response.get_data(as_text=True)
    )


def test_unknown_usernames_are_throttled_like_real_ones(client, throttled):
    for _ in range(5):
        sign_in(client, "no-such-person", "wrong password")
    response = sign_in(client, "no-such-person", "wrong password")
    assert response.status_code == 429


def test_successful_sign_ins_from_a_shared_address_are_not_counted(client, throttled):
    users = [create_user("participant") for _ in range(8)]
    for user in users:
        assert sign_in(client, user.username).status_code == 302
        client.post("/signout")


def test_idle_session_ends_and_asks_to_sign_in_again(client, app):
    user = create_user("facilitator")
    sign_in_session(client, user)
    with client.session_transaction() as session:
        session["seen_at"] = utcnow().timestamp() - (app.config["SESSION_IDLE_MINUTES"] * 60 + 5)
    response = client.get("/board/")
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after a period of inactivity" in page


def test_session_ends_after_its_absolute_lifetime_even_when_active(client, app):
    user = create_user("facilitator")
    sign_in_session(client, user)
    with client.session_transaction() as session:
        session["signed_in_at"] = utcnow().timestamp() - (
            app.config["SESSION_MAX_HOURS"] * 3600 + 5
        )
    assert client.get("/board/").status_code == 302


def test_background_poll_does_not_keep_an_idle_session_alive(client):
    user = create_user("facilitator")
    sign_in_session(client, user)
    old = utcnow().timestamp() - 600
    with client.session_transaction() as session:
        session["seen_at"] = old
    client.get("/board/", headers={"X-Mend-Background": "1"})
    with client.session_transaction() as session:
        assert session["seen_at"] == old
    client.get("/board/")
    with client.session_transaction() as session:
        assert session["seen_at"] > old


def test_htmx_request_without_a_session_gets_401_and_session_ended(client):
    response = client.get("/board/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Trigger"] == "session-ended"


def test_unknown_usernames_cost_the_same_password_check_as_real_ones(client, monkeypatch):
    """No enumeration by timing: an unknown name is verified against a dummy hash."""
    from argon2 import PasswordHasher

    calls = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, hash, password):
        calls.append(hash[:9])
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    user = create_user("facilitator")
    sign_in(client, user.username, "wrong password")
    sign_in(client, "nobody-at-all", "wrong password")
    assert calls == ["$argon2id", "$argon2id"]


def test_wrong_current_passwords_on_the_change_page_are_throttled_like_sign_ins(client, throttled):
    user = create_user("facilitator")
    sign_in_session(client, user)
    data = {"current_password": "not it at all", "new_password": "a brand new phrase"}
    data["confirm"] = data["new_password"]
    for _ in range(5):
        response = client.post("/account/password", data=data)
        assert response.status_code == 422
        assert "That is not your current password." in response.get_data(as_text=True)
    right = {**data, "current_password": PASSWORD}
    response = client.post("/account/password", data=right)
    assert response.status_code == 429
    assert "Too many failed sign-ins for this username here; try again in" in response.get_data(
        as_text=True
    )
    assert passwords.verify_password(User.get_by_id(user.id).password_hash, PASSWORD)
    # The failures count against signing in too.
    assert sign_in(client, user.username).status_code == 429


@pytest.mark.parametrize("typed", ["Farah", "farah", "FARAH", " farah "])
def test_sign_in_accepts_the_username_in_any_case(client, typed):
    create_user("facilitator", username="Farah")
    assert sign_in(client, typed).status_code == 302


def test_usernames_differing_only_in_case_cannot_both_exist(app):
    from peewee import IntegrityError

    from rj import accounts
    from rj.refusals import Refused

    accounts.create("Farah", "facilitator", PASSWORD)
    with pytest.raises(Refused, match="A user named 'farah' already exists."):
        accounts.create("farah", "volunteer", PASSWORD)
    with pytest.raises(IntegrityError):  # the database holds the rule too
        create_user("volunteer", username="FARAH")
    assert User.select().count() == 1


def test_unlock_says_it_cannot_reach_counters_kept_in_a_servers_memory(cli):
    user = create_user("facilitator")
    result = cli.invoke(args=["unlock", user.username])
    assert result.exit_code == 1
    assert "Unlocked" not in result.output
    assert f"{user.username!r} was not unlocked." in result.output
    assert "A running server keeps its own sign-in counters in its memory" in result.output
    assert "a username's lock within 15 minutes" in result.output
    assert "pair's within 30 seconds" in result.output
    assert "set RATELIMIT_STORAGE_URI to a Redis server" in result.output
    assert "redis://127.0.0.1:6379/0" in result.output


REDIS_URL = "redis://127.0.0.1:6379/0"


def test_unlock_lifts_a_lock_kept_in_redis(app, cli):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    app.config.update(THROTTLE_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL)
    throttle.init_app(app)  # fresh counters, in the storage just set
    user = create_user("facilitator")
    run = uuid.uuid4().hex
    for i in range(20):
        throttle.record_failure(user.username, f"test-{run}-{i}")
    assert throttle.wait_seconds(user.username, f"test-{run}-new") > 0

    result = cli.invoke(args=["unlock", user.username])
    assert result.exit_code == 0, result.output
    assert f"Unlocked {user.username!r}." in result.output
    assert throttle.wait_seconds(user.username, f"test-{run}-new") == 0


def test_a_browser_that_signed_in_before_is_counted_on_its_own(app, throttled):
    """OWASP's device cookies: someone guessing from the same address cannot lock the
    owner out of their own browser, and the refusal says what is limited."""
    user = create_user("facilitator")
    owner, guesser = app.test_client(), app.test_client()
    assert sign_in(owner, user.username).status_code == 302
    assert owner.get_cookie("mend_device") is not None
    owner.post("/signout")
    for i in range(20):  # the account's own limit, from anywhere
        sign_in(guesser, user.username, "wrong", environ_base={"REMOTE_ADDR": f"10.9.0.{i}"})
    locked = sign_in(guesser, user.username)
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in locked.get_data(as_text=True)
    assert sign_in(owner, user.username).status_code == 302  # its own counter: untouched


def test_failures_with_a_device_cookie_lock_that_browser_only(app, throttled):
    user = create_user("facilitator")
    owner, other = app.test_client(), app.test_client()
    sign_in(owner, user.username)
    owner.post("/signout")
    for _ in range(5):
        sign_in(owner, user.username, "wrong password")
    refused = sign_in(owner, user.username)
    assert refused.status_code == 429
    assert "Too many failed sign-ins from this browser" in refused.get_data(as_text=True)
    assert sign_in(other, user.username).status_code == 302


def test_a_room_sharing_one_address_is_told_it_is_the_network(app, throttled):
    for i in range(100):
        sign_in(app.test_client(), f"someone-{i}", "wrong password")
    response = sign_in(app.test_client(), "someone-else", "wrong password")
    assert response.status_code == 429
    assert "Too many failed sign-ins from this network" in response.get_data(as_text=True)


def test_a_forged_device_cookie_counts_for_nothing(app, throttled):
    user = create_user("facilitator")
    client = app.test_client()
    client.set_cookie("mend_device", "forged.value")
    for _ in range(5):
        sign_in(client, user.username, "wrong password")
    assert "for this username here" in sign_in(client, user.username).get_data(as_text=True)


def test_an_expired_set_up_code_says_so_and_signs_nobody_in(client, cli):
    from rj import accounts

    user = create_user("participant")
    code = accounts.issue_one_time_code(user)
    User.update(setup_code_expires_at=utcnow().replace(year=2000)).where(
        User.id == user.id
    ).execute()
    response = sign_in(client, user.username, code)
    assert response.status_code == 422
    assert "This set-up code has expired: ask a coordinator for a new one." in response.get_data(
        as_text=True
    )
    assert client.get("/my-cases/").status_code == 302
