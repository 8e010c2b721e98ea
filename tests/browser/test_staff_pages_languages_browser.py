"""The queue and a case page in Arabic (right to left) and Vietnamese, on a phone: the
staff member changes the language with the header's switch, the page turns, stays
within 360 px, and the reporter's own words keep their own language and direction."""

import pytest

from app.demo_cases import seed_cases
from tests.browser.staff import sign_in

WIDTH = 360


@pytest.fixture(scope="module")
def reviewer_page(demo_server, browser):
    """The demo's reviewer (Malaysia) on a phone-sized page, with cases to read."""
    server, accounts = demo_server
    svc = server.app.extensions["mrvrs"]
    coordinator = svc.users.by_email(accounts["coordinator"].email)
    actor = {"id": coordinator["_id"], "roles": coordinator["roles"], "org_id": None,
             "countries": []}
    with server.app.app_context():
        seed_cases(svc, actor, None, count=30)
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-GB")
    page = context.new_page()
    sign_in(page, server.url, accounts["reviewer"].email, accounts["reviewer"].password)
    yield server, page
    context.close()


def _switch_to(page, tag: str) -> None:
    """The header's language switch, as a person without JavaScript helpers uses it."""
    page.select_option("#lang-switch", tag)
    page.locator("form.language button[type=submit]").click()
    page.wait_for_function(f"document.documentElement.lang === '{tag}'")


def _direction(page, selector: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector({selector!r})).direction")


@pytest.mark.parametrize(("tag", "direction"), [("ar", "rtl"), ("vi", "ltr")])
def test_queue_and_case__in_the_language_chosen_at_360_px(reviewer_page, tag, direction,
                                                         tmp_path):
    server, page = reviewer_page
    page.goto(server.url + "/cases/")
    _switch_to(page, tag)
    assert page.url.startswith(server.url + "/cases/")  # the switch comes back to the queue
    assert page.evaluate("document.documentElement.dir") == direction
    assert _direction(page, "main") == direction
    assert page.locator(".translation-review").is_visible()
    assert page.locator(".table-scroll table tbody tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.screenshot(path=str(tmp_path / f"queue-{tag}.png"))

    svc = server.app.extensions["mrvrs"]
    shown = [href.rsplit("/", 1)[-1] for href in page.locator(
        ".table-scroll tbody a[href^='/cases/']").evaluate_all("a => a.map(e => e.pathname)")]
    listed = [c for c in (svc.cases.by_reference(ref) for ref in shown) if c]
    case = next((c for c in listed if (c.get("answers") or {}).get("narrative")), listed[0])
    page.goto(f"{server.url}/cases/{case['reference']}")
    assert page.evaluate("document.documentElement.lang") == tag
    assert _direction(page, "main") == direction
    own = page.locator("dd[data-field=narrative] .own-text")
    reporter = case.get("language") or "en"
    if reporter != tag and (case.get("answers") or {}).get("narrative"):
        assert own.get_attribute("lang") == reporter
        assert own.evaluate("e => getComputedStyle(e).direction") == (
            "rtl" if reporter == "ar" else "ltr")
    assert page.locator("p.written-in").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.screenshot(path=str(tmp_path / f"case-{tag}.png"), full_page=True)
