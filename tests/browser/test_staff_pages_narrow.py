"""Staff pages with wide tables stay within a phone's width: the table scrolls in its box."""

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
    with server.app.app_context():  # filed and moved along, whatever earlier tests filed
        seed_cases(svc, actor, None, count=60)
    return server, accounts


@pytest.fixture(scope="module")
def coordinator_page(with_cases, browser):
    """One phone-sized page signed in as the coordinator, for the whole module: sign-ins
    are few, as the login limits want them."""
    server, accounts = with_cases
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-GB")
    page = context.new_page()
    sign_in(page, server.url, accounts["coordinator"].email, accounts["coordinator"].password)
    yield server, page
    context.close()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("path", ["/cases/", "/exports/indicators"])
def test_coordinator_pages__no_sideways_scroll_at_360_px(coordinator_page, path):
    server, page = coordinator_page
    page.goto(server.url + path)
    table = page.locator(".table-scroll table").first
    assert table.count() == 1 and table.locator("tbody tr").count() > 0
    assert _width(page) <= WIDTH
    assert page.locator(".table-scroll").first.get_attribute("role") == "region"


def test_case_page__narrative_approval_within_360_px(coordinator_page):
    """The approval form's long button wraps, and the follow-up table scrolls in its box,
    instead of widening the page."""
    server, page = coordinator_page
    svc = server.app.extensions["mrvrs"]
    case = svc.db.cases.find_one({"answers.narrative": {"$exists": True},
                                  "follow_ups.0": {"$exists": True}})
    page.goto(f"{server.url}/cases/{case['reference']}")
    assert page.locator("[data-narrative=narrative] [type=submit]").is_visible()
    assert _width(page) <= WIDTH


@pytest.mark.parametrize("path", ["/exports/", "/exports/reports"])
def test_selection_forms__within_360_px(coordinator_page, path):
    server, page = coordinator_page
    page.goto(server.url + path)
    assert page.locator("#event_from").is_visible()
    assert _width(page) <= WIDTH


def test_case_page__staff_questions_answered_within_360_px(coordinator_page, tmp_path):
    """The coordinator ticks MWC articles in the staff questions, saves, and the case
    shows them; the 61 boxes wrap instead of widening the page."""
    server, page = coordinator_page
    svc = server.app.extensions["mrvrs"]
    case = svc.db.cases.find_one({"form.id": "my-intake", "stage": "in_review"})
    page.goto(f"{server.url}/cases/{case['reference']}")
    section = page.locator("section.staff-answers")
    assert section.is_visible()
    for code in ("MWC-18", "MWC-54"):
        box = section.locator(f"input[name='staff-mwc_codes'][value='{code}']")
        box.scroll_into_view_if_needed()
        box.check()
    assert _width(page) <= WIDTH
    page.screenshot(path=str(tmp_path / "staff-answers.png"))  # the boxes just ticked
    section.locator("input[type=submit]").click()
    page.wait_for_url(f"{server.url}/cases/{case['reference']}")
    assert "The staff answers were saved." in page.content()
    answered = page.locator("dd[data-field=mwc_codes]")
    assert "MWC-18" in answered.inner_text() and "MWC-54" in answered.inner_text()
    assert {18, 54} <= set(svc.cases.get(case["_id"])["mwc"])
    assert _width(page) <= WIDTH


#: The pages national members and the secretariat use to run their country: the format
#: guide, XLSForm import, the structured editor's tasks, translations, the approval
#: rule and routing.
COUNTRY_PAGES = ["/forms/guide", "/forms/import-xlsform", "/forms/my-intake/tasks",
                 "/forms/my-intake/tasks/label", "/forms/my-intake/tasks/choice",
                 "/forms/my-intake/tasks/hide", "/forms/my-intake/tasks/terms/new",
                 "/forms/my-intake/tasks/terms/levy", "/forms/my-intake/draft/preview",
                 "/forms/my-intake/translations", "/forms/approval", "/admin/routing",
                 "/admin/routing/history", "/admin/routing/rules"]


@pytest.mark.parametrize("path", COUNTRY_PAGES)
def test_country_pages__within_360_px_tables_scroll_in_their_box(coordinator_page, path):
    server, page = coordinator_page
    response = page.goto(server.url + path)
    assert response.status == 200
    assert _width(page) <= WIDTH
    tables = page.locator("main table")
    assert tables.count() == page.locator("main .table-scroll table").count()
    boxes = page.locator("main .table-scroll")
    assert all(role == "region" for role in boxes.evaluate_all(
        "boxes => boxes.map(b => b.getAttribute('role'))"))


def test_country_pages__in_arabic__within_360_px(coordinator_page, tmp_path):
    """Right to left and with longer words, the same pages still fit a phone."""
    server, page = coordinator_page
    page.goto(server.url + "/language?lang=ar")
    try:
        too_wide = []
        for path in COUNTRY_PAGES:
            page.goto(server.url + path)
            assert page.evaluate("document.documentElement.dir") == "rtl"
            if _width(page) > WIDTH:
                too_wide.append((path, _width(page)))
                page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-')}.png"))
        assert too_wide == []
    finally:
        page.goto(server.url + "/language?lang=en")
