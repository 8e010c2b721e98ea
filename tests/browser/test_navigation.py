"""Each demo role signs in through the real login form and sees its own navigation."""

import pytest

from tests.browser.staff import sign_in

PUBLIC_NAV = {"Home", "Report a violation", "Check a report"}
EVIDENCE_NAV = {"Exports", "Indicators"}
EXPECTED_NAV = {
    "admin": PUBLIC_NAV | {"Users", "Organisations", "Routing", "Form approval", "Audit log",
                           "Translations", "My account"},
    "coordinator": PUBLIC_NAV | EVIDENCE_NAV | {"Cases", "Notifications", "Forms", "Routing",
                                                "Audit log", "Translations", "My account",
                                                "Registry", "Import cases"},
    "reviewer": PUBLIC_NAV | EVIDENCE_NAV | {"Cases", "Notifications", "My account",
                                             "Registry", "Shared with us"},
    "member": PUBLIC_NAV | {"Cases", "Notifications", "My reports", "My account",
                            "Import cases", "Shared with us"},
    "form_editor": PUBLIC_NAV | {"Cases", "Notifications", "Forms", "My reports",
                                 "My account", "Import cases", "Shared with us"},
    "mission": PUBLIC_NAV | EVIDENCE_NAV | {"My account", "Registry"},
    "reporter": PUBLIC_NAV | {"Notifications", "My reports", "My account"},
}


def _nav_labels(page) -> set[str]:
    page.locator("header nav a").first.wait_for()
    return {text.strip() for text in page.locator("header nav a").all_inner_texts()}


def test_anonymous__sees_public_navigation_and_quick_exit(demo_server, page):
    server, _accounts = demo_server
    page.goto(server.url + "/")
    assert _nav_labels(page) == PUBLIC_NAV
    assert page.locator("#quick-exit").is_visible()
    assert "demo store" in page.locator("footer").inner_text()


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_each_demo_role__signs_in_and_sees_its_navigation(demo_server, page, role):
    server, accounts = demo_server
    account = accounts[role]
    sign_in(page, server.url, account.email, account.password)
    assert _nav_labels(page) == EXPECTED_NAV[role]
    assert page.locator(".user").get_attribute("data-roles").split()[-1] == role
    with page.expect_navigation():  # signing out lands on "/" again, so wait for the new page
        page.get_by_role("button", name="Sign out").click()
    assert _nav_labels(page) == PUBLIC_NAV
