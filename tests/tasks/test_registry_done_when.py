"""Issue 15, "done when" #1, on the real server: two cases filed in different countries
about one agency, spelled differently, are linked to one entity by a reviewer through
the case pages, and the entity's page counts both.

The cases are filed through the public questionnaire (an Indonesian form in Indonesian,
a Malaysian one in English), routed, verified by a coordinator on the case page, linked
by a Malaysian reviewer choosing the candidate the page offers, and counted on the
entity page with the small-cell threshold at 2 (MRVRS_SMALL_CELL_THRESHOLD), so a count
of two is shown and a count of one is not.
"""

from __future__ import annotations

import re
import uuid

import pytest
from pymongo import MongoClient

from tests.helpers import PASSWORD, AuthActions, base_environ
from tests.intake_helpers import MINIMAL, post_report, receipt
from workflows.registry.authorities import read_authorities
from workflows.registry.licence_lists import ListRow
from workflows.registry.plan import plan_import

pytestmark = pytest.mark.integration


@pytest.fixture
def stack(mongo_uri):
    """The app on the real server (tasks run in-process), its database dropped after."""
    from app import create_app
    from config.settings import load_settings

    name = f"mrvrs_test_{uuid.uuid4().hex[:10]}"
    app = create_app(load_settings(base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name,
                                                MRVRS_SMALL_CELL_THRESHOLD="2")))
    svc = app.extensions["mrvrs"]
    svc.forms.publish_shipped()
    yield app, svc
    svc.db.client.close()
    client = MongoClient(mongo_uri)
    client.drop_database(name)
    client.close()


def _file(app, svc, form_id: str, lang: str, agency: str) -> dict:
    answers = {**MINIMAL, "agency_name": agency, "gender": "woman"}
    response = post_report(app.test_client(), form_id, lang, data=answers)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))


def _post_page_form(client, page_url: str, marker: str, action: str, extra=None):
    """Post the form the page shows (found by `marker` around it) with its own values."""
    html = client.get(page_url).get_data(as_text=True)
    block = re.search(marker, html, re.DOTALL)
    assert block, f"nothing like {marker!r} on {page_url}"
    fields = dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', block.group(0)))
    fields.update(extra or {})
    return client.post(action, data=fields)


def test_two_countries_one_agency__linked_by_a_reviewer_and_counted_twice(stack):
    app, svc = stack
    authority = read_authorities()["BP2MI"]
    plan = plan_import([], [ListRow(row=2, name="PT Maju Jaya Sentosa", licence="KEP.77/2020",
                                    address=None, status="licensed")],
                       authority, "2026-03-01", file="p3mi.xlsx")
    entity_id = svc.entities.apply(plan).created[0]
    indonesian = _file(app, svc, "id-intake", "id", "PT Maju Jaya Sentosa")
    malaysian = _file(app, svc, "my-intake", "en", "Majujaya Sentosa PT")
    assert indonesian["country"] == "ID" and malaysian["country"] == "MY"

    coordinator = svc.users.create("coord@example.org", PASSWORD, ["coordinator"])
    reviewer = svc.users.create("my-reviewer@example.org", PASSWORD, ["reviewer"],
                                countries=["MY"])
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login(coordinator["email"]).status_code == 302
    for case in (indonesian, malaysian):
        url = f"/cases/{case['reference']}"
        answer = _post_page_form(client, url, r'data-transition="verify".*?</form>',
                                 f"{url}/transitions/verify")
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    client.get("/auth/logout")

    client = app.test_client()
    assert AuthActions(client).login(reviewer["email"]).status_code == 302
    for case in (indonesian, malaysian):
        url = f"/cases/{case['reference']}"
        page = client.get(url).get_data(as_text=True)
        assert f'data-candidate="{entity_id}"' in page, "the agency is not among the candidates"
        answer = _post_page_form(client, url, rf'<tr data-candidate="{entity_id}">.*?</tr>',
                                 f"{url}/entity-links")
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
        stored = svc.cases.get(case["_id"])
        assert stored["stage"] == "verified"
        assert [link["entity_id"] for link in stored["entity_links"]] == [entity_id]
        assert stored["events"][-1]["kind"] == "entity_linked"

    page = client.get(f"/registry/entities/{entity_id}").get_data(as_text=True)
    assert "allegations recorded by the network" in page
    destination = re.search(r'id="table-cases_by_destination".*?</table>', page,
                            re.DOTALL).group(0)
    total = re.search(r"<tfoot>.*?</tfoot>", destination, re.DOTALL).group(0)
    assert re.findall(r'class="number">([^<]*)<', total)[-1] == "2"
    assert indonesian["reference"] in page and malaysian["reference"] in page
    cells = [re.findall(r'class="number">([^<]*)<', line)
             for line in re.findall(r"<tr><th scope=\"row\">.*?</tr>", destination, re.DOTALL)]
    assert ["2"] in [[c for c in line if c not in ("0",)][:1] for line in cells]
    assert "entity_links" in svc.db.cases.index_information()
