"""EntityStore on the embedded store and the real server: plans written with guarded
updates, one entity per licence, lookups by licence and by country."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflows.registry.authorities import read_authorities
from workflows.registry.licence_lists import ListRow
from workflows.registry.plan import plan_import
from workflows.registry.store import EntityStore

AUTHORITIES = read_authorities()
BP2MI, DMW = AUTHORITIES["BP2MI"], AUTHORITIES["DMW"]
JAN, MAR = "2026-01-15", "2026-03-01"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def entities(any_db):
    store = EntityStore(any_db, clock=lambda: NOW)
    store.ensure_indexes()
    return store


def row(n: int, name: str, licence: str, status: str = "licensed",
        address: str | None = None) -> ListRow:
    return ListRow(row=n, name=name, licence=licence, address=address, status=status)


def import_list(store: EntityStore, rows: list[ListRow], day: str, authority=BP2MI):
    existing = store.holding_licences(authority.key, [r.licence for r in rows])
    plan = plan_import(existing, rows, authority, day, file=f"list-{day}.xlsx")
    return plan, store.apply(plan)


def test_a_list_imported__entities_found_by_licence_and_country(entities):
    plan, result = import_list(entities, [row(2, "PT Contoh Abadi", "KEP.1/2019",
                                              address="Jl. Raya 1"),
                                          row(3, "PT Contoh Jaya", "KEP.2/2019")], JAN)
    assert result.created == [e["_id"] for e in plan.creates] and result.conflicts == []
    found = entities.find_by_licence("BP2MI", "kep. 1/2019")
    assert found["name"] == "PT Contoh Abadi" and found["_id"].startswith("ent_")
    assert (found["revision"], found["created_at"], found["updated_at"]) == (1, NOW, NOW)
    assert entities.get(found["_id"]) == found
    assert entities.find_by_licence("DMW", "KEP.1/2019") is None
    assert [e["name"] for e in entities.by_country("id")] == ["PT Contoh Abadi",
                                                             "PT Contoh Jaya"]
    assert entities.by_country("PH") == []


def test_the_same_list_twice__nothing_written_the_second_time(entities, any_db):
    rows = [row(2, "PT Contoh Abadi", "KEP.1/2019", "suspended")]
    import_list(entities, rows, JAN)
    before = list(any_db.entities.find())
    plan, result = import_list(entities, rows, JAN)
    assert plan.empty and result.created == result.updated == []
    assert list(any_db.entities.find()) == before


def test_a_later_list__status_change_name_alias_and_list_date_in_one_update(entities):
    import_list(entities, [row(2, "PT Contoh Abadi", "KEP.1/2019", address="Jl. Raya 1")], JAN)
    _, result = import_list(entities, [row(5, "PT Contoh Abadi Sejahtera", "KEP.1/2019",
                                           "revoked", address="Jl. Raya 1")], MAR)
    assert result.status_changes == 1 and len(result.updated) == 1
    entity = entities.find_by_licence("BP2MI", "KEP.1/2019")
    assert entity["name"] == "PT Contoh Abadi Sejahtera"
    assert entity["aliases"] == ["PT Contoh Abadi"] and entity["revision"] == 2
    assert [(s["status"], s["since"], s["source"]["row"]) for s in entity["statuses"]] == [
        ("licensed", JAN, 2), ("revoked", MAR, 5)]
    assert entity["licences"] == [{"authority": "BP2MI", "number": "KEP.1/2019",
                                   "last_list_date": MAR}]


def test_a_plan_made_before_someone_else_changed_the_entity__writes_nothing(entities, any_db):
    import_list(entities, [row(2, "PT Contoh Abadi", "KEP.1/2019")], JAN)
    stale = plan_import(entities.holding_licences("BP2MI", ["KEP.1/2019"]),
                        [row(2, "PT Contoh Abadi", "KEP.1/2019", "suspended")], BP2MI, MAR)
    import_list(entities, [row(2, "PT Contoh Abadi", "KEP.1/2019", "revoked")], MAR)
    result = entities.apply(stale)
    assert result.updated == [] and result.conflicts == [2]
    entity = entities.find_by_licence("BP2MI", "KEP.1/2019")
    assert [s["status"] for s in entity["statuses"]] == ["licensed", "revoked"]


def test_a_licence_created_twice_from_two_plans__one_entity(entities, any_db):
    rows = [row(2, "PT Contoh Abadi", "KEP.1/2019")]
    first = plan_import([], rows, BP2MI, JAN)
    second = plan_import([], rows, BP2MI, JAN)
    assert len(entities.apply(first).created) == 1
    result = entities.apply(second)
    assert result.created == [] and result.conflicts == [2]
    assert any_db.entities.count_documents({}) == 1


@pytest.mark.integration
def test_one_entity_per_licence__enforced_by_the_index_on_the_real_server(real_db):
    """On the embedded store `apply` looks first, as its indexes do not refuse duplicates
    within arrays; on the real server the index refuses even a write that bypasses it."""
    from pymongo.errors import DuplicateKeyError

    store = EntityStore(real_db)
    store.ensure_indexes()
    import_list(store, [row(2, "PT Contoh Abadi", "KEP.1/2019")], JAN)
    with pytest.raises(DuplicateKeyError):
        real_db.entities.insert_one({"_id": "ent_other", "licence_keys": ["BP2MI:KEP.1/2019"]})


class _NotYetVisible:
    """The collection as an import that looked before another import's insert landed
    sees it: lookups find nothing, writes go through."""

    def __init__(self, collection) -> None:
        self.collection = collection

    def find(self, *args, **kwargs):
        return iter(())

    def __getattr__(self, name):
        return getattr(self.collection, name)


@pytest.mark.integration
def test_two_imports_at_once__the_index_refuses_the_second_creation_the_rest_go_in(real_db):
    store = EntityStore(real_db)
    store.ensure_indexes()
    import_list(store, [row(2, "PT Contoh Abadi", "KEP.1/2019")], JAN)
    racing = plan_import([], [row(2, "PT Contoh Abadi", "KEP.1/2019"),
                              row(3, "PT Contoh Jaya", "KEP.2/2019")], BP2MI, JAN)
    store.collection = _NotYetVisible(store.collection)
    result = store.apply(racing)
    assert result.created == [racing.creates[1]["_id"]] and result.conflicts == [2]
    assert real_db.entities.count_documents({"licence_keys": "BP2MI:KEP.1/2019"}) == 1


def test_same_number_from_two_authorities__two_entities(entities):
    import_list(entities, [row(2, "PT Contoh Abadi", "123")], JAN)
    _, result = import_list(entities, [row(2, "Contoh Manpower Inc.", "123")], JAN, DMW)
    assert len(result.created) == 1
    assert entities.find_by_licence("DMW", "123")["country"] == "PH"
    assert entities.find_by_licence("BP2MI", "123")["country"] == "ID"


def test_entities_without_licences__many_allowed(entities, any_db):
    any_db.entities.insert_many([{"_id": "ent_a", "kind": "employer", "name": "A"},
                                 {"_id": "ent_b", "kind": "employer", "name": "B"}])
    assert any_db.entities.count_documents({}) == 2


def test_many__entities_by_id_in_batches(entities, monkeypatch):
    monkeypatch.setattr("workflows.registry.store.BATCH", 2)
    ids = []
    for n, name in enumerate(["PT Satu", "PT Dua", "PT Tiga"], start=2):
        _, result = import_list(entities, [row(n, name, f"KEP.{n}/2020")], JAN)
        ids += result.created
    found = entities.many([*ids, "ent_missing", ids[0]])
    assert set(found) == set(ids)
    assert {doc["name"] for doc in found.values()} == {"PT Satu", "PT Dua", "PT Tiga"}
    assert entities.many([]) == {}
