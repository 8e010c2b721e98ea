"""The registry on a phone: the case page's registry section and an entity's page stay
within 360 px (wide tables scroll in their box), and a coordinator links a candidate by
pressing its button, without JavaScript helpers."""

from datetime import UTC, datetime

import pytest

from tests.browser.staff import sign_in
from tests.case_helpers import ANSWERS, file_case
from workflows.registry.editing import NewEntity, new_entity

WIDTH = 360


@pytest.fixture(scope="module")
def coordinator_on_a_phone(demo_server, browser):
    server, accounts = demo_server
    svc = server.app.extensions["mrvrs"]
    with server.app.app_context():
        case = file_case(svc, answers={**ANSWERS, "agency_name": "Syarikat Maju Jaya Sentosa"})
    entity = svc.entities.create(new_entity(
        NewEntity("recruitment_agency", "PT Maju Jaya Sentosa International Manpower Services",
                  "ID", "KEP.9/2026", "BP2MI"), "seed", datetime.now(UTC)))
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-GB")
    page = context.new_page()
    sign_in(page, server.url, accounts["coordinator"].email, accounts["coordinator"].password)
    yield server, page, case, entity
    context.close()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_case_page__registry_section_within_360_px_and_link_by_button(coordinator_on_a_phone):
    server, page, case, entity = coordinator_on_a_phone
    page.goto(f"{server.url}/cases/{case['reference']}")
    row = page.locator(f"tr[data-candidate='{entity['_id']}']")
    assert row.count() == 1
    assert _width(page) <= WIDTH
    row.locator("[type=submit]").click()
    page.wait_for_selector(f"li[data-entity='{entity['_id']}']")
    assert _width(page) <= WIDTH


def test_entity_page_and_list_within_360_px(coordinator_on_a_phone):
    server, page, _case, entity = coordinator_on_a_phone
    for path in (f"/registry/entities/{entity['_id']}", "/registry/entities"):
        page.goto(server.url + path)
        assert page.locator(".entity-caution").count() == 1
        assert _width(page) <= WIDTH
