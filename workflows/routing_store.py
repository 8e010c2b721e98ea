"""Routing as numbered versions in the `routing_versions` collection.

Each version holds the whole configuration (teams with their countries, the fallback
team, the priority rules, the duplicate window and the countries accepted for the
fallback team) as the mapping `load_routing_rules` reads, with who saved it, when,
why, and what changed from the version before. A version is never changed.

A new version is checked by `load_routing_rules` (every problem at once) before it is
written, and written with `insert_one` under the next number as `_id`: of two
administrators saving on the same version at once, the server lets exactly one insert
through and the other gets `RoutingConflict` with nothing written. The seed file
(`config/routing.yaml`) becomes version 1 of an empty collection (`seed`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from workflows.routing import RoutingRules, load_routing_rules
from workflows.routing_changes import describe_changes

MAX_NOTE = 500
#: `note_code` of the version the seed file became: the pages say it in the reader's
#: language, so no English sentence is stored for it.
SEED_IMPORT = "seed_import"


class RoutingConflict(RuntimeError):
    """Someone saved a newer version since `expected` was read; nothing was written."""

    def __init__(self, expected: int, current: int) -> None:
        self.expected, self.current = expected, current
        super().__init__(f"routing version {expected} is no longer the current one "
                         f"(now {current}); nothing was saved")


class RoutingStore:
    """The only code that touches `routing_versions`."""

    def __init__(self, db: Database,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.versions = db.routing_versions
        self.clock = clock

    def ensure_indexes(self) -> None:
        """`_id` (the version number) is the only key read; it is indexed and unique."""

    def latest_number(self) -> int:
        """The current version's number, 0 when none was saved yet."""
        doc = self.versions.find_one({}, {"_id": 1}, sort=[("_id", DESCENDING)])
        return int(doc["_id"]) if doc else 0

    def latest(self) -> dict[str, Any] | None:
        return self.versions.find_one({}, sort=[("_id", DESCENDING)])

    def get(self, version: int) -> dict[str, Any] | None:
        return self.versions.find_one({"_id": int(version)})

    def history(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest versions first, without their configuration."""
        return list(self.versions.find({}, {"config": 0}).sort("_id", DESCENDING).limit(limit))

    def save(self, mapping: Mapping[str, Any], *, expected: int, actor: str,
             note: str = "", note_code: str | None = None) -> dict[str, Any]:
        """Check `mapping` and store it as version `expected + 1`. `note` is what a person
        typed; `note_code` names a reason the system gives (`SEED_IMPORT`).

        :raise RoutingRulesError: listing every problem; nothing was written.
        :raise RoutingConflict: another version was saved since `expected`.
        """
        load_routing_rules(mapping)
        current = self.latest()
        number = current["_id"] if current else 0
        if number != expected:
            raise RoutingConflict(expected, number)
        before = current["config"] if current else {}
        doc = {"_id": expected + 1, "config": copy.deepcopy(dict(mapping)), "by": str(actor),
               "at": self.clock(), "note": (note or "").strip()[:MAX_NOTE],
               "changes": describe_changes(before, mapping) if current else []}
        if note_code:
            doc["note_code"] = note_code
        try:
            self.versions.insert_one(doc)
        except DuplicateKeyError:
            raise RoutingConflict(expected, self.latest_number()) from None
        return doc

    def seed(self, mapping: Mapping[str, Any], actor: str = "system") -> dict[str, Any] | None:
        """Import the seed file as version 1 when no version exists; None when one did."""
        if self.latest_number():
            return None
        try:
            return self.save(mapping, expected=0, actor=actor, note_code=SEED_IMPORT)
        except RoutingConflict:
            return None  # another process seeded it first


def rules_of(doc: Mapping[str, Any]) -> RoutingRules:
    """The checked rules of a stored version."""
    return load_routing_rules(doc["config"])
