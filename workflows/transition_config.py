"""Read the `transitions` list of the stage configuration into `Transition`s.

Part of the stage graph loader (`workflows.stage_config`): each entry is checked on
its own (names, stages, roles, data requirements, guards, cleared fields) and every
problem is added to the shared `Problems`; the graph's overall shape is checked
afterwards by the loader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from workflows.errors import Problems
from workflows.stage_graph import (
    CLEARABLE_FIELDS,
    DATA_FIELDS,
    GUARDS,
    KNOWN_ROLES,
    Requirement,
    Stage,
    Transition,
)

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
TRANSITION_KEYS = frozenset({"name", "from", "to", "roles", "requires", "guards", "clears"})


def parse_transitions(
    raw: Any, stages: Mapping[str, Stage], where: str, problems: Problems
) -> dict[str, Transition]:
    if not isinstance(raw, list) or not raw:
        problems.add(
            "wrong_type", f"{where}transitions", "transitions must be a list of transitions."
        )
        return {}
    transitions: dict[str, Transition] = {}
    for index, spec in enumerate(raw):
        name = spec.get("name") if isinstance(spec, Mapping) else None
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            problems.add(
                "bad_name",
                f"{where}transitions[{index}]",
                "Each transition needs a name (lower case, digits, _).",
            )
            continue
        path = f"{where}transitions.{name}"
        if name in transitions:
            problems.add(
                "duplicate_transition",
                path,
                f"Two transitions are named {name}; names must be unique.",
            )
            continue
        if name in stages:
            problems.add(
                "bad_name",
                path,
                f"Transition {name} has the name of a stage, so asking for it is ambiguous.",
            )
        transition = _parse_transition(name, spec, stages, path, problems)
        if transition is not None:
            transitions[name] = transition
    return transitions


def _parse_transition(
    name: str, spec: Mapping[str, Any], stages: Mapping[str, Stage], path: str, problems: Problems
) -> Transition | None:
    start = len(problems)
    problems.unknown_keys(spec, TRANSITION_KEYS, path)
    sources = _names(spec.get("from"), f"{path}.from", problems)
    for stage in sources:
        if stage not in stages:
            problems.add(
                "unknown_stage",
                f"{path}.from",
                f"Transition {name} starts from unknown stage {stage}.",
            )
    target = spec.get("to")
    if not isinstance(target, str) or target not in stages:
        problems.add(
            "unknown_stage", f"{path}.to", f"Transition {name} leads to unknown stage {target!r}."
        )
    roles = _names(spec.get("roles"), f"{path}.roles", problems)
    for role in roles:
        if role not in KNOWN_ROLES:
            problems.add(
                "unknown_role",
                f"{path}.roles",
                f"{role} is not a role; roles are {', '.join(sorted(KNOWN_ROLES))}.",
            )
    requires = _parse_requires(spec.get("requires"), f"{path}.requires", problems)
    guards = _names(spec.get("guards"), f"{path}.guards", problems, required=False)
    for guard in guards:
        if guard not in GUARDS:
            problems.add(
                "unknown_guard",
                f"{path}.guards",
                f"{guard} is not a known check; checks are {', '.join(sorted(GUARDS))}.",
            )
    clears = _names(spec.get("clears"), f"{path}.clears", problems, required=False)
    for field in clears:
        if field not in CLEARABLE_FIELDS:
            problems.add(
                "bad_clear",
                f"{path}.clears",
                f"{field} cannot be cleared; only {', '.join(sorted(CLEARABLE_FIELDS))} can.",
            )
    if len(problems) > start:
        return None
    return Transition(
        name, frozenset(sources), str(target), frozenset(roles), requires, guards, clears
    )


def _parse_requires(raw: Any, path: str, problems: Problems) -> tuple[Requirement, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        problems.add(
            "bad_requirement",
            path,
            "requires must map data fields to a kind: text, reference or {one_of: [...]}.",
        )
        return ()
    requirements = []
    for field, spec in raw.items():
        if field not in DATA_FIELDS:
            problems.add(
                "bad_requirement",
                f"{path}.{field}",
                f"{field!r} is not data a transition can require; use {', '.join(DATA_FIELDS)}.",
            )
            continue
        requirement = _requirement(field, spec)
        kinds = DATA_FIELDS[field][0]
        if requirement is None or requirement.kind not in kinds:
            problems.add("bad_requirement", f"{path}.{field}", _kind_hint(field, kinds))
            continue
        requirements.append(requirement)
    return tuple(requirements)


def _requirement(field: str, spec: Any) -> Requirement | None:
    """Read `text`, `reference` or `{one_of: [...]}`; None when it is none of them."""
    if spec in ("text", "reference"):
        return Requirement(field, spec)
    if not isinstance(spec, Mapping) or set(spec) != {"one_of"}:
        return None
    choices = spec["one_of"]
    if (
        not isinstance(choices, list)
        or not choices
        or len(set(map(str, choices))) != len(choices)
        or not all(isinstance(c, str) and IDENTIFIER.match(c) for c in choices)
    ):
        return None
    return Requirement(field, "one_of", tuple(choices))


def _kind_hint(field: str, kinds: Iterable[str]) -> str:
    shapes = {
        "text": "text",
        "reference": "reference",
        "one_of": "{one_of: [...]} with a list of distinct names",
    }
    return f"{field} must be required as {' or '.join(shapes[k] for k in sorted(kinds))}."


def _names(value: Any, path: str, problems: Problems, *, required: bool = True) -> tuple[str, ...]:
    """Read one name or a list of names, keeping the first of any repeats."""
    if value is None and not required:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        problems.add(
            "wrong_type", path, f"{path.rsplit('.', 1)[-1]} must be a name or a list of names."
        )
        return ()
    return tuple(dict.fromkeys(names))
