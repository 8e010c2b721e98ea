"""A coordinator changes the priority rules on a phone 360 px wide with JavaScript off:
the rules table scrolls in its own box, the forms fit, and each change is saved."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer
from tests.browser.staff import sign_in
from tests.helpers import base_environ

WIDTH = 360
PAGE = "/admin/routing/priority"


@pytest.fixture(scope="module")
def rules_server():
    """An app of its own (the demo accounts, routing version 1), so the versions this
    module saves change no other module's routing."""
    from app import create_app
    from app.demo import seed_accounts
    from config.settings import load_settings

    app = create_app(load_settings(base_environ()))
    with app.app_context():
        accounts = {a.roles[-1]: a for a in seed_accounts(app.extensions["mrvrs"])}
    with LiveServer(app) as server:
        yield server, accounts


@pytest.fixture(scope="module")
def coordinator_phone(rules_server, browser):
    server, accounts = rules_server
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-GB",
                                  is_mobile=True, has_touch=True, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server.url, accounts["coordinator"].email, accounts["coordinator"].password)
    yield server, page
    context.close()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_rules_page__within_360_px__table_scrolls_in_its_box(coordinator_phone):
    server, page = coordinator_phone
    page.goto(server.url + PAGE)
    box = page.locator(".table-scroll")
    assert box.get_attribute("role") == "region"
    assert box.locator("tbody tr").count() == 4
    assert _width(page) <= WIDTH
    assert page.get_by_label("When a case has").is_visible()


def test_add_rule_then_window__saved_without_javascript_within_360_px(coordinator_phone):
    server, page = coordinator_phone
    svc = server.app.extensions["mrvrs"]
    page.goto(server.url + PAGE)
    page.get_by_label("When a case has").select_option("dimension:occupation:fishing")
    page.locator("#add-priority").select_option("urgent")
    page.get_by_role("button", name="Add the rule").click()
    page.wait_for_url(server.url + PAGE)
    assert "is saved and in force" in page.content()
    assert "Kind of work is Fishing or work at sea" in page.locator("#rule-occupation_fishing"
                                                                    ).inner_text()
    assert _width(page) <= WIDTH
    page.get_by_label("Duplicate window (days)").fill("90")
    page.get_by_role("button", name="Save the window").click()
    page.wait_for_url(server.url + PAGE)
    assert "the cases of the last 90 days" in page.content()
    rules = svc.routing.current()
    assert rules.duplicate_window_days == 90
    assert "occupation_fishing" in {rule.id for rule in rules.priority_rules}
    assert _width(page) <= WIDTH


def test_bad_window__problem_shown_within_360_px__nothing_saved(coordinator_phone):
    server, page = coordinator_phone
    svc = server.app.extensions["mrvrs"]
    before = svc.routing_store.latest_number()
    page.goto(server.url + PAGE)
    page.get_by_label("Duplicate window (days)").fill("0")
    page.get_by_role("button", name="Save the window").click()
    assert page.get_by_role("alert").is_visible()
    assert "from 1 to 3650" in page.get_by_role("alert").inner_text()
    assert svc.routing_store.latest_number() == before
    assert _width(page) <= WIDTH


def test_rules_page__no_axe_violations(rules_server, browser):
    """axe-core needs JavaScript, so this page is signed in on its own."""
    server, accounts = rules_server
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, server.url, accounts["admin"].email, accounts["admin"].password)
        page.goto(server.url + PAGE)
        assert_no_axe_violations(page)
    finally:
        context.close()
