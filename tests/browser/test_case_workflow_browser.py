"""A case from the public form to closure through the screens, as a member and a reviewer.

JavaScript is off for the whole path: every step is a plain form post. Inputs are
found by their labels, so a field without a label fails here.
"""

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.reporting import walk_report
from tests.browser.staff import sign_in
from tests.helpers import PASSWORD, base_environ

NARRATIVE = "The employer kept my passport and paid nothing for three months. <b>help</b>"


@pytest.fixture(scope="module")
def server():
    """A fresh app with one member organisation, its staff member and the MY reviewer."""
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(base_environ()))
    svc = app.extensions["mrvrs"]
    with app.app_context():
        org = svc.organisations.create("Harbour Workers Aid", "MY")
        svc.users.create("member@harbour.example", PASSWORD, ["member"], name="Mei Member",
                         org_id=org["_id"], countries=["MY"])
        svc.users.create("reviewer@my.example", PASSWORD, ["reviewer"], name="Rina Reviewer",
                         countries=["MY"])
    with LiveServer(app) as live:
        live.svc = svc
        yield live


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    yield context.new_page()
    context.close()


def _sign_in(page, server, email):
    sign_in(page, server.url, email, PASSWORD)


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def _file_as_member(page, server) -> str:
    reference, _code = walk_report(page, server.url + "/report/my-intake/en",
                                   destination="MY", narrative=NARRATIVE)
    return reference


def _stage(page) -> str:
    return page.locator(".case-facts dd[data-stage]").get_attribute("data-stage")


def _take(page, name, button, **labelled):
    form = page.locator(f'form[data-transition="{name}"]')
    for label, value in labelled.items():
        field = form.get_by_label(label.replace("_", " "))
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_role("button", name=button).click()
    page.wait_for_selector(".flashes")


def _open_from_notifications(page, server, reference, sentence):
    page.get_by_role("link", name="Notifications", exact=True).click()
    item = page.locator("ul.notifications li", has_text=sentence)
    assert reference in item.inner_text()
    item.get_by_role("link", name=reference).click()
    page.wait_for_url(f"{server.url}/cases/{reference}")


def test_case__from_filing_to_closure_through_the_screens(server, page):
    _sign_in(page, server, "member@harbour.example")
    reference = _file_as_member(page, server)
    case = server.svc.cases.by_reference(reference)
    if case["stage"] == "submitted":  # routing is Celery's job; the screens start after it
        server.svc.workflow.route(case["_id"])
    _sign_out(page)

    _sign_in(page, server, "reviewer@my.example")
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_label("Queue").select_option("unassigned")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=reference).click()
    assert _stage(page) == "in_review"
    assert page.locator("html").get_attribute("lang") == "en"  # answers in the viewer's
    assert "<b>help</b>" in page.locator('dd[data-field="narrative"]').inner_text()
    page.get_by_role("button", name="Claim this case").click()
    assert page.locator(".assignee").inner_text() == "Rina Reviewer"
    _take(page, "request_info", "Ask for information",
          **{"What information is needed?": "Which months were unpaid?"})
    assert _stage(page) == "needs_info"
    assert page.locator('form[data-transition="verify"]').count() == 0
    _sign_out(page)

    _sign_in(page, server, "member@harbour.example")
    _open_from_notifications(page, server, reference, "asked for more information")
    assert page.locator(".question-text").inner_text() == "Which months were unpaid?"
    _take(page, "provide_info", "Send the information",
          **{"Your answer": "March, April and May."})
    assert _stage(page) == "in_review"
    assert page.locator('form[data-transition="verify"]').count() == 0  # not a member's step
    _sign_out(page)

    _sign_in(page, server, "reviewer@my.example")
    _open_from_notifications(page, server, reference, "has been given")
    _take(page, "verify", "Verify")
    assert _stage(page) == "verified"
    adding = page.locator("form.add-follow-up")
    adding.get_by_label("Kind of action").select_option("legal_aid_referral")
    adding.get_by_label("Responsible organisation").fill("Harbour Legal Clinic")
    adding.get_by_label("Due date").fill("2026-12-31")
    adding.get_by_role("button", name="Add the action").click()
    page.wait_for_selector(".follow-ups")
    _take(page, "start_follow_up", "Start follow-up")
    assert _stage(page) == "follow_up"

    editing = page.locator("tr.follow-up-edit form")
    editing.get_by_label("Status").select_option("done")
    editing.get_by_label("Result").fill("Wage claim filed at the labour court.")
    editing.get_by_role("button", name="Update the action").click()
    page.wait_for_selector('tr[data-status="done"]')
    _take(page, "close", "Close the case", Outcome="resolved")
    assert _stage(page) == "closed"
    assert page.locator("section.steps").count() == 0  # nothing left for a reviewer

    timeline = page.locator("ol.timeline li")
    moves = [item.get_attribute("data-transition") or item.get_attribute("data-kind")
             for item in timeline.all()]
    assert moves == ["transition", "route", "assignment", "request_info", "provide_info", "verify",
                     "follow_up", "start_follow_up", "follow_up", "close"]
    text = page.locator("ol.timeline").inner_text()
    for words in ("Which months were unpaid?", "March, April and May.", "Mei Member",
                  "Rina Reviewer", "Outcome: Resolved"):
        assert words in text
