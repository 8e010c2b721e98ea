"""Loading the stage graph: one test per kind of problem, all reported at once."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workflow_factories import shipped_stage_mapping

from workflows.errors import StageGraphError
from workflows.stages import load_all_stage_graphs, load_stage_graph


def small_graph() -> dict[str, Any]:
    """A minimal sound lifecycle: open -> working -> done, reopenable."""
    return {
        "initial": "open",
        "stages": {"open": {}, "working": {"deadlines": {"due": 3}}, "done": {"terminal": True}},
        "transitions": [
            {"name": "start", "from": "open", "to": "working", "roles": ["system"]},
            {
                "name": "finish",
                "from": ["working"],
                "to": "done",
                "roles": ["reviewer"],
                "requires": {"outcome": {"one_of": ["resolved", "unresolved"]}},
            },
            {
                "name": "reopen",
                "from": ["done"],
                "to": "working",
                "roles": ["coordinator"],
                "requires": {"note": "text"},
                "clears": ["outcome"],
            },
        ],
    }


def problems_of(mapping: Any, country: str | None = None) -> list[tuple[str, str]]:
    with pytest.raises(StageGraphError) as error:
        load_stage_graph(mapping, country)
    return [(p.code, p.path) for p in error.value.problems]


def test_small_graph__loads() -> None:
    graph = load_stage_graph(small_graph())
    assert graph.transitions["finish"].requires[0].choices == ("resolved", "unresolved")
    assert graph.stages["working"].deadlines == {"due": 3}


def test_shipped_file__loads_for_every_country() -> None:
    graphs = load_all_stage_graphs(shipped_stage_mapping())
    assert set(graphs) == {None, "SA"}


def test_unknown_stage__in_from_to_and_initial__each_reported() -> None:
    mapping = small_graph()
    mapping["initial"] = "new"
    mapping["transitions"][0]["from"] = "opn"
    mapping["transitions"][1]["to"] = "finished"
    assert problems_of(mapping) == [
        ("unknown_stage", "initial"),
        ("unknown_stage", "transitions.start.from"),
        ("unknown_stage", "transitions.finish.to"),
    ]


def test_unreachable_stage__reported_by_name() -> None:
    mapping = small_graph()
    mapping["stages"]["archived"] = {"terminal": True}
    assert problems_of(mapping) == [("unreachable_stage", "stages.archived")]


def test_stage_with_no_way_out__reported_as_dead_end() -> None:
    mapping = small_graph()
    mapping["stages"]["parked"] = {}
    mapping["transitions"].append(
        {"name": "park", "from": "working", "to": "parked", "roles": ["reviewer"]}
    )
    assert problems_of(mapping) == [("dead_end", "stages.parked")]


def test_stages_looping_without_an_end__reported() -> None:
    mapping = small_graph()
    mapping["stages"]["waiting"] = {}
    mapping["transitions"][1]["from"] = ["waiting"]
    mapping["transitions"].append(
        {"name": "wait", "from": "working", "to": "waiting", "roles": ["reviewer"]}
    )
    mapping["transitions"].append(
        {"name": "resume", "from": "waiting", "to": "working", "roles": ["reviewer"]}
    )
    mapping["transitions"][1]["from"] = ["open"]  # the only way to `done` skips the loop
    assert problems_of(mapping) == [
        ("no_way_to_end", "stages.working"),
        ("no_way_to_end", "stages.waiting"),
    ]


def test_no_terminal_stage__reported() -> None:
    mapping = small_graph()
    mapping["stages"]["done"] = {}
    assert ("no_terminal_stage", "stages") in problems_of(mapping)


def test_unknown_role__reported_with_the_known_roles() -> None:
    mapping = small_graph()
    mapping["transitions"][1]["roles"] = ["reviewer", "judge"]
    with pytest.raises(StageGraphError) as error:
        load_stage_graph(mapping)
    (problem,) = error.value.problems
    assert (problem.code, problem.path) == ("unknown_role", "transitions.finish.roles")
    assert "judge is not a role" in problem.message and "coordinator" in problem.message


def test_duplicate_transition_name__reported() -> None:
    mapping = small_graph()
    mapping["transitions"].append(dict(mapping["transitions"][0]))
    assert problems_of(mapping) == [("duplicate_transition", "transitions.start")]


@pytest.mark.parametrize(
    "requires",
    [
        {"comment": "text"},  # not a data field transitions know
        {"note": "reference"},  # wrong kind for the field
        {"outcome": "text"},
        {"outcome": {"one_of": []}},
        {"outcome": {"one_of": ["resolved", "resolved"]}},
        {"outcome": {"one_of": ["Resolved!"]}},
        {"outcome": {"any_of": ["resolved"]}},
        ["note"],
    ],
)
def test_bad_data_requirement__reported(requires: Any) -> None:
    mapping = small_graph()
    mapping["transitions"][1]["requires"] = requires
    assert [code for code, _ in problems_of(mapping)] == ["bad_requirement"]


def test_unknown_guard_and_bad_clear__reported() -> None:
    mapping = small_graph()
    mapping["transitions"][1]["guards"] = ["paid_in_full"]
    mapping["transitions"][2]["clears"] = ["team"]
    assert problems_of(mapping) == [
        ("unknown_guard", "transitions.finish.guards"),
        ("bad_clear", "transitions.reopen.clears"),
    ]


def test_misspelt_key__reported_as_unknown_key() -> None:
    mapping = small_graph()
    mapping["transitions"][0]["form"] = mapping["transitions"][0].pop("from")
    mapping["stagez"] = {}
    codes = problems_of(mapping)
    assert ("unknown_key", "stagez") in codes
    assert ("unknown_key", "transitions.start.form") in codes
    assert ("wrong_type", "transitions.start.from") in codes


@pytest.mark.parametrize("days", [0, -1, 1.5, True, "3", 4000])
def test_bad_deadline__reported(days: Any) -> None:
    mapping = small_graph()
    mapping["stages"]["working"]["deadlines"] = {"due": days}
    assert problems_of(mapping) == [("bad_deadline", "stages.working.deadlines.due")]


def test_transition_named_like_a_stage__reported_as_ambiguous() -> None:
    mapping = small_graph()
    mapping["transitions"][0]["name"] = "working"
    assert ("bad_name", "transitions.working") in problems_of(mapping)


def test_many_problems__all_reported_at_once_in_readable_sentences() -> None:
    mapping = small_graph()
    mapping["transitions"][0]["roles"] = ["boss"]
    mapping["transitions"][1]["requires"] = {"outcome": "text"}
    mapping["stages"]["working"]["terminal"] = "yes"
    with pytest.raises(StageGraphError) as error:
        load_stage_graph(mapping)
    assert len(error.value.problems) == 3
    text = str(error.value)
    assert "3 problem(s)" in text
    assert "transitions.finish.requires.outcome: outcome must be required as {one_of" in text


def test_country__changes_deadlines_and_adds_a_transition() -> None:
    mapping = small_graph()
    mapping["countries"] = {
        "SA": {
            "stages": {"working": {"deadlines": {"due": 1, "escalate": 2}}},
            "transitions": [
                {"name": "finish", "roles": ["coordinator"]},
                {
                    "name": "fast_close",
                    "from": "open",
                    "to": "done",
                    "roles": ["coordinator"],
                    "requires": {"outcome": {"one_of": ["referred"]}},
                },
            ],
        }
    }
    sa = load_stage_graph(mapping, "SA")
    assert sa.stages["working"].deadlines == {"due": 1, "escalate": 2}
    assert sa.transitions["finish"].roles == {"coordinator"}
    assert sa.transitions["finish"].target == "done"
    assert "fast_close" in sa.transitions
    default = load_stage_graph(mapping)
    assert "fast_close" not in default.transitions
    assert load_stage_graph(mapping, "MY").transitions == default.transitions


def test_country__null_deadline__removes_it() -> None:
    mapping = small_graph()
    mapping["countries"] = {"KR": {"stages": {"working": {"deadlines": {"due": None}}}}}
    assert load_stage_graph(mapping, "KR").stages["working"].deadlines == {}


def test_country__removing_a_needed_transition__reported_with_country_path() -> None:
    mapping = small_graph()
    mapping["countries"] = {"SA": {"remove_transitions": ["start", "approve"]}}
    assert problems_of(mapping, "SA") == [
        ("unknown_transition", "countries.SA.remove_transitions"),
        ("dead_end", "countries.SA.stages.open"),
        ("unreachable_stage", "countries.SA.stages.working"),
        ("unreachable_stage", "countries.SA.stages.done"),
    ]


def test_load_all__reports_problems_of_every_country_together() -> None:
    mapping = small_graph()
    mapping["countries"] = {
        "SA": {"transitions": [{"name": "finish", "roles": ["emir"]}]},
        "QA": {"stages": {"working": {"deadlines": {"due": 0}}}, "extra": 1},
        "qatar": {},
    }
    with pytest.raises(StageGraphError) as error:
        load_all_stage_graphs(mapping)
    assert [(p.code, p.path) for p in error.value.problems] == [
        ("unknown_role", "countries.SA.transitions.finish.roles"),
        ("unknown_key", "countries.QA.extra"),
        ("bad_deadline", "countries.QA.stages.working.deadlines.due"),
        ("bad_country", "countries"),
    ]


def test_country__broken_defaults__reported_once_without_the_country() -> None:
    mapping = small_graph()
    mapping["initial"] = "nowhere"
    mapping["countries"] = {"SA": {}}
    assert problems_of(mapping, "SA") == [("unknown_stage", "initial")]


def test_not_a_mapping__reported() -> None:
    assert problems_of(["stages"]) == [("wrong_type", "")]


yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from(
        ["open", "done", "working", "system", "reviewer", "text", "note", "start", "SA"]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "initial",
                    "stages",
                    "transitions",
                    "name",
                    "from",
                    "to",
                    "roles",
                    "requires",
                    "terminal",
                    "deadlines",
                    "countries",
                    "open",
                    "done",
                    "SA",
                    "one_of",
                    "note",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(deadline=None)
@given(yaml_values)
def test_any_parsed_yaml__either_loads_or_raises_stage_graph_error(mapping: Any) -> None:
    try:
        load_all_stage_graphs(mapping)
    except StageGraphError as error:
        assert error.problems
        assert all(p.message.endswith(".") for p in error.problems)
