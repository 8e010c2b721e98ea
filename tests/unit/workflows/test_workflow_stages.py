"""The stage machine on the shipped lifecycle: one table row per transition and role."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from workflow_factories import NOW, actor, make_case, shipped_stage_mapping

from workflows.errors import Refusal, TransitionNotAllowed
from workflows.stages import KNOWN_ROLES, StageGraph, apply_transition, load_stage_graph

REVIEWERS = {"reviewer", "coordinator"}

#: The lifecycle as DESIGN.md states it: transition -> (from stages, to, roles, valid data).
EXPECTED = {
    "route": (("submitted",), "in_review", {"system"}, {}),
    "request_info": (("in_review",), "needs_info", REVIEWERS, {"note": "Which employer?"}),
    "provide_info": (
        ("needs_info",),
        "in_review",
        {"member", "reporter", *REVIEWERS},
        {"note": "Agency X"},
    ),
    "verify": (("in_review",), "verified", REVIEWERS, {}),
    "reject": (("in_review",), "rejected", REVIEWERS, {"reason": "Not a migrant worker"}),
    "mark_duplicate": (("in_review",), "duplicate", REVIEWERS, {"duplicate_of": "MY-2026-000001"}),
    "start_follow_up": (("verified",), "follow_up", REVIEWERS, {}),
    "close": (("follow_up",), "closed", REVIEWERS, {"outcome": "resolved"}),
    "reopen": (
        ("closed", "rejected", "duplicate"),
        "in_review",
        {"coordinator"},
        {"note": "New facts"},
    ),
}

CASES_BY_ROW = [
    (name, source, role)
    for name, (sources, _, _, _) in EXPECTED.items()
    for source in sources
    for role in sorted(KNOWN_ROLES)
]


@pytest.fixture(scope="module")
def graph() -> StageGraph:
    return load_stage_graph(shipped_stage_mapping())


def test_shipped_graph__has_exactly_the_designed_transitions(graph: StageGraph) -> None:
    assert set(graph.transitions) == set(EXPECTED)
    for name, (sources, target, roles, _) in EXPECTED.items():
        transition = graph.transitions[name]
        assert (transition.sources, transition.target, transition.roles) == (
            frozenset(sources),
            target,
            frozenset(roles),
        )
    assert graph.initial == "submitted"
    assert graph.terminal_stages == {"closed", "rejected", "duplicate"}


@pytest.mark.parametrize(("name", "source", "role"), CASES_BY_ROW)
def test_transition__each_role__allowed_only_for_listed_roles(
    graph: StageGraph, name: str, source: str, role: str
) -> None:
    _, target, roles, data = EXPECTED[name]
    case = make_case(stage=source, outcome="resolved" if source == "closed" else None)
    if role not in roles:
        with pytest.raises(TransitionNotAllowed) as refused:
            apply_transition(case, name, actor(role), data, NOW, graph)
        assert refused.value.reason is Refusal.ROLE_NOT_ALLOWED
        return
    result = apply_transition(case, name, actor(role, actor_id="u_9"), data, NOW, graph)
    assert result.changes["stage"] == target == result.to_stage
    assert result.changes["updated_at"] == NOW
    assert result.event["from"] == source
    assert result.event["to"] == target
    assert result.event["transition"] == name
    assert result.event["kind"] == "transition"
    assert result.event["actor"] == "u_9"
    assert result.event["at"] == NOW


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_transition__from_every_other_stage__refused_not_from_this_stage(
    graph: StageGraph, name: str
) -> None:
    sources, _, roles, data = EXPECTED[name]
    for stage in set(graph.stages) - set(sources):
        with pytest.raises(TransitionNotAllowed) as refused:
            apply_transition(make_case(stage=stage), name, actor(*roles), data, NOW, graph)
        assert refused.value.reason is Refusal.NOT_FROM_THIS_STAGE
        assert refused.value.stage == stage


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("request_info", "note"),
        ("provide_info", "note"),
        ("reject", "reason"),
        ("mark_duplicate", "duplicate_of"),
        ("close", "outcome"),
        ("reopen", "note"),
    ],
)
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_transition__required_data_blank__refused_missing_data(
    graph: StageGraph, name: str, field: str, blank: str | None
) -> None:
    sources, _, roles, data = EXPECTED[name]
    with pytest.raises(TransitionNotAllowed) as refused:
        apply_transition(
            make_case(stage=sources[0]), name, actor(*roles), {**data, field: blank}, NOW, graph
        )
    assert refused.value.reason is Refusal.MISSING_DATA
    assert refused.value.fields == (field,)


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("close", {"outcome": "solved"}, "outcome"),
        ("close", {"outcome": 3}, "outcome"),
        ("mark_duplicate", {"duplicate_of": "case 1"}, "duplicate_of"),
        ("mark_duplicate", {"duplicate_of": "MY-2026-000042"}, "duplicate_of"),  # itself
        ("request_info", {"note": "x" * 10_001}, "note"),
        ("verify", {"note": ["not", "text"]}, "note"),
        ("verify", {"outcome": "resolved"}, "outcome"),  # data verify does not take
        ("reject", {"reason": "No", "duplicate_of": "MY-2026-000001"}, "duplicate_of"),
    ],
)
def test_transition__bad_data__refused_invalid_data(
    graph: StageGraph, name: str, data: dict[str, object], field: str
) -> None:
    sources, _, roles, _ = EXPECTED[name]
    with pytest.raises(TransitionNotAllowed) as refused:
        apply_transition(make_case(stage=sources[0]), name, actor(*roles), data, NOW, graph)
    assert refused.value.reason is Refusal.INVALID_DATA
    assert refused.value.fields == (field,)


@pytest.mark.parametrize(
    ("statuses", "allowed"),
    [
        ([], True),
        (["done", "cancelled"], True),
        (["done", "in_progress"], False),
        (["requested"], False),
        ([None], False),
    ],
)
def test_close__follow_ups__must_all_be_finished_or_cancelled(
    graph: StageGraph, statuses: list[str | None], allowed: bool
) -> None:
    case = make_case(stage="follow_up", follow_ups=[{"status": s} for s in statuses])
    reviewer = actor("reviewer")
    if allowed:
        result = apply_transition(case, "close", reviewer, {"outcome": "referred"}, NOW, graph)
        assert result.changes["outcome"] == "referred"
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            apply_transition(case, "close", reviewer, {"outcome": "referred"}, NOW, graph)
        assert refused.value.reason is Refusal.OPEN_FOLLOW_UPS
    assert ("close" in [t.name for t in graph.available(case, {"reviewer"})]) is allowed


def test_refusals__checked_in_order_stage_role_data_guard(graph: StageGraph) -> None:
    case = make_case(stage="follow_up", follow_ups=[{"status": "in_progress"}])
    attempts = [
        (make_case(stage="in_review"), actor("member"), {}, Refusal.NOT_FROM_THIS_STAGE),
        (case, actor("member"), {}, Refusal.ROLE_NOT_ALLOWED),
        (case, actor("reviewer"), {}, Refusal.MISSING_DATA),
        (case, actor("reviewer"), {"outcome": "resolved"}, Refusal.OPEN_FOLLOW_UPS),
    ]
    for attempt_case, who, data, reason in attempts:
        with pytest.raises(TransitionNotAllowed) as refused:
            apply_transition(attempt_case, "close", who, data, NOW, graph)
        assert refused.value.reason is reason


def test_request__by_target_stage__finds_the_transition(graph: StageGraph) -> None:
    result = apply_transition(
        make_case(stage="in_review"), "verified", actor("reviewer"), {}, NOW, graph
    )
    assert result.event["transition"] == "verify"


def test_request__target_stage_not_reachable_from_here__refused(graph: StageGraph) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        apply_transition(
            make_case(stage="in_review"), "closed", actor("coordinator"), {}, NOW, graph
        )
    assert refused.value.reason is Refusal.NOT_FROM_THIS_STAGE


def test_request__unknown_name__refused_unknown_transition(graph: StageGraph) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        apply_transition(
            make_case(stage="in_review"), "approve", actor("coordinator"), {}, NOW, graph
        )
    assert refused.value.reason is Refusal.UNKNOWN_TRANSITION


def test_route__enters_review__with_review_deadlines(graph: StageGraph) -> None:
    result = apply_transition(
        make_case(), "route", actor("system", actor_id="system"), {}, NOW, graph
    )
    assert result.changes == {
        "stage": "in_review",
        "updated_at": NOW,
        "deadlines": {"review": NOW + timedelta(days=14), "escalate": NOW + timedelta(days=21)},
    }
    assert result.event == {
        "at": NOW,
        "actor": "system",
        "from": "submitted",
        "to": "in_review",
        "note": "",
        "kind": "transition",
        "transition": "route",
    }


def test_close__sets_outcome__and_drops_deadlines(graph: StageGraph) -> None:
    case = make_case(stage="follow_up", deadlines={"follow_up": NOW})
    result = apply_transition(
        case,
        "close",
        actor("reviewer"),
        {"outcome": " withdrawn ", "note": "Worker went home"},
        NOW,
        graph,
    )
    assert result.changes["outcome"] == "withdrawn"
    assert result.changes["deadlines"] == {}
    assert result.event["note"] == "Worker went home"
    assert result.event["data"] == {"outcome": "withdrawn"}


def test_reject__records_reason_as_the_note(graph: StageGraph) -> None:
    result = apply_transition(
        make_case(stage="in_review"),
        "reject",
        actor("reviewer"),
        {"reason": "Outside the network's mandate"},
        NOW,
        graph,
    )
    assert result.event["note"] == "Outside the network's mandate"
    assert result.event["data"] == {"reason": "Outside the network's mandate"}
    assert "reason" not in result.changes


def test_mark_duplicate__sets_duplicate_of(graph: StageGraph) -> None:
    result = apply_transition(
        make_case(stage="in_review"),
        "mark_duplicate",
        actor("coordinator"),
        {"duplicate_of": "MY-2026-000007"},
        NOW,
        graph,
    )
    assert result.changes["duplicate_of"] == "MY-2026-000007"


@pytest.mark.parametrize("stage", ["closed", "rejected", "duplicate"])
def test_reopen__from_any_end__clears_outcome_and_duplicate_of(
    graph: StageGraph, stage: str
) -> None:
    case = make_case(stage=stage, outcome="resolved", duplicate_of="MY-2026-000001")
    result = apply_transition(
        case, "reopen", actor("coordinator"), {"note": "New facts"}, NOW, graph
    )
    assert result.changes["outcome"] is None
    assert result.changes["duplicate_of"] is None
    assert result.changes["stage"] == "in_review"
    assert result.event["note"] == "New facts"


def test_optional_note__on_any_transition__goes_to_the_event(graph: StageGraph) -> None:
    result = apply_transition(
        make_case(stage="in_review"),
        "verify",
        actor("reviewer"),
        {"note": "  Confirmed with shelter  "},
        NOW,
        graph,
    )
    assert result.event["note"] == "Confirmed with shelter"
    assert "data" not in result.event


def test_apply__leaves_the_case_untouched(graph: StageGraph) -> None:
    case = make_case(stage="follow_up", follow_ups=[{"status": "done"}])
    before = copy.deepcopy(case)
    apply_transition(case, "close", actor("reviewer"), {"outcome": "resolved"}, NOW, graph)
    assert case == before


def test_apply__naive_now_or_bad_actor__is_a_programming_error(graph: StageGraph) -> None:
    with pytest.raises(ValueError, match="timezone"):
        apply_transition(make_case(), "route", actor("system"), {}, NOW.replace(tzinfo=None), graph)
    with pytest.raises(ValueError, match="id"):
        apply_transition(make_case(), "route", {"roles": ["system"]}, {}, NOW, graph)
    with pytest.raises(ValueError, match="roles"):
        apply_transition(make_case(), "route", {"id": "u", "roles": "system"}, {}, NOW, graph)


@pytest.mark.parametrize(
    ("stage", "roles", "expected"),
    [
        ("submitted", {"system"}, ["route"]),
        ("submitted", {"coordinator"}, []),
        ("in_review", {"reviewer"}, ["request_info", "verify", "reject", "mark_duplicate"]),
        ("in_review", {"member"}, []),
        ("needs_info", {"reporter"}, ["provide_info"]),
        ("verified", {"coordinator"}, ["start_follow_up"]),
        ("follow_up", {"reviewer"}, ["close"]),
        ("closed", {"reviewer"}, []),
        ("closed", {"coordinator"}, ["reopen"]),
        ("duplicate", {"coordinator", "reviewer"}, ["reopen"]),
    ],
)
def test_available__lists_what_the_roles_may_take_now(
    graph: StageGraph, stage: str, roles: set[str], expected: list[str]
) -> None:
    assert [t.name for t in graph.available(make_case(stage=stage), roles)] == expected


def test_country_graph__saudi_arabia__reviews_sooner() -> None:
    graph = load_stage_graph(shipped_stage_mapping(), country="SA")
    result = apply_transition(make_case(country="SA"), "route", actor("system"), {}, NOW, graph)
    assert result.changes["deadlines"]["review"] == NOW + timedelta(days=5)
    assert graph.country == "SA"
