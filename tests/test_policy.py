"""The one access policy: every route declares a rule, and roles get what DESIGN.md gives them."""

import pytest

from rj import policy
from rj.vocabulary import ROLES
from tests.helpers import create_user


def test_every_route_declares_a_policy_rule(app):
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if policy.rule_for(app.view_functions[rule.endpoint], rule.endpoint) is None
    ]
    assert missing == [], f"routes without a policy rule: {missing}"


def test_a_route_without_a_rule_is_refused_at_runtime(app, client, login_as):
    @app.get("/forgotten")
    def forgotten():
        return "should never be served"

    login_as("admin")
    assert client.get("/forgotten").status_code == 403


EXPECTED = {
    # (path, role) -> status; None means "not signed in"
    "/board/": {
        "admin": 200,
        "facilitator": 200,
        "representative": 403,
        "participant": 403,
        "volunteer": 403,
        None: 302,
    },
    "/my-cases/": {**{r: 200 for r in ROLES}, None: 302},
    "/tablet/": {
        "admin": 200,
        "facilitator": 200,
        "representative": 403,
        "participant": 403,
        "volunteer": 200,
        None: 302,
    },
    "/account/password": {**{r: 200 for r in ROLES}, None: 302},
    "/healthz": {**{r: 200 for r in ROLES}, None: 200},
    "/signin": {**{r: 302 for r in ROLES}, None: 200},
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
@pytest.mark.parametrize("role", [*ROLES, None])
def test_role_access_to_each_page(client, login_as, path, role):
    if role:
        login_as(role)
    assert client.get(path).status_code == EXPECTED[path][role]


@pytest.mark.parametrize("role", ROLES)
def test_can_is_false_for_inactive_accounts(app, role):
    user = create_user(role)
    assert policy.can(user, "board.view") == (role in ("admin", "facilitator"))
    user.is_active_account = False
    assert not policy.can(user, "board.view")
    assert not policy.can(user, "tablet.use")


def test_can_refuses_anonymous_and_unknown_actions(app):
    assert not policy.can(None, "board.view")
    assert not policy.can(create_user("admin"), "no.such.action")
