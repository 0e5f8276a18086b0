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


# What can(user, ability, case) answers, by role and by the case asked about (the world's
# own case; one the admin and facilitator are recused from; one they are parties to).
ROLE_TABLE = {
    #  ability            admin  facil. repr.  partic. volunteer
    "board.view":        (True, True, False, False, False),
    "case.file":         (True, True, False, False, False),
    "due.view":          (True, True, False, False, False),
    "users.manage":      (True, False, False, False, False),
    "settings.manage":   (True, False, False, False, False),
    "tablet.use":        (True, True, False, False, True),
    "mycases.view":      (True, True, True, True, True),
}  # fmt: skip
CASE_TABLE = {
    # ability: {context: (admin, facilitator)}; other roles never
    "case.view": {"own": (True, True), "recused": (False, False), "party": (False, False)},
    "case.edit": {"own": (True, True), "recused": (False, False), "party": (False, False)},
    "case.move": {"own": (True, True), "recused": (False, False), "party": (False, False)},
    "case.export": {"own": (True, True), "recused": (False, False), "party": (False, False)},
}
ORDER = ("admin", "facilitator", "representative", "participant", "volunteer")


def test_each_role_has_the_abilities_of_its_row(world):
    users, _ = world
    wrong = [
        f"{role} {ability}: expected {expected}"
        for ability, row in ROLE_TABLE.items()
        for role, expected in zip(ORDER, row, strict=True)
        if policy.can(users[role], ability) != expected
    ]
    assert not wrong, "\n".join(wrong)


def test_abilities_about_a_case_depend_on_the_case(world):
    from rj.models import Case

    users, objects = world
    wrong = []
    for ability, contexts in CASE_TABLE.items():
        for context, (admin, facilitator) in contexts.items():
            case = Case.get(Case.reference == objects[context]["reference"])
            for role in ORDER:
                expected = {"admin": admin, "facilitator": facilitator}.get(role, False)
                if policy.can(users[role], ability, case) != expected:
                    wrong.append(f"{role} {ability} on the {context} case: expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_a_deactivated_account_can_do_nothing(world):
    from rj import accounts

    users, _ = world
    create_user("admin")  # not the last coordinator
    accounts.deactivate(users["admin"])
    from rj.models import User

    admin = User.get_by_id(users["admin"].id)
    assert not any(policy.can(admin, ability) for ability in ROLE_TABLE)


def test_the_navigation_offers_what_the_role_may_open_and_marks_the_current_page(world):
    users, _ = world
    offered = [label for _, label, _ in policy.navigation(users["facilitator"], "cases.show")]
    assert offered == ["Board", "Due", "New case", "My cases", "Tablet"]
    current = [
        label for _, label, now in policy.navigation(users["facilitator"], "cases.file") if now
    ]
    assert current == ["New case"]
    assert [label for _, label, _ in policy.navigation(users["participant"])] == ["My cases"]
