import pytest
from flask import abort

from tests.helpers import TEST_DATA_KEY, base_environ


def test_home__language_and_direction_follow_the_choice(client):
    assert '<html lang="en" dir="ltr">' in client.get("/").get_data(as_text=True)
    client.get("/language?lang=ar&next=/")
    assert '<html lang="ar" dir="rtl">' in client.get("/").get_data(as_text=True)


def test_language_switch__unknown_language_ignored_and_no_open_redirect(client):
    response = client.get("/language?lang=xx&next=//evil.example/")
    assert response.headers["Location"] == "/"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_footer__embedded_store_is_announced(client):
    assert "demo store: data is not kept after exit" in client.get("/").get_data(as_text=True)


def test_public_pages__quick_exit_control(client):
    assert 'id="quick-exit"' in client.get("/").get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages__no_inline_scripts(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


def test_every_input_has_a_label(client):
    import re

    html = client.get("/auth/login").get_data(as_text=True) + client.get("/").get_data(as_text=True)
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*id="([^"]+)"',
                     html)
    assert ids
    for element_id in ids:
        assert f'for="{element_id}"' in html, element_id


@pytest.fixture
def failing_app(settings):
    from app import create_app

    app = create_app(settings)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    return app


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/no/such/page", 404, "There is nothing at this address."),
    ("/forbidden", 403, "You do not have permission"),
    ("/boom", 500, "what you sent may not have been saved"),
])
def test_error_pages__plain_message_no_stack_trace(failing_app, url, status, words):
    response = failing_app.test_client().get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == status and words in body
    assert "Traceback" not in body and "secret internals" not in body


def test_error_page__413_too_large(settings):
    from app import create_app

    app = create_app(settings.with_overrides(request_max_bytes=1000))
    response = app.test_client().post("/auth/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_error_page__api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json["error"]["status"] == 404


def test_healthz__embedded__ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"]["state"] == "ok"
    assert response.json["broker"]["state"] == "eager"


@pytest.fixture
def down_app():
    """An app whose database and broker are both unreachable (closed loopback ports)."""
    from app import create_app
    from config.settings import load_settings

    settings = load_settings(base_environ(MRVRS_MONGO_URI="mongodb://127.0.0.1:9/",
                                          MRVRS_BROKER_URL="redis://127.0.0.1:9/0",
                                          MRVRS_MONGO_TIMEOUT_MS="200",
                                          MRVRS_DATA_KEY=TEST_DATA_KEY))
    app = create_app(settings)
    yield app
    app.extensions["mrvrs"].db.client.close()


def test_healthz__database_and_broker_down__503(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"]["state"] == "down"
    assert response.json["broker"]["state"] == "down"


def test_pages__database_down__clear_503_page(down_app):
    client = down_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x",
                                                 "csrf_token": token})
    assert response.status_code == 503
    assert "nothing was saved" in response.get_data(as_text=True)
