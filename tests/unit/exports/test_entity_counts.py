"""Counting cases per registry entity and deciding which entities an output may name."""

from __future__ import annotations

import pytest

from exports.entity_counts import (
    EntityLine,
    count_entities,
    entity_lines,
    nameable,
    top_entities,
)
from exports.pipelines import count_by

AGENCY = {"_id": "ent_a", "kind": "recruitment_agency", "name": "Alpha", "country": "ID"}
BROKER = {"_id": "ent_b", "kind": "sub_agent", "name": "Beta", "country": "NP"}
COMPANY = {"_id": "ent_c", "kind": "employer", "name": "Gamma Sdn Bhd", "country": "MY",
           "licences": [{"authority": "SSM", "number": "1"}]}
HOUSEHOLD = {"_id": "ent_h", "kind": "employer", "name": "Madam H", "country": "MY",
             "licences": []}
OTHER = {"_id": "ent_o", "kind": "other", "name": "A landlord", "country": "MY"}


@pytest.mark.parametrize(("entity", "full", "pseudonymised", "aggregate"), [
    (AGENCY, True, True, True), (BROKER, True, True, True), (COMPANY, True, True, True),
    (HOUSEHOLD, True, False, False), (OTHER, True, False, False),
])
def test_nameable__private_actors_only_in_full_outputs(entity, full, pseudonymised, aggregate):
    assert nameable(entity, "full") is full
    assert nameable(entity, "pseudonymised") is pseudonymised
    assert nameable(entity, "aggregate") is aggregate


def test_count_entities__each_entity_once_per_case_of_a_group():
    groups = [{"_id": {"entities": ["ent_a", "ent_c"]}, "n": 3},
              {"_id": {"entities": ["ent_a", "ent_a"]}, "n": 2},  # linked twice: one case
              {"_id": {"entities": ["ent_c"]}, "n": 1},
              {"_id": {}, "n": 40},  # no link
              {"_id": {"entities": None}, "n": 4}]
    assert count_entities(groups) == {"ent_a": 5, "ent_c": 4}


def test_count_by_entities__groups_on_the_links_entity_ids():
    assert count_by({}, ("entities",))[1] == {
        "$group": {"_id": {"entities": "$entity_links.entity_id"}, "n": {"$sum": 1}}}


def test_top_entities__most_cases_first_without_small_counts_or_private_people():
    counts = {"ent_a": 7, "ent_b": 4, "ent_c": 9, "ent_h": 30, "ent_gone": 50}
    known = {e["_id"]: e for e in (AGENCY, BROKER, COMPANY, HOUSEHOLD)}
    assert top_entities(counts, known, level="pseudonymised", threshold=5) == [
        EntityLine("ent_c", "Gamma Sdn Bhd", "employer", "MY", 9),
        EntityLine("ent_a", "Alpha", "recruitment_agency", "ID", 7)]
    full = top_entities(counts, known, level="full", threshold=None, limit=2)
    assert [line.entity_id for line in full] == ["ent_h", "ent_c"]


def test_top_entities__ties_by_name():
    counts = {"ent_a": 5, "ent_b": 5}
    known = {"ent_b": BROKER, "ent_a": AGENCY}
    assert [line.name for line in top_entities(counts, known, level="aggregate",
                                               threshold=5)] == ["Alpha", "Beta"]


class Registry:
    def __init__(self, *entities):
        self.entities = {e["_id"]: e for e in entities}
        self.asked: list[list[str]] = []

    def many(self, ids):
        ids = list(ids)
        self.asked.append(ids)
        return {i: self.entities[i] for i in ids if i in self.entities}


def test_entity_lines__one_batch_of_only_the_ids_above_the_threshold():
    registry = Registry(AGENCY, BROKER, COMPANY)
    lines = entity_lines(registry, {"ent_a": 6, "ent_b": 2, "ent_c": 5}, level="aggregate",
                         threshold=5)
    assert [line.entity_id for line in lines] == ["ent_a", "ent_c"]
    assert registry.asked == [["ent_a", "ent_c"]]
    assert entity_lines(None, {"ent_a": 6}, level="full", threshold=5) == []
    assert entity_lines(registry, {"ent_b": 2}, level="full", threshold=5) == []
    assert len(registry.asked) == 1
