"""The indicators page's entity table at a phone's width: long agency names scroll in
the table's box instead of widening the page, and the caution is shown beside it."""

from datetime import UTC, datetime

import pytest

from app.demo_cases import seed_cases
from tests.browser.staff import sign_in

WIDTH = 360
LONG_NAME = ("Perusahaan Penempatan Pekerja Migran Indonesia Sejahtera Bersama "
             "Internasional Abadi Jaya Makmur")
ENTITY = {"_id": "ent_browserwide01", "kind": "recruitment_agency", "name": LONG_NAME,
          "aliases": [], "country": "ID",
          "licences": [{"authority": "BP2MI", "number": "KEP.999/2026"}],
          "licence_keys": ["BP2MI:KEP.999/2026"], "statuses": [], "revision": 1}


@pytest.fixture(scope="module")
def linked(demo_server):
    """Counted cases linked to one agency, written through the case repository."""
    server, accounts = demo_server
    svc = server.app.extensions["mrvrs"]
    coordinator = svc.users.by_email(accounts["coordinator"].email)
    actor = {"id": coordinator["_id"], "roles": coordinator["roles"], "org_id": None,
             "countries": []}
    with server.app.app_context():
        seed_cases(svc, actor, None, count=60, seed=77)
    if svc.entities.get(ENTITY["_id"]) is None:
        svc.entities.collection.insert_one(dict(ENTITY))
    now = datetime.now(UTC)
    for case in svc.cases.matching({"stage": {"$in": ["verified", "follow_up", "closed"]},
                                    "consent.statistics": True}):
        link = {"entity_id": ENTITY["_id"], "actor": "agency", "question": "agency_name",
                "linked_by": coordinator["_id"], "linked_at": now}
        svc.cases.record(case, {"at": now, "actor": coordinator["_id"], "kind": "note",
                                "note": "linked to the registry"},
                         changes={"entity_links": [link]})
    return server, accounts


def test_indicators__entity_table_within_360_px_with_the_caution(linked, browser):
    server, accounts = linked
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, server.url, accounts["coordinator"].email,
                accounts["coordinator"].password)
        page.goto(server.url + "/exports/indicators")
        table = page.locator("#table-entities")
        assert table.locator("tbody tr").count() == 1
        assert LONG_NAME in table.inner_text()
        assert page.locator("#top-entities .entity-caution").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        context.close()
