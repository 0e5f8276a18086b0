"""CSRF, cookies, headers and error pages."""

import re

import pytest

from rj import create_app
from tests.helpers import (
    PASSWORD,
    TEST_CONFIG,
    build_places,
    create_user,
    make_app,
    readable_pages,
    sign_in_session,
)


@pytest.fixture
def csrf_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def csrf_token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_sign_in_without_a_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    user = create_user("facilitator")
    response = client.post("/signin", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form had expired" in response.get_data(as_text=True)


def test_sign_in_with_the_form_token_works(csrf_app):
    client = csrf_app.test_client()
    user = create_user("facilitator")
    token = csrf_token(client.get("/signin").get_data(as_text=True))
    response = client.post(
        "/signin", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_htmx_requests_send_the_token_in_a_header(csrf_app):
    client = csrf_app.test_client()
    user = create_user("facilitator")
    sign_in_session(client, user)
    page = client.get("/board/").get_data(as_text=True)
    header_token = re.search(r"hx-headers='\{&#34;X-CSRFToken&#34;: &#34;([^&]+)&#34;\}'", page)
    assert header_token, "the layout gives htmx the CSRF token"
    refused = client.post("/signout", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    assert refused.headers["HX-Trigger"] == "session-ended"
    accepted = client.post(
        "/signout", headers={"HX-Request": "true", "X-CSRFToken": header_token.group(1)}
    )
    assert accepted.status_code == 302


def test_security_headers_are_on_every_page(client):
    response = client.get("/signin")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_no_page_carries_inline_script_and_htmx_is_configured_safely(app, world):
    """Every page of the URL map, read by someone who may open it."""
    users, values = build_places(world)
    client = app.test_client()
    wrong, read = [], 0
    for endpoint, user, path in readable_pages(app, users, values):
        if user is not None:
            sign_in_session(client, user)
        else:
            with client.session_transaction() as session:
                session.clear()
        response = client.get(path)
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        read += 1
        html = response.get_data(as_text=True)
        # A JSON data block (the words app.js shows) is never run; any other inline script is.
        if re.search(r'<script(?![^>]*\bsrc=)(?![^>]*type="application/json")[^>]*>', html):
            wrong.append(f"{path} ({endpoint}) has an inline <script>")
        if re.search(r"\son[a-z]+=", html):
            wrong.append(f"{path} ({endpoint}) has an on*= attribute")
        if "htmx.min.js" in html and '"allowEval":false' not in html.replace("&#34;", '"'):
            wrong.append(f"{path} ({endpoint}) does not configure htmx without eval")
    assert read > 40
    assert not wrong, "\n".join(wrong)


def test_htmx_is_configured_safely(client, login_as):
    login_as("facilitator")
    html = client.get("/board/").get_data(as_text=True).replace("&#34;", '"')
    assert '"allowEval":false' in html and '"historyCacheSize":0' in html
    assert "/static/vendor/htmx.min.js" in html and "/static/vendor/Sortable.min.js" in html


def test_session_cookie_is_httponly_and_lax(client):
    user = create_user("facilitator")
    response = client.post("/signin", data={"username": user.username, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "_session=" in c)
    assert cookie.startswith("mend_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_over_https_the_cookie_is_secure_host_prefixed_and_hsts_is_sent(database_url, tmp_path):
    app = make_app(database_url, tmp_path, HTTPS=True)
    with app.app_context():
        client = app.test_client()
        user = create_user("facilitator")
        response = client.post(
            "/signin",
            data={"username": user.username, "password": PASSWORD},
            base_url="https://mend.example",
        )
        cookies = response.headers.getlist("Set-Cookie")
        cookie = next(c for c in cookies if "_session=" in c)
        assert cookie.startswith("__Host-mend_session=")
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
        device = next(c for c in cookies if c.startswith("mend_device="))
        assert "Secure" in device and "HttpOnly" in device
        assert "max-age" in response.headers["Strict-Transport-Security"]


def test_signed_in_pages_are_never_cached(client, login_as):
    login_as("facilitator")
    assert client.get("/board/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/nothing-here", "/board/x/y/z"])
def test_unknown_pages_get_a_friendly_404(client, login_as, path):
    login_as("facilitator")
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_oversized_request_gets_a_friendly_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/signin", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "larger than Mend accepts" in response.get_data(as_text=True)


def test_unexpected_errors_get_a_500_page_that_leaks_nothing(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    app.config["TESTING"] = False  # let the error handler answer, as in production

    @app.get("/explode")
    def explode():  # a route registered only here
        raise RuntimeError("secret internals")

    explode.policy_rule = "public"
    with app.app_context():
        response = app.test_client().get("/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_garbage_in_the_session_is_treated_as_signed_out(client):
    with client.session_transaction() as session:
        session["_user_id"] = "not-a-number"
        session["signed_in_at"] = session["seen_at"] = 10**10
    assert client.get("/board/").status_code == 302


def test_secret_key_is_generated_once_into_instance_and_reused(tmp_path):
    config = {k: v for k, v in TEST_CONFIG.items() if k != "SECRET_KEY"}
    config["DATABASE_URL"] = str(tmp_path / "db.sqlite3")
    first = create_app(dict(config), instance_path=str(tmp_path / "inst"))
    second = create_app(dict(config), instance_path=str(tmp_path / "inst"))
    key_file = tmp_path / "inst" / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_postgresql_refuses_to_start_without_an_explicit_secret_key(tmp_path):
    config = {k: v for k, v in TEST_CONFIG.items() if k != "SECRET_KEY"}
    config["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(config, instance_path=str(tmp_path))
