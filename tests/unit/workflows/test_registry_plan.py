"""Planning the import of a licensed-agency list: matched by licence, idempotent,
status changes dated by the list, older lists changing nothing."""

from __future__ import annotations

import itertools

import pytest

from workflows.registry.authorities import (
    AuthoritiesError,
    find_authority,
    load_authorities,
    read_authorities,
)
from workflows.registry.licence_lists import ListRow
from workflows.registry.plan import EntityUpdate, ImportPlan, plan_import

BP2MI = read_authorities()["BP2MI"]
JAN, MAR = "2026-01-15", "2026-03-01"


def row(n: int, name: str, licence: str, status: str = "licensed",
        address: str | None = None) -> ListRow:
    return ListRow(row=n, name=name, licence=licence, address=address, status=status)


def ids():
    counter = itertools.count(1)
    return lambda: f"ent_{next(counter):032x}"


def applied(entities: list[dict], plan: ImportPlan) -> list[dict]:
    """The entities after the plan, written as the store writes it (in memory)."""
    by_id = {e["_id"]: {**e, "revision": e.get("revision", 0)} for e in entities}
    for entity in plan.creates:
        by_id[entity["_id"]] = {**entity, "revision": 1}
    for update in plan.updates:
        _apply(by_id[update.entity_id], update, plan.authority)
    return list(by_id.values())


def _apply(entity: dict, update: EntityUpdate, authority: str) -> None:
    assert entity["revision"] == update.revision
    entity["revision"] += 1
    if update.name is not None:
        entity["name"] = update.name
    if update.address is not None:
        entity["address"] = update.address
    entity["aliases"] = [*entity["aliases"],
                         *(a for a in update.add_aliases if a not in entity["aliases"])]
    if update.status is not None:
        entity["statuses"] = [*entity["statuses"], update.status]
    entity["licences"] = [{**lic, "last_list_date": update.list_date}
                          if lic["authority"] == authority else lic for lic in entity["licences"]]


def first_import(*rows: ListRow, day: str = JAN) -> list[dict]:
    return applied([], plan_import([], rows, BP2MI, day, file="p3mi.xlsx", new_id=ids()))


def test_new_licences__entities_created_in_the_authoritys_country_with_their_source():
    plan = plan_import([], [row(2, "PT Contoh Abadi", "KEP.1/2019", address="Jl. Raya 1")],
                       BP2MI, JAN, file="p3mi.xlsx", new_id=ids())
    assert plan.updates == [] and len(plan.creates) == 1
    assert plan.creates[0] == {
        "_id": "ent_" + "0" * 31 + "1", "kind": "recruitment_agency", "name": "PT Contoh Abadi",
        "aliases": [], "country": "ID",
        "licences": [{"authority": "BP2MI", "number": "KEP.1/2019", "last_list_date": JAN}],
        "licence_keys": ["BP2MI:KEP.1/2019"],
        "statuses": [{"status": "licensed", "since": JAN,
                      "source": {"kind": "list", "authority": "BP2MI", "list_date": JAN,
                                 "file": "p3mi.xlsx", "row": 2}}],
        "address": "Jl. Raya 1"}


def test_the_same_list_again__nothing_to_do():
    rows = [row(2, "PT Contoh Abadi", "KEP.1/2019", address="Jl. Raya 1"),
            row(3, "PT Contoh Jaya", "KEP.2/2019", "suspended")]
    entities = first_import(*rows)
    again = plan_import(entities, rows, BP2MI, JAN, file="p3mi.xlsx")
    assert again.empty and again.creates == [] and again.updates == []


def test_a_licence_written_differently__still_the_same_entity():
    entities = first_import(row(2, "PT Contoh Abadi", "KEP.1/2019"))
    plan = plan_import(entities, [row(9, "PT Contoh Abadi", "kep. 1 / 2019")], BP2MI, JAN)
    assert plan.empty


def test_a_later_list_with_another_status__one_status_change_dated_by_that_list():
    entities = first_import(row(2, "PT Contoh Abadi", "KEP.1/2019"),
                            row(3, "PT Contoh Jaya", "KEP.2/2019"))
    plan = plan_import(entities, [row(2, "PT Contoh Abadi", "KEP.1/2019"),
                                  row(3, "PT Contoh Jaya", "KEP.2/2019", "revoked")],
                       BP2MI, MAR, file="p3mi-mar.xlsx")
    assert plan.creates == [] and plan.detail_changes == []
    [change] = plan.status_changes
    assert change.entity_id == entities[1]["_id"] and change.row == 3
    assert change.status == {"status": "revoked", "since": MAR,
                             "source": {"kind": "list", "authority": "BP2MI", "list_date": MAR,
                                        "file": "p3mi-mar.xlsx", "row": 3}}
    after = applied(entities, plan)
    assert [s["status"] for s in after[1]["statuses"]] == ["licensed", "revoked"]
    assert plan_import(after, [row(3, "PT Contoh Jaya", "KEP.2/2019", "revoked")],
                       BP2MI, MAR).empty


def test_a_later_list_with_nothing_changed__only_the_licences_list_date_moves():
    entities = first_import(row(2, "PT Contoh Abadi", "KEP.1/2019"))
    [update] = plan_import(entities, [row(2, "PT Contoh Abadi", "KEP.1/2019")],
                           BP2MI, MAR).updates
    assert update.status is None and not update.changes_details and update.list_date == MAR


def test_a_new_name__becomes_the_name_and_the_old_one_an_alias():
    entities = first_import(row(2, "PT Contoh Abadi", "KEP.1/2019", address="Jl. Raya 1"))
    plan = plan_import(entities, [row(2, "PT Contoh Abadi Sejahtera", "KEP.1/2019",
                                      address="Jl. Baru 7")], BP2MI, MAR)
    [update] = plan.detail_changes
    assert (update.name, update.add_aliases, update.address) == (
        "PT Contoh Abadi Sejahtera", ("PT Contoh Abadi",), "Jl. Baru 7")
    assert plan.status_changes == []


def test_spacing_and_case_of_a_name_or_address__not_a_change():
    entities = first_import(row(2, "PT Contoh Abadi", "KEP.1/2019", address="Jl. Raya 1"))
    plan = plan_import(entities, [row(2, "PT  CONTOH ABADI", "KEP.1/2019",
                                      address="jl. raya 1")], BP2MI, JAN)
    assert plan.empty


def test_no_address_in_the_list__the_known_one_kept():
    entities = first_import(row(2, "PT Contoh Abadi", "KEP.1/2019", address="Jl. Raya 1"))
    assert plan_import(entities, [row(2, "PT Contoh Abadi", "KEP.1/2019")], BP2MI, JAN).empty


def test_an_older_list_imported_late__changes_nothing_and_says_which_rows():
    entities = first_import(row(2, "PT Contoh Abadi", "KEP.1/2019", "revoked"), day=MAR)
    plan = plan_import(entities, [row(2, "PT Contoh", "KEP.1/2019", "licensed")], BP2MI, JAN)
    assert plan.empty and plan.older == [2]


def test_another_authoritys_licence_and_status__left_alone():
    dofe = read_authorities()["DoFE"]
    entity = {"_id": "ent_x", "kind": "recruitment_agency", "name": "Contoh Manpower",
              "aliases": [], "country": "NP", "revision": 3,
              "licences": [{"authority": "DoFE", "number": "1234/075/76",
                            "last_list_date": MAR}],
              "statuses": [{"status": "suspended", "since": MAR,
                            "source": {"kind": "list", "authority": "DoFE"}}],
              "address": None}
    plan = plan_import([entity], [row(2, "Contoh Manpower", "1234/075/76")], BP2MI, JAN,
                       new_id=ids())
    assert len(plan.creates) == 1 and plan.updates == []
    same = plan_import([entity], [row(2, "Contoh Manpower", "1234/075/76", "suspended")],
                       dofe, MAR)
    assert same.empty


def test_packaged_authorities__the_origin_countries_licensing_bodies():
    authorities = read_authorities()
    assert {key: a.country for key, a in authorities.items()} == {
        "DMW": "PH", "BP2MI": "ID", "DoFE": "NP", "MoEWOE": "BD", "BMET": "BD",
        "SLBFE": "LK", "PGE": "IN"}
    assert "POEA" in authorities["DMW"].aliases and authorities["BMET"].licenses == ()
    assert find_authority(authorities, " dofe ").key == "DoFE"
    assert find_authority(authorities, "MOHRE") is None


def test_authorities_file__every_problem_at_once():
    with pytest.raises(AuthoritiesError) as caught:
        load_authorities({"authorities": [
            {"key": "DMW", "name": "Department of Migrant Workers", "country": "PH",
             "licenses": ["recruitment_agency"]},
            {"key": "dmw", "name": "Again", "country": "PH", "licenses": []},
            {"key": "X", "name": "", "country": "Philippines", "licenses": ["bank"],
             "website": "x"},
            "DoFE",
        ]})
    assert caught.value.problems == [
        "authorities[1].key: 'dmw' is already the key of another authority (DMW)",
        ("authorities[2].website: unknown key (known: aliases, country, key, licenses, name, "
        "notes)"),
        ("authorities[2].key: must be 2 to 20 letters, digits or _, starting with a letter "
        "(got 'X')"),
        "authorities[2].name: must be the authority's name",
        ("authorities[2].country: 'Philippines' is not an ISO 3166-1 alpha-2 code in capitals "
        "(such as PH or NP)"),
        ("authorities[2].licenses: 'bank' is not a kind of entity (known: recruitment_agency, "
        "sub_agent, employer, other)"),
        "authorities[3]: must be a mapping with key, name, country and licenses",
    ]
    assert "authorities[2].name" in str(caught.value)


@pytest.mark.parametrize("mapping", [None, {}, {"authorities": []}, {"authorities": "DMW"}])
def test_authorities_file__without_a_list_refused(mapping):
    with pytest.raises(AuthoritiesError, match="must be a list with at least one authority"):
        load_authorities(mapping)


def test_authorities_file__not_yaml_refused(tmp_path):
    path = tmp_path / "authorities.yaml"
    path.write_text("authorities: [", encoding="utf-8")
    with pytest.raises(AuthoritiesError, match="cannot be read as YAML"):
        read_authorities(path)
