"""The registry on the pages: linking a case's actors to entities on the case page,
the entity pages by role, merge and split with their refusals."""

from __future__ import annotations

import re

import pytest

from tests.case_helpers import ANSWERS, file_case
from tests.helpers import csrf_token
from tests.intake_helpers import publish_shipped
from workflows.registry.editing import NewEntity, new_entity

AGENCY = "PT Maju Jaya Sentosa"


@pytest.fixture
def world(svc):
    publish_shipped(svc)
    org = svc.organisations.create("Harbour Aid", "MY")
    case = file_case(svc, org_id=org["_id"],
                     answers={**ANSWERS, "agency_name": "Majujaya Sentosa PT",
                              "consent_statistics": True})
    from datetime import UTC, datetime
    entity = svc.entities.create(new_entity(
        NewEntity("recruitment_agency", AGENCY, "ID", "KEP.231/2019", "BP2MI"), "seed",
        datetime.now(UTC)))
    other = svc.entities.create(new_entity(
        NewEntity("recruitment_agency", "PT Maju Jaya Sentosa Abadi", "ID"), "seed",
        datetime.now(UTC)))
    return {"case": case, "org": org, "entity": entity, "other": other}


def _case_url(world):
    return f"/cases/{world['case']['reference']}"


def test_reviewer_sees_candidates_with_reasons_and_links_one(client, login_as, world, svc):
    login_as("reviewer", countries=["MY"])
    page = client.get(_case_url(world)).get_data(as_text=True)
    assert "Majujaya Sentosa PT" in page
    assert world["entity"]["_id"] in page and "name alike" in page
    assert "allegations recorded by the network" in page
    answer = _post_link(client, world, world["entity"]["_id"])
    assert answer.status_code == 302
    case = svc.cases.get(world["case"]["_id"])
    assert case["entity_links"][0]["entity_id"] == world["entity"]["_id"]
    assert case["entity_links"][0]["actor"] == "agency"
    assert case["entity_links"][0]["question"] == "agency_name"
    assert case["events"][-1]["kind"] == "entity_linked"
    page = client.get(_case_url(world)).get_data(as_text=True)
    assert f"linked {AGENCY} as Agency or broker" in page
    audited = svc.db.audit_events.find_one({"action": "registry.link"})
    assert audited is not None and audited["target"] == world["case"]["_id"]


def _post_link(client, world, entity_id):
    page = client.get(_case_url(world)).get_data(as_text=True)
    row = re.search(rf'<tr data-candidate="{entity_id}">(.*?)</tr>', page, re.DOTALL).group(1)
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', row))
    fields.update(dict(re.findall(r'id="([^"]+)" name="[^"]+" type="hidden" value="([^"]*)"', row)))
    return client.post(f"{_case_url(world)}/entity-links", data=fields)


def test_linking_twice_is_refused_and_unlink_removes(client, login_as, world, svc):
    login_as("coordinator")
    assert _post_link(client, world, world["entity"]["_id"]).status_code == 302
    again = _post_link(client, world, world["entity"]["_id"])
    assert again.status_code == 400
    assert "already linked" in again.get_data(as_text=True)
    page = client.get(_case_url(world)).get_data(as_text=True)
    form = re.search(r'<li data-entity="[^"]+">.*?(<form.*?</form>)', page, re.DOTALL).group(1)
    fields = dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', form))
    answer = client.post(f"{_case_url(world)}/entity-links/remove", data=fields)
    assert answer.status_code == 302
    case = svc.cases.get(world["case"]["_id"])
    assert case["entity_links"] == []
    assert case["events"][-1]["kind"] == "entity_unlinked"


def test_licence_lookup_finds_the_holder(client, login_as, world):
    login_as("reviewer", countries=["MY"])
    page = client.get(_case_url(world) + "?licence=kep. 231 / 2019").get_data(as_text=True)
    assert "same licence number" in page


def test_member_sees_no_linking_but_the_timeline_names_the_entity(client, login_as, world, svc):
    _link(svc, world["case"], world["entity"]["_id"])
    login_as("member", org_id=world["org"]["_id"])
    page = client.get(_case_url(world)).get_data(as_text=True)
    assert "Recruiters and employers in the registry" not in page
    assert f"linked {AGENCY} as Agency or broker" in page
    token = csrf_token(page)
    answer = client.post(f"{_case_url(world)}/entity-links",
                         data={"link-csrf_token": token, "link-entity_id": world["entity"]["_id"],
                               "link-actor": "agency", "link-version": "1"})
    assert answer.status_code == 403


def test_new_entity_only_on_purpose__every_problem_listed(client, login_as, world, svc):
    login_as("reviewer", countries=["MY"])
    before = svc.db.entities.count_documents({})
    page = client.get(_case_url(world)).get_data(as_text=True)
    token = csrf_token(page)
    version = str(svc.cases.get(world["case"]["_id"])["version"])
    bad = client.post(f"{_case_url(world)}/entities", data={
        "entity-csrf_token": token, "entity-version": version, "entity-kind": "employer",
        "entity-name": "", "entity-country": "Malaysia", "entity-actor": "employer",
        "entity-licence": "123", "entity-authority": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Give the entity" in text and "Choose the entity" in text and "Say which authority" in text
    assert svc.db.entities.count_documents({}) == before
    good = client.post(f"{_case_url(world)}/entities", data={
        "entity-csrf_token": token, "entity-version": version, "entity-kind": "employer",
        "entity-name": "Harbour Foods Sdn Bhd", "entity-country": "my", "entity-actor": "employer",
        "entity-licence": "", "entity-authority": ""})
    assert good.status_code == 302
    case = svc.cases.get(world["case"]["_id"])
    created = svc.entities.get(case["entity_links"][0]["entity_id"])
    assert created["name"] == "Harbour Foods Sdn Bhd" and created["country"] == "MY"
    assert case["events"][-1]["data"]["created"] is True


@pytest.mark.parametrize("roles, extra, status", [
    (("member",), {}, 403), (("reporter",), {}, 403), (("admin",), {}, 403),
    (("form_editor",), {}, 403), (("reviewer",), {"countries": ["MY"]}, 200),
    (("coordinator",), {}, 200), (("mission",), {"countries": ["MY"]}, 200)])
def test_entity_page_by_role(client, login_as, world, roles, extra, status):
    login_as(*roles, **extra)
    url = f"/registry/entities/{world['entity']['_id']}"
    assert client.get(url).status_code == status
    assert client.get("/registry/entities").status_code == status


def test_entity_page_anonymous_goes_to_login(client, world):
    answer = client.get(f"/registry/entities/{world['entity']['_id']}")
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]


def _verify(svc, case):
    from workflows.case_service import SYSTEM
    coordinator = {**SYSTEM, "id": "u_coord", "roles": ["coordinator"]}
    case = svc.cases.get(case["_id"])
    return svc.workflow.transition(case, "verify", coordinator, {}, case["version"])


def _link(svc, case, entity_id):
    from workflows.registry.links import LinkRequest
    actor = {"id": "u_coord", "roles": ["coordinator"], "org_id": None, "countries": []}
    return svc.registry.link(svc.cases.get(case["_id"]), actor,
                             LinkRequest(entity_id, "agency", "agency_name"))


def test_entity_page_counts_verified_cases_with_small_cells_hidden(client, login_as, world, svc):
    _verify(svc, world["case"])
    _link(svc, world["case"], world["entity"]["_id"])
    unverified = file_case(svc, org_id=world["org"]["_id"])
    _link(svc, unverified, world["entity"]["_id"])
    login_as("reviewer", countries=["MY"])
    page = client.get(f"/registry/entities/{world['entity']['_id']}").get_data(as_text=True)
    table = re.search(r'id="table-cases_by_destination".*?</table>', page, re.DOTALL).group(0)
    assert "&lt;5" in table and ">1<" not in table and ">2<" not in table
    assert world["case"]["reference"] in page and unverified["reference"] in page
    assert "allegations recorded by the network" in page


def test_mission_sees_pseudonymised_rows_only(client, login_as, world, svc):
    _verify(svc, world["case"])
    _link(svc, world["case"], world["entity"]["_id"])
    no_consent = file_case(svc, org_id=world["org"]["_id"])
    _verify(svc, no_consent)
    _link(svc, no_consent, world["entity"]["_id"])
    login_as("mission", countries=["MY"])
    page = client.get(f"/registry/entities/{world['entity']['_id']}").get_data(as_text=True)
    assert world["case"]["reference"] not in page
    assert "Siti Rahmah" not in page and "Harbour Foods" not in page
    assert page.count("<code>P-") == 1  # the case without consent to statistics is left out


def _merge(client, source_id, target_id, reason="Same agency, two spellings"):
    page = client.get(f"/registry/entities/{source_id}").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="merge-entity"[^>]*>(.*?)</form>', page, re.DOTALL).group(1)
    fields = dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', form))
    fields.update({"merge-target": target_id, "merge-reason": reason})
    return client.post(f"/registry/entities/{source_id}/merge", data=fields)


def test_merge_moves_links_and_leaves_a_tombstone(client, login_as, world, svc):
    _link(svc, world["case"], world["other"]["_id"])
    login_as("coordinator")
    answer = _merge(client, world["other"]["_id"], world["entity"]["_id"])
    assert answer.status_code == 302
    target = svc.entities.get(world["entity"]["_id"])
    assert "PT Maju Jaya Sentosa Abadi" in target["aliases"]
    assert svc.entities.get(world["other"]["_id"])["merged_into"] == world["entity"]["_id"]
    case = svc.cases.get(world["case"]["_id"])
    assert [link["entity_id"] for link in case["entity_links"]] == [world["entity"]["_id"]]
    assert case["events"][-1]["kind"] == "entity_links_moved"
    redirect = client.get(f"/registry/entities/{world['other']['_id']}")
    assert redirect.status_code == 302 and world["entity"]["_id"] in redirect.headers["Location"]


def test_merge_refusal_lists_every_problem_and_saves_nothing(client, login_as, world, svc):
    login_as("coordinator")
    answer = _merge(client, world["other"]["_id"], world["other"]["_id"], reason="")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "cannot be merged into itself" in text and "Say why" in text
    assert "merged_into" not in svc.entities.get(world["other"]["_id"])


def test_merge_from_an_out_of_date_page_is_a_conflict(client, login_as, world, svc):
    login_as("coordinator")
    page = client.get(f"/registry/entities/{world['other']['_id']}").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="merge-entity"[^>]*>(.*?)</form>', page, re.DOTALL).group(1)
    fields = dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', form))
    svc.db.entities.update_one({"_id": world["other"]["_id"]}, {"$inc": {"revision": 1}})
    fields.update({"merge-target": world["entity"]["_id"], "merge-reason": "same"})
    answer = client.post(f"/registry/entities/{world['other']['_id']}/merge", data=fields)
    assert answer.status_code == 409
    assert "merged_into" not in svc.entities.get(world["other"]["_id"])


def test_reviewer_cannot_merge(client, login_as, world):
    login_as("reviewer", countries=["MY"])
    page = client.get(f"/registry/entities/{world['other']['_id']}").get_data(as_text=True)
    assert "merge-entity" not in page
    answer = client.post(f"/registry/entities/{world['other']['_id']}/merge",
                         data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 403


def test_split_moves_chosen_licence_and_case(client, login_as, world, svc):
    _link(svc, world["case"], world["entity"]["_id"])
    login_as("coordinator")
    url = f"/registry/entities/{world['entity']['_id']}"
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'<form[^>]*class="split-entity"[^>]*>(.*?)</form>', page, re.DOTALL).group(1)
    fields = dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', form))
    bad = client.post(url + "/split", data={**fields, "split-name": "", "split-kind": "employer",
                                            "split-country": "ID", "split-reason": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Give the entity" in text and "Say why" in text and "Choose at least one" in text
    good = client.post(url + "/split", data={
        **fields, "split-name": "PT Maju Jaya Sentosa Cabang", "split-kind": "recruitment_agency",
        "split-country": "ID", "split-reason": "Two agencies under one name",
        "split-licences": "BP2MI:KEP.231/2019", "split-cases": world["case"]["_id"]})
    assert good.status_code == 302
    new_id = good.headers["Location"].rsplit("/", 1)[1]
    created = svc.entities.get(new_id)
    assert created["licences"][0]["number"] == "KEP.231/2019"
    assert svc.entities.get(world["entity"]["_id"])["licences"] == []
    case = svc.cases.get(world["case"]["_id"])
    assert case["entity_links"][0]["entity_id"] == new_id
