"""Domain errors of the case lifecycle, with no HTTP knowledge.

The cores raise these; the web layer maps them to pages and status codes in one
table, and tasks decide whether to retry. Each error carries structured fields
(a reason code, the problems found) so callers never parse messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class WorkflowError(Exception):
    """Base of every error the case lifecycle raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a configuration file, located by key path.

    `code` is stable for tests and translations; `message` is a full sentence for
    the person editing the file.
    """

    code: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class Problems(list[Problem]):
    """The problems found so far while loading one configuration.

    Loaders append to one of these and raise once at the end, instead of stopping
    at the first mistake.
    """

    def add(self, code: str, path: str, message: str) -> None:
        self.append(Problem(code, path, message))

    def unknown_keys(self, spec: Mapping[Any, Any], allowed: Iterable[str], path: str) -> None:
        """Report keys of `spec` not in `allowed`: usually a misspelling in the file."""
        allowed = sorted(allowed)
        for key in spec:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.add(
                    "unknown_key", where, f"Unknown key {key!r}; expected {', '.join(allowed)}."
                )


class ConfigError(WorkflowError):
    """A configuration mapping that cannot be used, with every problem found in it.

    All problems are reported at once so one edit-and-reload fixes them all.
    """

    kind = "configuration"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(f"The {self.kind} has {len(self.problems)} problem(s):\n{lines}")

    @property
    def codes(self) -> list[str]:
        """The problem codes, in the order found (handy in tests and logs)."""
        return [problem.code for problem in self.problems]


class StageGraphError(ConfigError):
    """The stage graph configuration is not a usable lifecycle."""

    kind = "stage graph"


class RoutingRulesError(ConfigError):
    """The routing rules configuration is not usable."""

    kind = "routing rules"


class Refusal(StrEnum):
    """Why a transition was refused; the web layer words and translates these."""

    UNKNOWN_TRANSITION = "unknown_transition"
    NOT_FROM_THIS_STAGE = "not_from_this_stage"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    MISSING_DATA = "missing_data"
    INVALID_DATA = "invalid_data"
    OPEN_FOLLOW_UPS = "open_follow_ups"


class TransitionNotAllowed(WorkflowError):
    """A requested transition breaks a rule of the stage graph.

    Raised before anything is written, so the case is unchanged. `fields` names the
    data fields at fault for `missing_data` and `invalid_data`.
    """

    def __init__(
        self,
        reason: Refusal,
        message: str,
        *,
        transition: str | None = None,
        stage: str | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.transition = transition
        self.stage = stage
        self.fields = fields


class StaleVersion(WorkflowError):
    """A guarded update matched no case: someone else changed it first.

    The repository raises this when the case is no longer at the expected stage and
    version; the user sees a conflict and reloads, a task treats it as done or retries.
    """

    def __init__(self, case_id: str, expected_stage: str | None, expected_version: int) -> None:
        super().__init__(
            f"Case {case_id} was changed by someone else "
            f"(expected stage {expected_stage}, version {expected_version})."
        )
        self.case_id = case_id
        self.expected_stage = expected_stage
        self.expected_version = expected_version


class AlreadyFiled(WorkflowError):
    """A case was already filed from this questionnaire page (same one-time token).

    Raised by the insert that lost to another send of the same page; nothing of the
    losing send is kept, and the caller shows the receipt of the case that won
    (`workflows.resubmission.reissue`).
    """

    def __init__(self, submission_hash: str) -> None:
        super().__init__("a case was already filed from this questionnaire page")
        self.submission_hash = submission_hash
