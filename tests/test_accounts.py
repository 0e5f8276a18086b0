"""Accounts: password rules, hashes, the `mend` account commands and what they do to sessions."""

import pytest

from rj import passwords
from rj.models import AuditRecord, User
from tests.helpers import (
    PASSWORD,
    ask,
    create_user,
    method_for,
    path_for,
    route_rules,
    sign_in_session,
)


def test_passwords_are_stored_as_argon2id_hashes(app):
    user = create_user("facilitator")
    assert user.password_hash.startswith("$argon2id$")
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert not passwords.verify_password(user.password_hash, PASSWORD + "x")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "Use at least 8 characters."),
        ("password", "commonly used"),
        ("Password1", "commonly used"),
        ("iloveyou!", "commonly used"),
        ("x" * 257, "at most 256"),
        ("facilitator-1", "cannot be your username"),
    ],
)
def test_weak_new_passwords_are_refused_with_a_reason(app, password, problem):
    assert problem in passwords.problem_with(password, "facilitator-1")


@pytest.mark.parametrize("password", ["all lower case words", "12345678 but long", "ÄÖÜ-ßpass"])
def test_no_compositionroute_rules(app, password):
    assert passwords.problem_with(password) is None


def test_create_user_reads_the_password_from_stdin(cli):
    result = cli.invoke(
        args=["create-user", "ana", "--role", "facilitator", "--password-stdin", "--name", "Ana B"],
        input="a good long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "ana")
    assert (user.role, user.display_name) == ("facilitator", "Ana B")
    assert passwords.verify_password(user.password_hash, "a good long passphrase")


def test_create_user_refuses_an_unknown_role(cli):
    result = cli.invoke(
        args=["create-user", "ana", "--role", "boss", "--password-stdin"], input="x\n"
    )
    assert result.exit_code == 2
    assert "'boss' is not one of" in result.output
    assert not User.select().exists()


def test_create_user_refuses_a_duplicate_name(cli):
    create_user("facilitator", username="ana")
    result = cli.invoke(
        args=["create-user", "ana", "--role", "volunteer", "--password-stdin"],
        input="a good long passphrase\n",
    )
    assert result.exit_code == 1
    assert "A user named 'ana' already exists." in result.output
    assert User.get(User.username == "ana").role == "facilitator"


def test_create_user_refuses_a_common_password(cli):
    result = cli.invoke(
        args=["create-user", "ana", "--role", "volunteer", "--password-stdin"], input="qwerty123\n"
    )
    assert result.exit_code == 1
    assert "Password refused" in result.output
    assert not User.select().exists()


def test_deactivating_a_user_ends_their_session_at_the_next_request(client, cli):
    user = create_user("facilitator")
    sign_in_session(client, user)
    assert client.get("/board/").status_code == 200
    result = cli.invoke(args=["deactivate", user.username])
    assert result.exit_code == 0
    assert client.get("/board/").status_code == 302
    cli.invoke(args=["reactivate", user.username])
    assert User.get_by_id(user.id).is_active


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, client):
    user = create_user("facilitator")
    other_device = app.test_client()
    sign_in_session(client, user)
    sign_in_session(other_device, user)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new phrase",
            "confirm": "a brand new phrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/board/").status_code == 200
    assert other_device.get("/board/").status_code == 302
    assert passwords.verify_password(User.get_by_id(user.id).password_hash, "a brand new phrase")


def test_password_change_errors_appear_beside_their_fields(client, login_as):
    login_as("facilitator")
    response = client.post(
        "/account/password",
        data={"current_password": "wrong one", "new_password": "password", "confirm": "other"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="new_password-error">That password is on a list' in html
    assert 'id="confirm-error">The two new passwords are not the same.' in html


def _one_time_code(cli, user):
    result = cli.invoke(args=["reset-password", user.username])
    assert result.exit_code == 0, result.output
    return result.output.strip().rsplit(" ", 1)[-1]


def test_reset_password_gives_a_one_time_code_that_must_be_changed(client, cli):
    user = create_user("participant")
    code = _one_time_code(cli, user)
    response = client.post("/signin", data={"username": user.username, "password": code})
    assert response.headers["Location"] == "/account/password"
    assert not passwords.verify_password(User.get_by_id(user.id).password_hash, PASSWORD)


def test_a_one_time_code_signs_in_once(app, cli):
    user = create_user("facilitator")
    code = _one_time_code(cli, user)
    first, second = app.test_client(), app.test_client()
    signin = {"username": user.username, "password": code}
    assert first.post("/signin", data=signin).headers["Location"] == "/account/password"
    again = second.post("/signin", data=signin)
    assert again.status_code == 200
    assert "do not match an active account" in again.get_data(as_text=True)


def test_after_a_one_time_code_the_new_password_is_chosen_without_the_code(client, cli):
    user = create_user("facilitator")
    code = _one_time_code(cli, user)
    client.post("/signin", data={"username": user.username, "password": code})
    page = client.get("/account/password").get_data(as_text=True)
    assert "Choose your password" in page and 'name="current_password"' not in page
    new = {"new_password": "a fresh long phrase", "confirm": "a fresh long phrase"}
    response = client.post("/account/password", data=new)
    assert response.status_code == 302 and response.headers["Location"] == "/board/"
    assert client.get("/board/").status_code == 200
    stored = User.get_by_id(user.id)
    assert not stored.must_change_password
    assert passwords.verify_password(stored.password_hash, "a fresh long phrase")
    actions = [r.action for r in AuditRecord.select().order_by(AuditRecord.id)]
    assert actions[-3:] == ["account.code_issued", "account.code_used", "account.password_changed"]
    assert code not in "".join(r.details for r in AuditRecord.select())


def test_until_a_password_is_chosen_every_route_but_the_ways_out_waits(app, world, cli):
    """Generated from the URL map: a session signed in with a one-time code reaches the
    password page and sign-out, and nothing else (no case content, no export)."""
    users, objects = world
    user = users["facilitator"]
    code = _one_time_code(cli, user)
    client = app.test_client()
    wrong = []
    for rule in route_rules(app):
        method = method_for(rule)
        path = path_for(app, rule, objects["own"])
        for htmx in (False, True):
            client.post("/signin", data={"username": user.username, "password": code})
            User.update(password_hash=passwords.hash_password(code)).where(
                User.id == user.id
            ).execute()  # the code again, for the next sign-in of this test
            headers = {"HX-Request": "true"} if htmx else {}
            response = ask(client, None, method, path, headers=headers)
            body = response.get_data(as_text=True)
            if rule.endpoint in ("auth.change_password", "auth.signout", "auth.leave"):
                continue
            if htmx:
                ok = (response.status_code, response.headers.get("HX-Trigger")) == (
                    401,
                    "session-ended",
                )
            else:
                ok = response.status_code == 302 and response.headers["Location"] == (
                    "/account/password"
                )
            if not ok or "Something happened." in body or objects["own"]["reference"] in body:
                wrong.append(f"{method} {path} (htmx={htmx}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_set_role_and_unknown_user_errors(cli):
    user = create_user("volunteer")
    assert cli.invoke(args=["set-role", user.username, "facilitator"]).exit_code == 0
    assert User.get_by_id(user.id).role == "facilitator"
    result = cli.invoke(args=["set-role", "ghost", "facilitator"])
    assert result.exit_code == 1
    assert "There is no user named 'ghost'." in result.output
