"""The stage graph model: stages, transitions, their data requirements and guards.

Pure core, like `workflows.stages` (which re-exports everything public here): no
Flask, Celery, pymongo, mongomock or wtforms. Graphs are built and checked by
`workflows.stage_config`; a graph built by hand skips those checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workflows.errors import Refusal, TransitionNotAllowed

#: Every role that may appear in a transition; `system` is the routing task.
KNOWN_ROLES = frozenset(
    {"system", "reporter", "member", "form_editor", "reviewer", "coordinator", "mission", "admin"}
)

#: Data a transition may require: the kinds each field accepts, and whether the value
#: is written to the case (`outcome`, `duplicate_of`) or only recorded in the event.
DATA_FIELDS: Mapping[str, tuple[frozenset[str], bool]] = {
    "note": (frozenset({"text"}), False),
    "reason": (frozenset({"text"}), False),
    "duplicate_of": (frozenset({"reference"}), True),
    "outcome": (frozenset({"one_of"}), True),
}

#: Case fields a transition may reset to null (e.g. reopening drops the outcome).
CLEARABLE_FIELDS = frozenset({"outcome", "duplicate_of"})

REFERENCE_PATTERN = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")
MAX_TEXT_LENGTH = 10_000


@dataclass(frozen=True)
class Requirement:
    """A piece of data a transition needs: a text, a case reference, or one of a list."""

    field: str
    kind: str
    choices: tuple[str, ...] = ()

    def problem_with(self, value: Any) -> str | None:
        """Say what is wrong with a non-blank `value`, or None when it is acceptable."""
        if not isinstance(value, str):
            return f"{self.field} must be text."
        if self.kind == "text" and len(value) > MAX_TEXT_LENGTH:
            return f"{self.field} is longer than {MAX_TEXT_LENGTH} characters."
        if self.kind == "reference" and not REFERENCE_PATTERN.match(value.strip()):
            return f"{self.field} must be a case reference such as MY-2026-000042."
        if self.kind == "one_of" and value.strip() not in self.choices:
            return f"{self.field} must be one of {', '.join(self.choices)}."
        return None


#: The optional note any transition accepts.
OPTIONAL_NOTE = Requirement("note", "text")


@dataclass(frozen=True)
class Transition:
    """One allowed move: from some stages to one stage, for some roles, given some data."""

    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    requires: tuple[Requirement, ...] = ()
    guards: tuple[str, ...] = ()
    clears: tuple[str, ...] = ()

    def allows(self, roles: Iterable[str]) -> bool:
        """Tell whether a holder of `roles` may take this transition."""
        return not self.roles.isdisjoint(roles)

    def requirement(self, name: str) -> Requirement | None:
        """Return the requirement for data field `name`, if this transition has one."""
        return next((r for r in self.requires if r.field == name), None)


@dataclass(frozen=True)
class Stage:
    """A stage of the lifecycle; entering it starts its deadlines (name -> days)."""

    name: str
    terminal: bool = False
    deadlines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StageGraph:
    """A validated lifecycle; build it with `load_stage_graph`, never by hand."""

    initial: str
    stages: Mapping[str, Stage]
    transitions: Mapping[str, Transition]
    finished_statuses: frozenset[str]
    country: str | None = None

    @property
    def terminal_stages(self) -> frozenset[str]:
        return frozenset(name for name, stage in self.stages.items() if stage.terminal)

    def outgoing(self, stage: str | None) -> list[Transition]:
        """Transitions that start from `stage`, in configuration order."""
        if not isinstance(stage, str):
            return []
        return [t for t in self.transitions.values() if stage in t.sources]

    def available(self, case: Mapping[str, Any], roles: Iterable[str]) -> list[Transition]:
        """Transitions a holder of `roles` may take on `case` now.

        Guards on the case (open follow-ups) are applied; required data is not, since
        the user supplies it when taking the transition.
        """
        roles = frozenset(roles)
        return [
            t
            for t in self.outgoing(case.get("stage"))
            if t.allows(roles) and guard_refusal(t, case, self) is None
        ]

    def resolve(self, stage: str | None, name_or_to: str, roles: Iterable[str] = ()) -> Transition:
        """Find the transition named `name_or_to`, or the one from `stage` to that stage.

        When several lead to the same stage, the first `roles` may take wins, so a
        refusal names the rule that really applies.
        """
        named = self.transitions.get(name_or_to)
        if named is not None:
            if not isinstance(stage, str) or stage not in named.sources:
                raise refusal(
                    Refusal.NOT_FROM_THIS_STAGE,
                    named,
                    stage,
                    f"{named.name} cannot be taken from stage {stage}.",
                )
            return named
        if name_or_to not in self.stages:
            raise TransitionNotAllowed(
                Refusal.UNKNOWN_TRANSITION,
                f"{name_or_to} is neither a transition nor a stage.",
                transition=name_or_to,
                stage=stage,
            )
        candidates = [t for t in self.outgoing(stage) if t.target == name_or_to]
        if not candidates:
            raise TransitionNotAllowed(
                Refusal.NOT_FROM_THIS_STAGE,
                f"No transition leads from stage {stage} to {name_or_to}.",
                stage=stage,
            )
        roles = frozenset(roles)
        return next((t for t in candidates if t.allows(roles)), candidates[0])

    def deadlines_for(self, stage: str, now: datetime) -> dict[str, datetime]:
        """The deadlines a case gets on entering `stage` at `now`."""
        return {
            name: now + timedelta(days=days) for name, days in self.stages[stage].deadlines.items()
        }


def _open_follow_ups(case: Mapping[str, Any], graph: StageGraph) -> str | None:
    """Refuse while any follow-up action is neither finished nor cancelled."""
    follow_ups = case.get("follow_ups") or []
    still_open = [
        f
        for f in follow_ups
        if not (isinstance(f, Mapping) and f.get("status") in graph.finished_statuses)
    ]
    if not still_open:
        return None
    return f"{len(still_open)} follow-up action(s) are still open: finish or cancel them first."


#: Named checks on the case a transition can list under `guards`.
GUARDS: Mapping[str, tuple[Refusal, Callable[[Mapping[str, Any], StageGraph], str | None]]] = {
    "follow_ups_finished": (Refusal.OPEN_FOLLOW_UPS, _open_follow_ups),
}


def guard_refusal(
    transition: Transition, case: Mapping[str, Any], graph: StageGraph
) -> tuple[Refusal, str] | None:
    """Return the first guard of `transition` that `case` fails, as (reason, message)."""
    for name in transition.guards:
        reason, check = GUARDS[name]
        message = check(case, graph)
        if message is not None:
            return reason, message
    return None


def refusal(
    reason: Refusal,
    transition: Transition,
    stage: str | None,
    message: str,
    fields: tuple[str, ...] = (),
) -> TransitionNotAllowed:
    """Build the error for `transition` refused at `stage`."""
    return TransitionNotAllowed(
        reason, message, transition=transition.name, stage=stage, fields=fields
    )
