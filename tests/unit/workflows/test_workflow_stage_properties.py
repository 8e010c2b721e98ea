"""Properties of the stage machine over random sequences of requests.

Whatever is asked, by whoever, with whatever data: a case stays inside the graph,
every applied step passed every rule (checked here by an independent oracle), and
every applied step appends exactly one event whose from/to match the move.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from workflow_factories import NOW, make_case, shipped_stage_mapping

from workflows.errors import TransitionNotAllowed
from workflows.stages import KNOWN_ROLES, StageGraph, Transition, apply_transition, load_stage_graph

GRAPHS = [
    load_stage_graph(shipped_stage_mapping()),
    load_stage_graph(shipped_stage_mapping(), "SA"),
]
DEFAULT = GRAPHS[0]

VALID_DATA = [
    {},
    {"note": "Checked"},
    {"reason": "Out of scope"},
    {"duplicate_of": "MY-2026-000001"},
    {"outcome": "resolved"},
    {"outcome": "withdrawn", "note": "Went home"},
]
values = st.one_of(
    st.none(),
    st.just("  "),
    st.text(max_size=6),
    st.integers(),
    st.sampled_from(["resolved", "solved", "MY-2026-000001", "MY-2026-000042", "ref 1"]),
)
random_data = st.dictionaries(
    st.sampled_from(["note", "reason", "outcome", "duplicate_of", "team", "stage"]),
    values,
    max_size=2,
)
requests = st.sampled_from(sorted(DEFAULT.transitions) + sorted(DEFAULT.stages) + ["approve", ""])
role_sets = st.frozensets(st.sampled_from(sorted(KNOWN_ROLES)), min_size=1, max_size=2)
follow_ups = st.lists(st.sampled_from(["done", "cancelled", "in_progress", None]), max_size=2)


@st.composite
def step(
    draw: st.DrawFn, graph: StageGraph, stage: str
) -> tuple[str, frozenset[str], dict[str, Any]]:
    """A request that is often plausible (an outgoing transition, a fitting role, good
    data) so walks reach deep stages, and otherwise anything at all."""
    outgoing = graph.outgoing(stage)
    if not outgoing or draw(st.integers(0, 3)) == 0:
        return draw(requests), draw(role_sets), draw(st.sampled_from(VALID_DATA) | random_data)
    transition = draw(st.sampled_from(outgoing))
    request = draw(st.sampled_from([transition.name, transition.target]))
    roles = draw(st.sets(st.sampled_from(sorted(transition.roles)), min_size=1) | role_sets)
    data = draw(st.just(_valid_data_for(transition)) | random_data)
    return request, frozenset(roles), data


def assert_rules_held(
    transition: Transition,
    case: dict[str, Any],
    roles: frozenset[str],
    data: dict[str, Any],
    graph: StageGraph,
) -> None:
    """The oracle: restate every rule independently of the machine's own checks."""
    assert case["stage"] in transition.sources
    assert roles & transition.roles
    allowed = {r.field for r in transition.requires} | {"note"}
    assert set(data) <= allowed
    for requirement in transition.requires:
        value = data[requirement.field]
        assert isinstance(value, str) and value.strip()
        if requirement.kind == "one_of":
            assert value.strip() in requirement.choices
    if "follow_ups_finished" in transition.guards:
        assert all(f.get("status") in graph.finished_statuses for f in case["follow_ups"])


# No per-example deadline: a 25-step walk is quick, but timing on a busy machine is not.
@settings(deadline=None)
@given(st.sampled_from(GRAPHS), st.data())
def test_random_requests__stay_in_graph__pass_guards__one_event_per_step(
    graph: StageGraph, draws: st.DataObject
) -> None:
    case = make_case(country=graph.country or "MY")
    for _ in range(draws.draw(st.integers(0, 25), label="steps")):
        request, roles, data = draws.draw(step(graph, case["stage"]))
        case["follow_ups"] = [{"status": s} for s in draws.draw(follow_ups)]
        before = copy.deepcopy(case)
        try:
            result = apply_transition(case, request, {"id": "u", "roles": roles}, data, NOW, graph)
        except TransitionNotAllowed:
            assert case == before
            continue
        transition = graph.transitions[result.event["transition"]]
        assert_rules_held(transition, before, roles, data, graph)
        assert result.changes["stage"] in graph.stages
        assert result.event["from"] == before["stage"]
        assert result.event["to"] == result.changes["stage"] == transition.target
        case.update(result.changes)  # what the repository does:
        case["events"] = [*case["events"], result.event]  # $set, $push, $inc
        case["version"] += 1
        assert len(case["events"]) == len(before["events"]) + 1
    assert case["stage"] in graph.stages
    assert case["version"] == 1 + len(case["events"])
    stages = ["submitted"] + [e["to"] for e in case["events"]]
    assert all(e["from"] == prev for e, prev in zip(case["events"], stages, strict=False))


def _valid_data_for(transition: Transition) -> dict[str, str]:
    data = {}
    for requirement in transition.requires:
        data[requirement.field] = {
            "text": "Because",
            "reference": "MY-2026-000001",
        }.get(requirement.kind) or requirement.choices[0]
    return data


@settings(deadline=None)
@given(st.sampled_from(GRAPHS), st.sampled_from(sorted(DEFAULT.stages)), role_sets, follow_ups)
def test_available__is_exactly_what_can_be_applied_with_good_data(
    graph: StageGraph, stage: str, roles: frozenset[str], statuses: list[Any]
) -> None:
    case = make_case(stage=stage, follow_ups=[{"status": s} for s in statuses])
    available = {t.name for t in graph.available(case, roles)}
    for transition in graph.outgoing(stage):
        try:
            apply_transition(
                case,
                transition.name,
                {"id": "u", "roles": roles},
                _valid_data_for(transition),
                NOW,
                graph,
            )
        except TransitionNotAllowed:
            assert transition.name not in available
        else:
            assert transition.name in available
