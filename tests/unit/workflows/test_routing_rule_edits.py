"""The priority-rule edits of the structured rules page: plain configuration in, the next
configuration out, checked as the loader checks it, with every problem at once and the
input never changed."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from workflow_factories import make_case, shipped_routing_mapping

from workflows.errors import RoutingRulesError
from workflows.routing import decide_route, load_routing_rules
from workflows.routing_edits import (
    add_rule,
    new_rule_id,
    remove_rule,
    set_duplicate_window,
    set_rule_priority,
)

PLUMBER = {"dimension": "occupation", "values": ["construction"]}


@pytest.fixture
def config() -> dict[str, Any]:
    return shipped_routing_mapping()


def rule_ids(config: dict[str, Any]) -> list[str]:
    return [rule["id"] for rule in config["priority_rules"]]


def refused(make, *args: Any) -> list[tuple[str, str]]:
    with pytest.raises(RoutingRulesError) as raised:
        make(*args)
    return [(p.code, p.path) for p in raised.value.problems]


def test_add_rule__appended_with_an_id_from_its_condition_and_in_force(config):
    before = copy.deepcopy(config)
    new = add_rule(config, PLUMBER, "urgent")
    assert config == before, "the input is never changed"
    assert new["priority_rules"][-1] == {"id": "occupation_construction",
                                         "dimension": "occupation",
                                         "values": ["construction"], "priority": "urgent"}
    rules = load_routing_rules(new)
    case = make_case(dimensions={"occupation": "construction", "destination_country": "MY"})
    assert decide_route(case, rules).priority == "urgent"
    assert decide_route(case, load_routing_rules(config)).priority == "normal"


def test_add_rule__flag_and_article_conditions(config):
    new = add_rule(config, {"flags": ["minor"]}, "normal")
    new = add_rule(new, {"mwc": [16]}, "urgent")
    assert rule_ids(new)[-2:] == ["flag_minor", "mwc_16"]
    assert load_routing_rules(new).priority_rules[-1].mwc == (16,)


def test_add_rule__same_condition_twice__numbered_id(config):
    once = add_rule(config, PLUMBER, "urgent")
    twice = add_rule(once, PLUMBER, "normal")
    assert rule_ids(twice)[-2:] == ["occupation_construction", "occupation_construction_2"]


@pytest.mark.parametrize(("match", "expected"), [
    ({"dimension": "age_band", "values": ["15-17"]}, "age_band_15_17"),
    ({"dimension": "age_band", "values": ["60+"]}, "age_band_60"),
    ({"flags": ["risk_to_life", "detention"]}, "flag_risk_to_life_detention"),
    ({"mwc": ["MWC-9"]}, "mwc_mwc_9"),
    ({}, "rule"),
])
def test_new_rule_id__words_of_the_condition_as_an_identifier(match, expected):
    assert new_rule_id([], match) == expected


def test_add_rule__unknown_dimension_value_and_priority__every_problem_at_once(config):
    problems = refused(add_rule, config, {"dimension": "shoe_size", "values": ["42"]}, "loud")
    assert problems == [("unknown_priority", "priority_rules.shoe_size_42.priority"),
                        ("unknown_dimension", "priority_rules.shoe_size_42.dimension")]
    problems = refused(add_rule, config, {"dimension": "age_band", "values": ["under_99"]},
                       "urgent")
    assert problems == [("unknown_value", "priority_rules.age_band_under_99.values")]


@pytest.mark.parametrize("match", [
    {"flags": ["homesick"]},
    {"mwc": [400]},
    {"dimension": "violation_date", "values": ["2026-01-01"]},
    {},
    {"dimension": "age_band"},
])
def test_add_rule__conditions_the_loader_refuses__refused(config, match):
    with pytest.raises(RoutingRulesError):
        add_rule(config, match, "urgent")


def test_add_rule__id_taken_or_malformed__refused(config):
    assert refused(add_rule, config, PLUMBER, "urgent", "danger_signs") == [
        ("duplicate_rule", "priority_rules.danger_signs")]
    assert [code for code, _path in refused(add_rule, config, PLUMBER, "urgent", "Bad id")] \
        == ["bad_name"]


def test_set_rule_priority__changed_and_in_force(config):
    new = set_rule_priority(config, "child_worker", "normal")
    assert config["priority_rules"][-1]["priority"] == "urgent"
    assert new["priority_rules"][-1] == {**config["priority_rules"][-1], "priority": "normal"}
    case = make_case(dimensions={"age_band": "under_15", "destination_country": "MY"})
    assert decide_route(case, load_routing_rules(new)).priority == "normal"


def test_set_rule_priority__bad_priority_or_missing_rule__every_problem(config):
    assert refused(set_rule_priority, config, "child_worker", "very") == [
        ("unknown_priority", "priority_rules.child_worker.priority")]
    assert refused(set_rule_priority, config, "gone", "very") == [
        ("no_rule", "priority_rules.gone"), ("unknown_priority", "priority_rules.gone.priority")]


def test_remove_rule__gone_and_no_longer_matching(config):
    new = remove_rule(config, "held_in_detention")
    assert "held_in_detention" in rule_ids(config)
    assert rule_ids(new) == ["danger_signs", "grave_violations", "child_worker"]
    case = make_case(dimensions={"immigration_status": "in_detention",
                                 "destination_country": "MY"})
    assert decide_route(case, load_routing_rules(new)).priority == "normal"


def test_remove_rule__missing__refused(config):
    assert refused(remove_rule, config, "nothing_here") == [("no_rule",
                                                             "priority_rules.nothing_here")]


def test_remove_rule__the_last_one__no_rules_is_a_valid_configuration(config):
    new = config
    for rule_id in rule_ids(config):
        new = remove_rule(new, rule_id)
    assert new["priority_rules"] == []
    assert load_routing_rules(new).priority_rules == ()


def test_set_duplicate_window__whole_days_from_1_to_3650(config):
    assert set_duplicate_window(config, 30)["duplicate_window_days"] == 30
    assert load_routing_rules(set_duplicate_window(config, 3650)).duplicate_window_days == 3650
    assert config["duplicate_window_days"] == 180


@pytest.mark.parametrize("days", [0, -5, 3651, 2.5, "abc", "", None, True])
def test_set_duplicate_window__not_a_positive_whole_number__refused(config, days):
    assert refused(set_duplicate_window, config, days) == [("bad_window",
                                                            "duplicate_window_days")]
