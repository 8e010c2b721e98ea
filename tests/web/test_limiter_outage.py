"""When the rate-limit store (Redis) is away, the public form and sign-in keep working.

An outage of the store used to make every limited post a 500 whose page said
nothing was lost, while nothing was stored. The store here is a Redis address
where nothing listens, which is what an outage looks like to the app.
"""

from __future__ import annotations

import socket

import pytest

from tests.helpers import PASSWORD, AuthActions, base_environ, csrf_token
from tests.intake_helpers import post_report, publish_shipped, receipt


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def outage_app():
    from app import create_app
    from config.settings import load_settings

    uri = f"redis://127.0.0.1:{_closed_port()}/2"
    app = create_app(load_settings(base_environ(MRVRS_RATE_LIMIT_STORAGE_URI=uri)))
    publish_shipped(app.extensions["mrvrs"])
    return app


def test_limiter_store_away__public_report_stored_and_receipt_shown(outage_app):
    svc = outage_app.extensions["mrvrs"]
    response = post_report(outage_app.test_client(), "my-intake", "en")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
    assert case is not None and case["country"] == "MY"


def test_limiter_store_away__login_works(outage_app):
    svc = outage_app.extensions["mrvrs"]
    user = svc.users.create("staff@example.org", PASSWORD, ["member"])
    response = AuthActions(outage_app.test_client()).login(user["email"])
    assert response.status_code == 302


def test_limiter_store_away__limits_still_apply_from_memory(outage_app):
    client = outage_app.test_client()
    statuses = []
    for i in range(12):
        token = csrf_token(client.get("/auth/login").get_data(as_text=True))
        statuses.append(client.post("/auth/login", data={
            "email": f"x{i}@example.org", "password": "x", "csrf_token": token}).status_code)
    assert statuses[0] == 400 and statuses[-1] == 429, statuses


def test_unexpected_error__page_does_not_claim_nothing_was_lost(app):
    def broken():
        raise RuntimeError("a fault nobody planned for")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    response = app.test_client().get("/broken-for-test")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "was lost" not in text
    assert "may not have been saved" in text
