"""The handover in a real browser with JavaScript off, on a phone's width: the
secretariat shares a case with the Malaysian team, whose reviewer accepts it from
"Shared with us" and reads it as the share allows (docs/handover.md)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.demo_cases import seed_cases
from tests.browser.staff import sign_in

WIDTH = 360


@pytest.fixture(scope="module")
def with_cases(demo_server):
    server, accounts = demo_server
    svc = server.app.extensions["mrvrs"]
    coordinator = svc.users.by_email(accounts["coordinator"].email)
    actor = {"id": coordinator["_id"], "roles": coordinator["roles"], "org_id": None,
             "countries": []}
    with server.app.app_context():
        seed_cases(svc, actor, None, count=40)
    return server, accounts


def _phone(browser, server, account):
    """A phone-sized page without JavaScript, signed in as `account`."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-GB",
                                  java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server.url, account.email, account.password)
    return context, page


def _width(page) -> int:
    """The page's width (Playwright's own evaluation runs with the page's scripts off)."""
    return page.evaluate("document.documentElement.scrollWidth")


def test_share_accept_and_read__without_javascript__within_360_px(with_cases, browser):
    server, accounts = with_cases
    svc = server.app.extensions["mrvrs"]
    case = svc.db.cases.find_one({"team": {"$nin": ["my-team", None]},
                                  "stage": {"$in": ["in_review", "verified"]}})
    assert case is not None
    reference = case["reference"]

    context, page = _phone(browser, server, accounts["coordinator"])
    page.goto(f"{server.url}/cases/{reference}/share")
    assert page.locator("[data-consent]").is_visible()
    page.get_by_label("Share with").select_option(label="Team my-team")
    page.get_by_label("Purpose").select_option(label="Legal aid")
    page.get_by_label("The case without identifying data", exact=False).check()
    page.get_by_label("Shared until").fill(
        (datetime.now(UTC) + timedelta(days=30)).date().isoformat())
    assert _width(page) <= WIDTH
    page.get_by_role("button", name="Share the case").click()
    page.wait_for_url(f"{server.url}/cases/{reference}")
    assert "The case was shared." in page.content()
    assert page.locator(".handover [data-state=offered]").count() == 1
    context.close()

    context, page = _phone(browser, server, accounts["reviewer"])
    page.goto(f"{server.url}/cases/shared")
    offer = page.locator(f"li[data-state=offered]:has-text('{reference}')")
    assert offer.count() == 1
    assert _width(page) <= WIDTH
    offer.get_by_role("button", name="Accept").click()
    page.wait_for_url(f"{server.url}/cases/{reference}")
    assert page.locator("[data-access=no_identity]").is_visible()
    assert _width(page) <= WIDTH
    context.close()
    assert svc.cases.get(case["_id"])["shares"][-1]["state"] == "accepted"
