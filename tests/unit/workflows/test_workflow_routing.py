"""Routing rules: team by country, priority by flags, articles and dimensions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workflow_factories import NOW, make_case, shipped_routing_mapping

from forms.answers import derive_case_fields
from forms.compiler import compile_form
from forms.countries import country_codes
from forms.dimensions import load_dimensions
from forms.mwc import load_taxonomy, parse_code
from forms.shipped import shipped_sources
from forms.vocabulary import FLAGS
from workflows.errors import RoutingRulesError
from workflows.routing import RoutingRules, decide_route, load_routing_rules

#: The age bands as the forms store them, youngest first: the vocabulary's own values.
AGE_BANDS = load_dimensions().get("age_band").values or ()
UNDER_15, AGED_15_TO_17, AGED_18_TO_19 = AGE_BANDS[:3]


@pytest.fixture(scope="module")
def rules() -> RoutingRules:
    return load_routing_rules(shipped_routing_mapping())


def routed(rules: RoutingRules, **overrides: Any) -> Any:
    return decide_route(make_case(**overrides), rules)


def test_shipped_rules__load(rules: RoutingRules) -> None:
    assert rules.fallback_team == "secretariat"
    assert rules.team_for_country("QA") == "gulf-team"
    assert rules.duplicate_window == timedelta(days=180)
    assert rules.duplicates_since(NOW) == NOW - timedelta(days=180)


@pytest.mark.parametrize(
    ("form_country", "destination", "team", "reason"),
    [
        ("MY", "SA", "gulf-team", "team:destination_country:SA"),  # destination first
        ("PH", "HK", "hk-team", "team:destination_country:HK"),
        ("MY", "US", "my-team", "team:form_country:MY"),  # no team there: the form's country
        ("MY", None, "my-team", "team:form_country:MY"),
        ("FR", "US", "secretariat", "team:fallback"),
        (None, None, "secretariat", "team:fallback"),
    ],
)
def test_team__destination_then_form_country_then_fallback(
    rules: RoutingRules, form_country: str | None, destination: str | None, team: str, reason: str
) -> None:
    decision = routed(rules, country=form_country, dimensions={"destination_country": destination})
    assert decision.team == team
    assert decision.reasons[0] == reason


def test_team__case_without_dimensions__uses_the_form_country(rules: RoutingRules) -> None:
    case = make_case(country="KR")
    del case["dimensions"]
    assert decide_route(case, rules).team == "kr-team"


def test_priority__no_signs__normal(rules: RoutingRules) -> None:
    decision = routed(rules, mwc=[21, 25])
    assert decision.priority == "normal"
    assert decision.reasons == ("team:destination_country:MY",)


@pytest.mark.parametrize("flag", FLAGS)
def test_priority__each_danger_flag__urgent(rules: RoutingRules, flag: str) -> None:
    flags = dict.fromkeys(FLAGS, False) | {flag: True}
    decision = routed(rules, flags=flags)
    assert decision.priority == "urgent"
    assert f"priority:danger_signs:flag:{flag}" in decision.reasons


@pytest.mark.parametrize("value", ["true", 1, None, "yes"])
def test_priority__flag_not_literally_true__does_not_count(rules: RoutingRules, value: Any) -> None:
    assert routed(rules, flags={"risk_to_life": value}).priority == "normal"


def test_priority__loss_of_life__urgent(rules: RoutingRules) -> None:
    decision = routed(rules, mwc=[9, 25])
    assert decision.priority == "urgent"
    assert decision.reasons[1:] == ("priority:grave_violations:mwc:9",)


@pytest.mark.parametrize("article", [10, 11])
def test_priority__cruel_treatment_or_forced_labour_alone__normal(rules: RoutingRules,
                                                                  article: int) -> None:
    """Common answers (hit or threatened, a debt, a local term) cite these: alone they
    do not make a case urgent; with a danger sign they do."""
    assert routed(rules, mwc=[article, 25]).priority == "normal"
    assert routed(rules, mwc=[article], flags={"trafficking": True}).priority == "urgent"


@pytest.mark.parametrize(
    ("dimensions", "reason"),
    [
        (
            {"immigration_status": "in_detention"},
            "priority:held_in_detention:immigration_status=in_detention",
        ),
        ({"age_band": AGED_15_TO_17}, f"priority:child_worker:age_band={AGED_15_TO_17}"),
        ({"age_band": UNDER_15}, f"priority:child_worker:age_band={UNDER_15}"),
    ],
)
def test_priority__dimension_rules__urgent(
    rules: RoutingRules, dimensions: dict[str, str], reason: str
) -> None:
    decision = routed(rules, dimensions=dimensions)
    assert decision.priority == "urgent"
    assert reason in decision.reasons


def test_priority__adult_age_band__stays_normal(rules: RoutingRules) -> None:
    assert routed(rules, dimensions={"age_band": AGED_18_TO_19}).priority == "normal"


def test_priority__under_15_answered_on_a_shipped_form__urgent(rules: RoutingRules) -> None:
    """The value a reporter's answer stores, not a value typed into a test, meets the rule."""
    definition = compile_form("my-intake", shipped_sources()).unwrap()
    age_field = next(f for f in definition.fields() if f.dimension == "age_band")
    youngest = age_field.choices[0].value  # the form lists the bands youngest first
    case = make_case(**derive_case_fields(definition, {age_field.id: youngest}))
    decision = decide_route(case, rules)
    assert decision.priority == "urgent"
    assert f"priority:child_worker:age_band={UNDER_15}" in decision.reasons


def test_shipped_rules__name_only_what_a_case_can_hold() -> None:
    dimensions, taxonomy = load_dimensions(), load_taxonomy()
    for rule in shipped_routing_mapping()["priority_rules"]:
        assert set(rule.get("flags", ())) <= set(FLAGS), rule["id"]
        assert all(parse_code(article) in taxonomy for article in rule.get("mwc", ())), rule["id"]
        if "dimension" in rule:
            dimension = dimensions.get(rule["dimension"])
            allowed = country_codes() if dimension.kind == "country" else dimension.values
            assert allowed is not None, rule["id"]
            assert set(rule["values"]) <= set(allowed), rule["id"]


def test_priority__every_matching_rule__gives_a_reason(rules: RoutingRules) -> None:
    decision = routed(
        rules,
        flags={"trafficking": True, "minor": True},
        mwc=[9, 11],
        dimensions={"destination_country": "SG", "age_band": AGED_15_TO_17},
    )
    assert decision.reasons == (
        "team:destination_country:SG",
        "priority:danger_signs:flag:trafficking",
        "priority:danger_signs:flag:minor",
        "priority:grave_violations:mwc:9",
        f"priority:child_worker:age_band={AGED_15_TO_17}",
    )


def custom_rules(*priority_rules: dict[str, Any]) -> RoutingRules:
    mapping = shipped_routing_mapping()
    mapping["priority_rules"] = list(priority_rules)
    return load_routing_rules(mapping)


def test_priority__list_valued_dimension__matches_any_value() -> None:
    rules = custom_rules(
        {
            "id": "state_actor",
            "dimension": "perpetrator_type",
            "values": ["POLICE"],
            "priority": "urgent",
        }
    )
    case = make_case(dimensions={"perpetrator_type": ["EMP_IND", "POLICE"]})
    assert decide_route(case, rules).priority == "urgent"


def test_priority__a_normal_rule__never_lowers_an_urgent_one() -> None:
    rules = custom_rules(
        {"id": "grave", "mwc": ["MWC-10"], "priority": "urgent"},
        {"id": "wages", "mwc": [25], "priority": "normal"},
    )
    decision = decide_route(make_case(mwc=[10, 25]), rules)
    assert decision.priority == "urgent"
    assert decision.reasons[1:] == ("priority:grave:mwc:10", "priority:wages:mwc:25")


@pytest.mark.parametrize(("requested", "expected"), [("woman", "woman"), (None, None), ("", None)])
def test_caseworker_gender__comes_from_the_case(
    rules: RoutingRules, requested: str | None, expected: str | None
) -> None:
    assert routed(rules, caseworker_gender=requested).caseworker_gender == expected


cases = st.dictionaries(
    st.sampled_from(["country", "dimensions", "flags", "mwc", "caseworker_gender"]),
    st.none()
    | st.integers()
    | st.text(max_size=3)
    | st.lists(st.integers(0, 12), max_size=3)
    | st.dictionaries(
        st.sampled_from(["destination_country", "age_band", *FLAGS]),
        st.none() | st.booleans() | st.sampled_from(["MY", "SA", *AGE_BANDS]),
    ),
)


@settings(deadline=None)
@given(cases)
def test_decide_route__any_case_shape__gives_a_team_and_known_priority(
    case: dict[str, Any],
) -> None:
    rules = load_routing_rules(shipped_routing_mapping())
    decision = decide_route(case, rules)
    assert decision.team in rules.teams
    assert decision.priority in ("normal", "urgent")
    assert (decision.priority == "urgent") == (len(decision.reasons) > 1)


# -- validation: one test per kind of problem --------------------------------


def problems_of(mapping: Any) -> list[tuple[str, str]]:
    with pytest.raises(RoutingRulesError) as error:
        load_routing_rules(mapping)
    return [(p.code, p.path) for p in error.value.problems]


def with_changes(**changes: Any) -> dict[str, Any]:
    mapping = shipped_routing_mapping()
    mapping.update(changes)
    return mapping


def test_not_a_mapping__reported() -> None:
    assert problems_of([]) == [("wrong_type", "")]


def test_unknown_top_key__reported() -> None:
    assert problems_of(with_changes(fallback="secretariat")) == [("unknown_key", "fallback")]


def test_fallback_team_not_a_team__reported() -> None:
    assert problems_of(with_changes(fallback_team="regional")) == [
        ("unknown_team", "fallback_team")
    ]


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        ({}, [("wrong_type", "teams")]),
        ({"My Team": {"countries": ["MY"]}}, [("bad_name", "teams.My Team")]),
        ({"my-team": ["MY"]}, [("wrong_type", "teams.my-team")]),
        ({"my-team": {"countries": ["MY"], "lead": "x"}}, [("wrong_type", "teams.my-team")]),
        (
            {"my-team": {"countries": ["Malaysia", "my"]}},
            [("bad_country", "teams.my-team.countries")] * 2,
        ),
        (
            {"my-team": {"countries": ["MY"]}, "sea-team": {"countries": ["SG", "MY"]}},
            [("duplicate_country", "teams.sea-team.countries")],
        ),
    ],
)
def test_bad_teams__reported(teams: Any, expected: list[tuple[str, str]]) -> None:
    mapping = with_changes(teams=teams, fallback_team=next(iter(teams), "none"))
    assert [p for p in problems_of(mapping) if p[0] != "unknown_team"] == expected


def test_duplicate_country__names_both_teams() -> None:
    mapping = with_changes(
        teams={"a": {"countries": ["MY"]}, "b": {"countries": ["MY"]}}, fallback_team="a"
    )
    with pytest.raises(RoutingRulesError) as error:
        load_routing_rules(mapping)
    assert "MY is in both a and b" in str(error.value)


@pytest.mark.parametrize("window", [0, -3, 1.5, "90", True, None, 4000])
def test_bad_duplicate_window__reported(window: Any) -> None:
    assert problems_of(with_changes(duplicate_window_days=window)) == [
        ("bad_window", "duplicate_window_days")
    ]


#: The first number that is no article of the MWC taxonomy.
NOT_AN_ARTICLE = next(n for n in range(1, 1000) if n not in load_taxonomy())


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"mwc": [9], "priority": "urgent"}, ("bad_name", "priority_rules[0]")),
        (
            {"id": "x", "mwc": [9], "priority": "critical"},
            ("unknown_priority", "priority_rules.x.priority"),
        ),
        ({"id": "x", "priority": "urgent"}, ("bad_condition", "priority_rules.x")),
        (
            {"id": "x", "mwc": [9], "flags": ["minor"], "priority": "urgent"},
            ("bad_condition", "priority_rules.x"),
        ),
        (
            {"id": "x", "mwc": [9], "values": ["a"], "priority": "urgent"},
            ("bad_condition", "priority_rules.x"),
        ),
        (
            {"id": "x", "dimension": "age_band", "priority": "urgent"},
            ("bad_condition", "priority_rules.x"),
        ),
        (
            {"id": "x", "flags": [], "priority": "urgent"},
            ("bad_condition", "priority_rules.x.flags"),
        ),
        (
            {"id": "x", "flags": ["Risk to life"], "priority": "urgent"},
            ("bad_condition", "priority_rules.x.flags"),
        ),
        ({"id": "x", "mwc": [], "priority": "urgent"}, ("bad_condition", "priority_rules.x.mwc")),
        ({"id": "x", "mwc": [0], "priority": "urgent"}, ("bad_article", "priority_rules.x.mwc")),
        (
            {"id": "x", "mwc": ["MWC-94"], "priority": "urgent"},
            ("bad_article", "priority_rules.x.mwc"),
        ),
        ({"id": "x", "mwc": [True], "priority": "urgent"}, ("bad_article", "priority_rules.x.mwc")),
        (
            {"id": "x", "mwc": [NOT_AN_ARTICLE], "priority": "urgent"},
            ("bad_article", "priority_rules.x.mwc"),
        ),
        (
            {"id": "x", "flags": ["pregnant"], "priority": "urgent"},
            ("unknown_value", "priority_rules.x.flags"),
        ),
        (
            {"id": "x", "dimension": "age", "values": [UNDER_15], "priority": "urgent"},
            ("unknown_dimension", "priority_rules.x.dimension"),
        ),
        (
            {"id": "x", "dimension": "age_band", "values": ["<15"], "priority": "urgent"},
            ("unknown_value", "priority_rules.x.values"),
        ),
        (
            {"id": "x", "dimension": "destination_country", "values": ["ZZ"], "priority": "urgent"},
            ("unknown_value", "priority_rules.x.values"),
        ),
        (
            {"id": "x", "dimension": "violation_date", "values": ["2026"], "priority": "urgent"},
            ("bad_condition", "priority_rules.x.dimension"),
        ),
        (
            {"id": "x", "dimension": "Age Band", "values": ["<15"], "priority": "urgent"},
            ("bad_condition", "priority_rules.x.dimension"),
        ),
        (
            {"id": "x", "dimension": "age_band", "values": [15], "priority": "urgent"},
            ("bad_condition", "priority_rules.x.values"),
        ),
        (
            {"id": "x", "mwc": [9], "priority": "urgent", "when": 1},
            ("unknown_key", "priority_rules.x.when"),
        ),
    ],
)
def test_bad_priority_rule__reported(rule: dict[str, Any], expected: tuple[str, str]) -> None:
    assert problems_of(with_changes(priority_rules=[rule])) == [expected]


def test_value_the_dimension_cannot_take__names_rule_value_and_allowed_values() -> None:
    rule = {"id": "child_worker", "dimension": "age_band", "values": ["<15"], "priority": "urgent"}
    with pytest.raises(RoutingRulesError) as error:
        load_routing_rules(with_changes(priority_rules=[rule]))
    message = str(error.value)
    assert "priority_rules.child_worker.values: Rule child_worker names '<15'" in message
    assert ", ".join(AGE_BANDS) in message


def test_team_country_no_form_can_store__reported() -> None:
    assert problems_of(with_changes(teams={"a": {"countries": ["ZZ"]}}, fallback_team="a")) == [
        ("bad_country", "teams.a.countries")
    ]


def test_duplicate_rule_id__reported() -> None:
    rule = {"id": "grave", "mwc": [9], "priority": "urgent"}
    assert problems_of(with_changes(priority_rules=[rule, rule])) == [
        ("duplicate_rule", "priority_rules.grave")
    ]


def test_mwc_code_or_number__both_accepted() -> None:
    rules = custom_rules({"id": "x", "mwc": [9, "MWC-10"], "priority": "urgent"})
    assert rules.priority_rules[0].mwc == (9, 10)


def test_many_problems__reported_together() -> None:
    mapping = with_changes(
        fallback_team="none",
        duplicate_window_days=0,
        extra=1,
        priority_rules=[{"id": "x", "priority": "urgent"}],
    )
    assert sorted(code for code, _ in problems_of(mapping)) == [
        "bad_condition",
        "bad_window",
        "unknown_key",
        "unknown_team",
    ]


yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 100)
    | st.sampled_from(["MY", "urgent", "normal", "minor", "MWC-9", "x", "age_band"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "teams",
                    "fallback_team",
                    "priority_rules",
                    "duplicate_window_days",
                    "countries",
                    "id",
                    "priority",
                    "flags",
                    "mwc",
                    "dimension",
                    "values",
                    "x",
                    "MY",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(deadline=None)
@given(yaml_values)
def test_any_parsed_yaml__either_loads_or_raises_routing_rules_error(mapping: Any) -> None:
    try:
        load_routing_rules(mapping)
    except RoutingRulesError as error:
        assert error.problems
