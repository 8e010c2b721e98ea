"""Fixtures shared by every suite: settings, a fresh app and store per test, users, login.

Integration tests need `MRVRS_TEST_MONGO_URI` and `MRVRS_TEST_BROKER_URL`; browser
tests need Debian's Chromium. Without them those tests are skipped with the
reason shown, unless `MRVRS_TEST_REQUIRE_SERVICES=1` (set by `.ci/run`), which
turns every such skip into a failure.
"""

from __future__ import annotations

import uuid

import pytest

from config.settings import Settings, load_settings
from tests.helpers import PASSWORD, AuthActions, base_environ, require_services

pytest_plugins = ["tests.services"]


@pytest.fixture
def settings() -> Settings:
    return load_settings(base_environ())


@pytest.fixture
def app(settings):
    from app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def svc(app):
    return app.extensions["mrvrs"]


@pytest.fixture
def make_user(svc):
    """Create a user with the shared test password; returns the stored document."""

    def make(roles=("member",), email=None, **kwargs):
        email = email or f"{'-'.join(roles)}-{uuid.uuid4().hex[:6]}@example.org"
        return svc.users.create(email, PASSWORD, list(roles), **kwargs)

    return make



@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(make_user, auth):
    """Create a user with `roles` and sign in as them; returns the user."""

    def login(*roles: str, **kwargs):
        user = make_user(roles or ("member",), **kwargs)
        response = auth.login(user["email"])
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With real services required, an integration or browser test that skips has failed."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and require_services() and (
        item.get_closest_marker("integration") or item.get_closest_marker("browser")
    ):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} was skipped, but MRVRS_TEST_REQUIRE_SERVICES=1"
