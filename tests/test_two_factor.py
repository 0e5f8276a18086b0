"""Two-factor sign-in for staff: required by default for admins and facilitators (never
on a demo database), enrolled with a QR code and a code, a code works once, recovery
codes work once, wrong codes are throttled like passwords."""

import re

import pyotp
import pytest

from rj import accounts, settings, throttle
from rj.models import AuditRecord, RecoveryCode, User
from tests.helpers import PASSWORD, create_user


@pytest.fixture
def app_overrides():
    return {"TWO_FACTOR_ROLES": ["admin", "facilitator"]}


def sign_in(client, username, password=PASSWORD):
    return client.post("/signin", data={"username": username, "password": password})


def enrol(client):
    """Turn two-factor sign-in on through its page; returns (secret, recovery codes)."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn in the page
    secret = re.search(r"data-secret>([A-Z2-7]+)<", page).group(1)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes


def test_a_facilitator_must_turn_it_on_before_anything_else(client):
    user = create_user("facilitator")
    assert sign_in(client, user.username).status_code == 302
    response = client.get("/board/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    htmx = client.get("/board/", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx.headers["HX-Trigger"]) == (401, "session-ended")
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/board/").status_code == 200
    stored = User.get_by_id(user.id)
    assert stored.totp_enabled_at and stored.totp_secret == secret
    assert all(c.code_hash not in codes for c in RecoveryCode.select())  # hashes only
    assert "account.two_factor_on" in [r.action for r in AuditRecord.select()]
    assert secret not in "".join(r.details for r in AuditRecord.select())


def test_a_participant_need_not_but_may(client):
    user = create_user("participant")
    sign_in(client, user.username)
    assert client.get("/my-cases/").status_code == 200
    enrol(client)
    assert User.get_by_id(user.id).totp_enabled_at is not None


def test_a_wrong_code_does_not_turn_it_on(client):
    user = create_user("facilitator")
    sign_in(client, user.username)
    client.get("/account/two-factor")
    response = client.post("/account/two-factor", data={"code": "000000"})
    assert response.status_code == 422
    assert 'id="code-error">That code does not match' in response.get_data(as_text=True)
    assert User.get_by_id(user.id).totp_enabled_at is None


def _enrolled(app):
    user = create_user("facilitator")
    client = app.test_client()
    sign_in(client, user.username)
    secret, codes = enrol(client)
    client.post("/signout")
    return user, secret, codes


def test_sign_in_asks_for_the_code_after_the_password_and_a_code_works_once(app):
    user, secret, _ = _enrolled(app)
    client = app.test_client()
    response = sign_in(client, user.username)
    assert response.headers["Location"] == "/signin/code"
    assert client.get("/board/").status_code == 302  # not signed in yet
    code = pyotp.TOTP(secret).now()
    User.update(totp_last_step=None).where(User.id == user.id).execute()  # enrolment's step
    assert client.post("/signin/code", data={"code": code}).headers["Location"] == "/board/"
    assert client.get("/board/").status_code == 200
    again = app.test_client()
    sign_in(again, user.username)
    reused = again.post("/signin/code", data={"code": code})
    assert reused.status_code == 422
    assert "or was used already" in reused.get_data(as_text=True)


def test_a_recovery_code_works_once(app):
    user, _, codes = _enrolled(app)
    client = app.test_client()
    sign_in(client, user.username)
    assert client.post("/signin/code", data={"code": codes[0].upper()}).status_code == 302
    assert "9 left" in client.get("/board/").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, user.username)
    assert other.post("/signin/code", data={"code": codes[0]}).status_code == 422


def test_wrong_codes_are_throttled_like_passwords(app):
    app.config["THROTTLE_ENABLED"] = True
    throttle.init_app(app)  # fresh counters, in the storage just set
    user, secret, _ = _enrolled(app)
    client = app.test_client()
    sign_in(client, user.username)
    for _ in range(4):
        assert client.post("/signin/code", data={"code": "123456"}).status_code == 422
    right = pyotp.TOTP(secret).now()
    User.update(totp_last_step=None).where(User.id == user.id).execute()
    client.post("/signin/code", data={"code": "654321"})
    refused = client.post("/signin/code", data={"code": right})
    assert refused.status_code == 429
    assert "try again in" in refused.get_data(as_text=True)


def test_an_admin_resets_it_and_it_is_set_up_again(app):
    user, _, _ = _enrolled(app)
    admin = create_user("admin")
    accounts.reset_two_factor(user, admin)
    stored = User.get_by_id(user.id)
    assert stored.totp_secret is None and not RecoveryCode.select().exists()
    client = app.test_client()
    assert sign_in(client, user.username).headers["Location"] == "/board/"
    assert client.get("/board/").headers["Location"] == "/account/two-factor"


def test_demo_accounts_are_exempt_a_real_database_never_is(client):
    user = create_user("facilitator")
    settings.put(settings.DEMO, True)
    sign_in(client, user.username)
    assert client.get("/board/").status_code == 200
