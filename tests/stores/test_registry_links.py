"""Links from cases to entities, merges and splits, on the embedded store and the real
server: guarded writes, one winner of two at once, nothing written by a refused plan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflows.errors import StaleVersion
from workflows.registry.editing import NewEntity, new_entity, plan_merge, plan_split
from workflows.registry.links import LinkRequest
from workflows.registry.service import CONFLICT, RegistryService
from workflows.registry.store import CANDIDATE_FETCH, EntityStore

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
COORDINATOR = {"id": "u_coord", "roles": ["coordinator"], "org_id": None, "countries": []}
REVIEWER_MY = {"id": "u_rev", "roles": ["reviewer"], "org_id": None, "countries": ["MY"]}


@pytest.fixture
def entities(any_db):
    store = EntityStore(any_db, clock=lambda: NOW)
    store.ensure_indexes()
    return store


@pytest.fixture
def registry(entities, repo):
    return RegistryService(entities, repo, clock=lambda: NOW)


def make(entities, name, country="ID", licence="", authority=""):
    return entities.create(new_entity(NewEntity("recruitment_agency", name, country, licence,
                                                 authority), "seed", NOW))


def case(repo, n=1, destination="MY"):
    doc = {"_id": f"c_{n:024d}", "reference": f"MY-2026-{n:06d}", "country": "MY", "stage":
           "verified", "version": 3, "created_at": NOW, "events": [],
           "dimensions": {"destination_country": destination}}
    repo.insert(doc)
    return repo.get(doc["_id"])


def test_link__one_guarded_write_with_its_event(registry, entities, repo):
    agency = make(entities, "PT Maju Jaya Sentosa")
    linked = registry.link(case(repo), REVIEWER_MY, LinkRequest(agency["_id"], "agency",
                                                                "agency_name"))
    assert linked["version"] == 4
    assert linked["entity_links"] == [{"entity_id": agency["_id"], "actor": "agency",
                                       "question": "agency_name", "linked_by": "u_rev",
                                       "linked_at": linked["entity_links"][0]["linked_at"]}]
    assert linked["events"][-1]["kind"] == "entity_linked"
    assert [c["_id"] for c in repo.linked_to(agency["_id"])] == [linked["_id"]]


def test_link__from_an_old_read_is_stale_and_writes_nothing(registry, entities, repo):
    agency = make(entities, "PT Maju Jaya Sentosa")
    read = case(repo)
    registry.link(read, REVIEWER_MY, LinkRequest(agency["_id"], "agency"))
    with pytest.raises(StaleVersion):
        registry.link(read, REVIEWER_MY, LinkRequest(agency["_id"], "employer"))
    assert len(repo.get(read["_id"])["entity_links"]) == 1


def test_candidates_for__by_blocking_key_and_licence_only(entities):
    wanted = make(entities, "PT Maju Jaya Sentosa", licence="KEP.1/2020", authority="BP2MI")
    make(entities, "Harbour Foods Sdn Bhd", "MY")
    found = entities.candidates_for(["Majujaya Sentosa PT"])
    assert [e["_id"] for e in found] == [wanted["_id"]]
    by_licence = entities.candidates_for([], ["kep.1/2020"], ["BP2MI", "DMW"])
    assert [e["_id"] for e in by_licence] == [wanted["_id"]]


def test_candidates_for__bounded(entities):
    for n in range(CANDIDATE_FETCH + 20):
        make(entities, f"Sentosa {n}")
    assert len(entities.candidates_for(["Sentosa"])) == CANDIDATE_FETCH


def test_merge__moves_everything_and_the_cases_links(registry, entities, repo):
    a = make(entities, "PT Maju Jaya Sentosa", licence="KEP.1/2020", authority="BP2MI")
    b = make(entities, "Majujaya Sentosa", licence="77/2020", authority="DMW")
    one, two = case(repo, 1), case(repo, 2)
    registry.link(one, REVIEWER_MY, LinkRequest(b["_id"], "agency"))
    linked_both = registry.link(two, REVIEWER_MY, LinkRequest(b["_id"], "agency"))
    registry.link(linked_both, REVIEWER_MY, LinkRequest(a["_id"], "agency"))
    outcome = registry.merge(a["_id"], b["_id"], "same agency", COORDINATOR)
    assert outcome.problems == [] and sorted(outcome.moved_cases) == [one["_id"], two["_id"]]
    merged = entities.get(a["_id"])
    assert "Majujaya Sentosa" in merged["aliases"]
    assert sorted(merged["licence_keys"]) == ["BP2MI:KEP.1/2020", "DMW:77/2020"]
    tomb = entities.get(b["_id"])
    assert tomb["merged_into"] == a["_id"] and "licence_keys" not in tomb
    assert [link["entity_id"] for link in repo.get(two["_id"])["entity_links"]] == [a["_id"]]
    assert repo.get(one["_id"])["events"][-1]["kind"] == "entity_links_moved"
    assert entities.find_by_licence("DMW", "77/2020")["_id"] == a["_id"]


def test_merge__target_changed_meanwhile__nothing_changes(entities):
    a = make(entities, "PT Maju Jaya Sentosa")
    b = make(entities, "Majujaya Sentosa", licence="77/2020", authority="DMW")
    plan = plan_merge(a, b, "same")
    entities.collection.update_one({"_id": a["_id"]}, {"$inc": {"revision": 1}})
    assert entities.merge(plan, "u_coord") is False
    back = entities.get(b["_id"])
    assert "merged_into" not in back and back["licence_keys"] == ["DMW:77/2020"]
    assert "Majujaya Sentosa" not in entities.get(a["_id"])["aliases"]


def test_merge__two_at_once_one_wins(registry, entities):
    a = make(entities, "PT Maju Jaya Sentosa")
    c = make(entities, "PT Maju Jaya")
    b = make(entities, "Majujaya Sentosa")
    first, second = plan_merge(a, b, "same"), plan_merge(c, b, "same")
    assert entities.merge(first, "u1") is True
    assert entities.merge(second, "u2") is False
    assert entities.get(b["_id"])["merged_into"] == a["_id"]


def test_merge__refusal_lists_every_problem(registry, entities):
    a = make(entities, "PT Maju Jaya Sentosa", licence="1/2020", authority="BP2MI")
    b = make(entities, "Majujaya Sentosa", licence="2/2020", authority="BP2MI")
    outcome = registry.merge(a["_id"], b["_id"], " ", REVIEWER_MY, source_revision=0)
    assert set(outcome.problems) == {"not_allowed", "reason_missing", "licence_clash", CONFLICT}
    assert "merged_into" not in entities.get(b["_id"])


def test_split__moves_the_chosen_licence_and_case(registry, entities, repo):
    a = make(entities, "PT Maju Jaya Sentosa", licence="1/2020", authority="BP2MI")
    linked = registry.link(case(repo), REVIEWER_MY, LinkRequest(a["_id"], "agency"))
    outcome = registry.split(a["_id"], NewEntity("recruitment_agency", "PT Maju Jaya Cabang",
                                                 "ID"), [], ["BP2MI:1/2020"],
                             [linked["_id"]], "two agencies", COORDINATOR,
                             source_revision=a["revision"])
    assert outcome.problems == []
    new = outcome.entity
    assert entities.find_by_licence("BP2MI", "1/2020")["_id"] == new["_id"]
    assert "licence_keys" not in entities.get(a["_id"])
    assert repo.get(linked["_id"])["entity_links"][0]["entity_id"] == new["_id"]


def test_split__source_changed_meanwhile__nothing_changes(entities, repo):
    a = make(entities, "PT Maju Jaya Sentosa", licence="1/2020", authority="BP2MI")
    plan = plan_split(a, NewEntity("employer", "Cabang", "ID"), [], ["BP2MI:1/2020"], [],
                      set(), "why", "u", NOW)
    entities.collection.update_one({"_id": a["_id"]}, {"$inc": {"revision": 1}})
    assert entities.split(plan) is None
    assert entities.find_by_licence("BP2MI", "1/2020")["_id"] == a["_id"]
    assert entities.collection.count_documents({}) == 1


def test_link_written_while_the_entity_is_merged_away__follows_the_merge(registry, entities,
                                                                        repo):
    a = make(entities, "PT Maju Jaya Sentosa")
    b = make(entities, "Majujaya Sentosa")
    read = case(repo)
    original = entities.get

    def merged_meanwhile(entity_id):
        """B is read as live for the link's check; the merge lands before the write."""
        found = original(entity_id)
        if entity_id == b["_id"] and "merged_into" not in found:
            assert entities.merge(plan_merge(a, b, "same"), "u_coord")
        return found

    entities.get = merged_meanwhile
    try:
        linked = registry.link(read, REVIEWER_MY, LinkRequest(b["_id"], "agency"))
    finally:
        entities.get = original
    assert [link["entity_id"] for link in linked["entity_links"]] == [a["_id"]]


def test_candidates_for__a_rare_shared_key_beats_a_common_word(entities, monkeypatch):
    from workflows.registry import store as store_module

    monkeypatch.setattr(store_module, "KEY_FETCH", 50)
    monkeypatch.setattr(store_module, "CANDIDATE_FETCH", 20)
    for n in range(120):
        make(entities, f"Sentosa Abadi {n}")
    wanted = make(entities, "PT Maju Jaya Sentosa")
    found = [e["_id"] for e in entities.candidates_for(["Majujaya Sentosa PT"])]
    assert wanted["_id"] in found and len(found) == 20
