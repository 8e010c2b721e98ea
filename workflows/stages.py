"""The case stage machine: check a transition and say what it changes.

Pure core: takes plain data (a case dict, the actor, the data the user gave,
`now`, a `StageGraph`) and returns plain data, so it tests alone in milliseconds.
It imports neither Flask, Celery, pymongo, mongomock nor wtforms. The repository
turns a `TransitionResult` into one `update_one` filtered on `_id`, the expected
stage and `version`, with `$set` of `changes`, `$push` of `event` and `$inc` of
`version`; a miss there is `StaleVersion`.

This module is the public face of the lifecycle: the graph model
(`workflows.stage_graph`) and its loader (`workflows.stage_config`) are re-exported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflows.errors import Refusal, StageGraphError, TransitionNotAllowed
from workflows.stage_config import load_all_stage_graphs, load_stage_graph
from workflows.stage_graph import (
    DATA_FIELDS,
    KNOWN_ROLES,
    OPTIONAL_NOTE,
    Requirement,
    Stage,
    StageGraph,
    Transition,
    guard_refusal,
    refusal,
)

__all__ = [
    "KNOWN_ROLES",
    "Refusal",
    "Requirement",
    "Stage",
    "StageGraph",
    "StageGraphError",
    "Transition",
    "TransitionNotAllowed",
    "TransitionResult",
    "apply_transition",
    "load_all_stage_graphs",
    "load_stage_graph",
]


@dataclass(frozen=True)
class TransitionResult:
    """What the repository writes: `$set` the changes, `$push` the event."""

    changes: dict[str, Any]
    event: dict[str, Any]

    @property
    def to_stage(self) -> str:
        return str(self.changes["stage"])


def apply_transition(  # noqa: PLR0913, PLR0917  (the signature every caller shares)
    case: Mapping[str, Any],
    name_or_to: str,
    actor: Mapping[str, Any],
    data: Mapping[str, Any] | None,
    now: datetime,
    graph: StageGraph,
) -> TransitionResult:
    """Check a transition against every rule and return what it changes.

    Checks run in a fixed order (stage, role, data, guards) so the refusal names the
    first rule broken. Nothing is written here: the case dict is left untouched.

    :param actor: `{"id": ..., "roles": [...]}`; the id is recorded in the event.
    :raise TransitionNotAllowed: with a `Refusal` reason code.
    """
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    actor_id = actor.get("id")
    if not isinstance(actor_id, str) or not actor_id:
        raise ValueError("actor must carry a non-empty string id")
    if isinstance(actor.get("roles"), str):
        raise ValueError("actor roles must be a collection of role names, not one string")
    roles = frozenset(actor.get("roles") or ())
    stage = case.get("stage")
    transition = graph.resolve(stage, name_or_to, roles)
    if not transition.allows(roles):
        raise refusal(
            Refusal.ROLE_NOT_ALLOWED,
            transition,
            stage,
            f"{transition.name} needs one of the roles {', '.join(sorted(transition.roles))}.",
        )
    values = _validated_data(transition, data or {}, case, stage)
    guard = guard_refusal(transition, case, graph)
    if guard is not None:
        raise refusal(guard[0], transition, stage, guard[1])
    return TransitionResult(
        changes=_changes(transition, values, now, graph),
        event=_event(transition, stage, actor_id, values, now),
    )


def _validated_data(
    transition: Transition, data: Mapping[str, Any], case: Mapping[str, Any], stage: str | None
) -> dict[str, str]:
    """Return the stripped, checked data values, refusing unexpected, missing or bad ones."""
    unexpected = tuple(
        sorted(str(k) for k in data if k != "note" and not transition.requirement(k))
    )
    if unexpected:
        raise refusal(
            Refusal.INVALID_DATA,
            transition,
            stage,
            f"{transition.name} does not take {', '.join(unexpected)}.",
            unexpected,
        )
    missing = tuple(r.field for r in transition.requires if _is_blank(data.get(r.field)))
    if missing:
        raise refusal(
            Refusal.MISSING_DATA,
            transition,
            stage,
            f"{transition.name} needs {', '.join(missing)}.",
            missing,
        )
    values: dict[str, str] = {}
    for name, value in data.items():
        if _is_blank(value):
            continue
        requirement = transition.requirement(name) or OPTIONAL_NOTE
        problem = requirement.problem_with(value)
        if problem is None and name == "duplicate_of" and value.strip() == case.get("reference"):
            problem = "A case cannot be a duplicate of itself."
        if problem is not None:
            raise refusal(Refusal.INVALID_DATA, transition, stage, problem, (name,))
        values[name] = value.strip()
    return values


def _changes(
    transition: Transition, values: Mapping[str, str], now: datetime, graph: StageGraph
) -> dict[str, Any]:
    changes: dict[str, Any] = {field_name: None for field_name in transition.clears}
    changes.update({k: v for k, v in values.items() if DATA_FIELDS[k][1]})
    changes.update(
        stage=transition.target,
        updated_at=now,
        deadlines=graph.deadlines_for(transition.target, now),
    )
    return changes


def _event(
    transition: Transition,
    stage: str | None,
    actor_id: str,
    values: Mapping[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The timeline entry; a reason doubles as the note so the timeline shows it."""
    event: dict[str, Any] = {
        "at": now,
        "actor": actor_id,
        "from": stage,
        "to": transition.target,
        "note": values.get("note") or values.get("reason") or "",
        "kind": "transition",
        "transition": transition.name,
    }
    recorded = {k: v for k, v in values.items() if k != "note"}
    if recorded:
        event["data"] = recorded
    return event


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
