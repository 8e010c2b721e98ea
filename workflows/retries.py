"""How a task reacts to a failure: done, retry later, or give up and say so.

Plain data, so the policy is tested without a broker: tasks call `attempt` and turn
its answer into Celery's `retry` or a failure record. Only transient failures (the
database or the mail server briefly away) are retried, with exponential back-off up
to a cap; a `StaleVersion` means someone changed the case first, which for an
idempotent task is the same as done. Anything else is a bug and is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflows.errors import StaleVersion


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    base_seconds: float
    cap_seconds: float = 600.0

    def countdown(self, retries: int) -> float:
        """Seconds before retry number `retries + 1`: base, 2x base, 4x base... capped."""
        return float(min(self.cap_seconds, self.base_seconds * 2 ** retries))


@dataclass(frozen=True)
class Done:
    value: Any


@dataclass(frozen=True)
class Retry:
    countdown: float
    error: BaseException


@dataclass(frozen=True)
class GiveUp:
    error: BaseException


def attempt(call: Callable[[], Any], retries: int, policy: RetryPolicy,
            transient: tuple[type[BaseException], ...]) -> Done | Retry | GiveUp:
    """Run `call` once (this is try number `retries + 1`) and say what to do next."""
    try:
        return Done(call())
    except StaleVersion:
        return Done(None)
    except transient as exc:
        if retries >= policy.max_retries:
            return GiveUp(exc)
        return Retry(policy.countdown(retries), exc)
