"""The registry's pure plans: links on a case, new entities, merges, splits, and the
counts of an entity's page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exports.entity_tables import BY_ARTICLE, BY_DESTINATION, BY_PERIOD, entity_tables, period_year
from workflows.registry import editing, links
from workflows.registry.editing import MergePlan, NewEntity, SplitPlan
from workflows.registry.links import LinkRefused, LinkRequest

NOW = datetime(2026, 3, 2, tzinfo=UTC)
A = {"_id": "ent_a", "name": "PT Maju Jaya Sentosa", "aliases": ["PT Madju Djaja"],
     "country": "ID", "revision": 2,
     "licences": [{"authority": "BP2MI", "number": "KEP.1/2020"}],
     "statuses": [{"status": "licensed", "since": "2026-01-01",
                   "source": {"kind": "list", "authority": "BP2MI"}}]}
B = {"_id": "ent_b", "name": "Majujaya Sentosa", "aliases": ["PT Madju Djaja", "MJS"],
     "country": "ID", "revision": 5, "licences": [{"authority": "DMW", "number": "77"}],
     "statuses": [{"status": "suspended", "since": "2026-02-01",
                   "source": {"kind": "list", "authority": "DMW"}}]}


def test_with_link__every_reason_at_once():
    case = {"entity_links": [{"entity_id": "ent_a", "actor": "agency"}] * links.MAX_LINKS}
    with pytest.raises(LinkRefused) as refused:
        links.with_link(case, LinkRequest("ent_a", "agency", "narrative"),
                        {"_id": "ent_a", "merged_into": "ent_c"}, "u", NOW)
    assert set(refused.value.reasons) == {links.UNKNOWN_QUESTION, links.ENTITY_MERGED,
                                          links.ALREADY_LINKED, links.TOO_MANY}


def test_with_link__same_entity_as_two_actors_is_two_links():
    once = links.with_link({}, LinkRequest("ent_a", "agency"), A, "u", NOW)
    twice = links.with_link({"entity_links": once}, LinkRequest("ent_a", "employer"), A, "u", NOW)
    assert [(x["entity_id"], x["actor"]) for x in twice] == [("ent_a", "agency"),
                                                             ("ent_a", "employer")]


def test_without_link__absent_is_refused():
    with pytest.raises(LinkRefused):
        links.without_link({"entity_links": []}, "ent_a", "agency")


def test_relinked__keeps_one_link_per_entity_and_actor():
    moved = links.relinked([{"entity_id": "ent_a", "actor": "agency"},
                            {"entity_id": "ent_b", "actor": "agency"},
                            {"entity_id": "ent_b", "actor": "employer"}], "ent_b", "ent_a")
    assert [(x["entity_id"], x["actor"]) for x in moved] == [("ent_a", "agency"),
                                                             ("ent_a", "employer")]


def test_check_new_entity__every_problem_at_once():
    problems = editing.check_new_entity(NewEntity("ship", " ", "Malaysia", "12", ""), ["BP2MI"])
    assert problems == [editing.KIND_UNKNOWN, editing.NAME_MISSING, editing.COUNTRY_INVALID,
                        editing.AUTHORITY_MISSING]
    assert editing.check_new_entity(NewEntity("employer", "X", "MY", "", "XX"), ["BP2MI"]) == [
        editing.AUTHORITY_UNKNOWN, editing.LICENCE_MISSING]


def test_plan_merge__names_licences_statuses_move():
    plan = editing.plan_merge(A, B, "same agency")
    assert isinstance(plan, MergePlan)
    assert plan.add_aliases == ["Majujaya Sentosa", "MJS"]
    assert plan.add_licence_keys == ["DMW:77"]
    assert plan.add_statuses == B["statuses"]
    assert (plan.target_revision, plan.source_revision) == (2, 5)


def test_plan_merge__refusals():
    clash = {**B, "licences": [{"authority": "BP2MI", "number": "KEP.2/2020"}]}
    assert editing.plan_merge(A, {**clash, "merged_into": "ent_c"}, "") == [
        editing.REASON_MISSING, editing.ALREADY_MERGED, editing.LICENCE_CLASH]
    assert editing.plan_merge(A, A, "x") == [editing.SAME_ENTITY]


def test_plan_split__moves_the_licence_with_its_authoritys_statuses():
    plan = editing.plan_split(A, NewEntity("employer", "Cabang", "ID"), ["PT Madju Djaja"],
                              ["BP2MI:KEP.1/2020"], ["c_1"], {"c_1"}, "two", "u", NOW)
    assert isinstance(plan, SplitPlan)
    assert plan.entity["licence_keys"] == ["BP2MI:KEP.1/2020"]
    assert plan.entity["statuses"] == A["statuses"] and plan.case_ids == ["c_1"]
    assert plan.entity["aliases"] == ["PT Madju Djaja"]


def test_plan_split__every_problem_at_once():
    problems = editing.plan_split(A, NewEntity("x", "", "id"), ["nope"], ["DMW:9"], ["c_9"],
                                  set(), "", "u", NOW)
    assert problems == [editing.REASON_MISSING, editing.KIND_UNKNOWN, editing.NAME_MISSING,
                        editing.COUNTRY_INVALID, editing.ALIAS_NOT_HELD,
                        editing.LICENCE_NOT_HELD, editing.CASE_NOT_LINKED]


def test_period_year__events_else_filing():
    assert period_year({"event": {"start": "2024-03-01"}, "created_at": NOW}) == 2024
    assert period_year({"event": None, "created_at": NOW}) == 2026
    assert period_year({}) is None


def test_entity_tables__cases_by_destination_article_and_period_by_gender():
    cases = [{"dimensions": {"destination_country": "MY", "gender": "woman"}, "mwc": [16, 25],
              "event": {"start": "2025-05-01"}, "created_at": NOW},
             {"dimensions": {"destination_country": "MY"}, "mwc": [25], "created_at": NOW}]
    tables = entity_tables(cases)
    assert tables[BY_DESTINATION].cell("MY", "woman") == 1
    assert tables[BY_DESTINATION].cell("MY", None) == 1 and tables[BY_DESTINATION].total == 2
    assert tables[BY_ARTICLE].cell(25, "woman") == 1 and tables[BY_ARTICLE].total == 3
    assert tables[BY_PERIOD].rows == (2025, 2026)
