"""The routing rules in force, read from the database and kept for a few seconds.

Every web process and worker holds one `RoutingProvider`. `current()` returns the
rules of the newest stored version, looking at the database at most once every
`refresh_seconds` (`MRVRS_ROUTING_REFRESH_SECONDS`, 1 to 60): a version saved on the
admin pages is in force everywhere within that time, with no restart. Until a first
version is stored, the seed file's rules are in force. When the database cannot be
asked, the rules already held stay in force and the next call asks again.

`uncovered_countries(definition)` is the one check of "no team covers this form's
country", used where a form version goes live.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from pymongo.errors import PyMongoError

from workflows.errors import RoutingRulesError
from workflows.routing import RoutingRules
from workflows.routing_store import RoutingStore, rules_of

log = logging.getLogger("mrvrs.routing")


class RoutingSource(Protocol):
    def current(self) -> RoutingRules: ...


class FixedRouting:
    """Rules that never change: for tests and tools that hold one configuration."""

    def __init__(self, rules: RoutingRules) -> None:
        self.rules = rules

    def current(self) -> RoutingRules:
        return self.rules


def as_source(rules: RoutingRules | RoutingSource) -> RoutingSource:
    return FixedRouting(rules) if isinstance(rules, RoutingRules) else rules


class RoutingProvider:
    """The current routing rules of one database, refreshed at most every N seconds."""

    def __init__(self, store: RoutingStore, seed: RoutingRules, refresh_seconds: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.seed = seed
        self.refresh_seconds = refresh_seconds
        self.monotonic = monotonic
        self._version = 0
        self._rules = seed
        self._checked: float | None = None
        self._lock = threading.Lock()

    @property
    def version(self) -> int:
        """The number of the version in force (0: the seed file, nothing stored yet)."""
        self.current()
        return self._version

    def current(self) -> RoutingRules:
        now = self.monotonic()
        if self._checked is not None and now - self._checked < self.refresh_seconds:
            return self._rules
        with self._lock:
            if self._checked is None or now - self._checked >= self.refresh_seconds:
                self._refresh()
                self._checked = now
        return self._rules

    def invalidate(self) -> None:
        """Ask the database on the next call (after a save in this process)."""
        self._checked = None

    def fresh(self) -> RoutingRules:
        """The rules of the newest version, asking the database now."""
        self.invalidate()
        return self.current()

    def uncovered_countries(self, definition: Any) -> list[str]:
        """The country of a form `definition` when no team covers it and no administrator
        accepted the fallback team for it ([] for a form without a country)."""
        country = getattr(definition, "country", None)
        return self.fresh().uncovered([country]) if country else []

    def _refresh(self) -> None:
        try:
            number = self.store.latest_number()
            if number == self._version:
                return
            doc = self.store.get(number) if number else None
        except PyMongoError as exc:
            log.warning("routing rules not refreshed (%s); version %s stays in force",
                        type(exc).__name__, self._version)
            return
        try:
            self._rules = rules_of(doc) if doc else self.seed
        except RoutingRulesError as exc:  # stored under older vocabulary: keep what works
            log.error("routing version %s cannot be used; version %s stays in force: %s",
                      number, self._version, exc)
            return
        self._version = number
        log.info("routing version %s is in force", number)
