"""Serve the app on a free loopback port and drive Debian's Chromium with Playwright.

Playwright is told where Chromium is; it never downloads a browser. Chromium runs
with background networking off so nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.axe import serve_axe
from tests.browser.reporting import PHONE
from tests.helpers import base_environ, unavailable

CHROMIUM = os.environ.get("MRVRS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_driver(chromium_path):
    """One Playwright for the session: a second one cannot start while the first runs."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver, chromium_path):
    instance = playwright_driver.chromium.launch(executable_path=chromium_path, headless=True,
                                                 args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def phone(browser):
    """A touch phone 360 px wide with JavaScript on; a test needing another kind of
    phone (JavaScript off, no cache) makes its own."""
    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


class LiveServer:
    """The app on a free loopback port, with axe-core beside it for the checks (axe.py)."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, serve_axe(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def demo_server():
    """The app on the embedded store with the demo accounts; yields (server, accounts)."""
    from app import create_app
    from app.demo import seed_accounts
    from config.settings import load_settings

    app = create_app(load_settings(base_environ()))
    with app.app_context():
        accounts = seed_accounts(app.extensions["mrvrs"])
    with LiveServer(app) as server:
        yield server, {account.roles[-1]: account for account in accounts}
