"""The `entities` collection: the registry's recruiters, employers and other actors.

The only code that touches it. Licences are looked up by `licence_keys` (one
`AUTHORITY:NUMBER` string per licence, see `workflows.registry.licences`), which a
unique index keeps to one entity per licence on a real server. (A unique index over
`licences.authority` and `licences.number` would pair every authority of an entity
with every number of it, so two agencies could clash over a pair neither holds.)

`apply` writes an import plan. An entity is created with `insert_one`; an update is
guarded by the `revision` the plan was made from, so a plan made before someone else
changed the entity writes nothing to it and reports the conflict instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from workflows.registry.licences import licence_key
from workflows.registry.plan import EntityUpdate, ImportPlan


@dataclass
class ApplyResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    status_changes: int = 0
    conflicts: list[int] = field(default_factory=list)  # rows of the list not written


class EntityStore:
    def __init__(self, db: Database,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.collection = db.entities
        self.clock = clock

    def ensure_indexes(self) -> None:
        """One entity per licence; entities listed by country and name."""
        self.collection.create_index(
            [("licence_keys", ASCENDING)], unique=True, name="licence_keys_unique",
            partialFilterExpression={"licence_keys": {"$exists": True}})
        self.collection.create_index([("country", ASCENDING), ("name", ASCENDING)],
                                     name="country_name")

    def get(self, entity_id: str) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": str(entity_id)})

    def find_by_licence(self, authority: str, number: str) -> dict[str, Any] | None:
        return self.collection.find_one({"licence_keys": licence_key(authority, number)})

    def holding_licences(self, authority: str, numbers: Iterable[str]) -> list[dict[str, Any]]:
        """The entities holding any of `numbers` from `authority`: what an import of a
        list with these numbers needs to plan."""
        keys = sorted({licence_key(authority, number) for number in numbers})
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), 1000):  # keeps each query well under 16 MB
            found.extend(self.collection.find({"licence_keys": {"$in": keys[start:start + 1000]}}))
        return found

    def by_country(self, country: str, limit: int = 200, skip: int = 0) -> list[dict[str, Any]]:
        return list(self.collection.find({"country": country.upper()})
                    .sort([("name", ASCENDING), ("_id", ASCENDING)]).skip(skip).limit(limit))

    def apply(self, plan: ImportPlan) -> ApplyResult:
        result = ApplyResult()
        for entity in plan.creates:
            if self._create(entity):
                result.created.append(entity["_id"])
            else:
                result.conflicts.append(entity["statuses"][0]["source"]["row"])
        for update in plan.updates:
            if self._update(update, plan.authority):
                result.updated.append(update.entity_id)
                result.status_changes += update.status is not None
            else:
                result.conflicts.append(update.row)
        return result

    def _create(self, entity: dict[str, Any]) -> bool:
        """Insert a planned entity; False when its licence is someone else's by now.
        (The unique index decides on a real server; the lookup first also covers the
        embedded store, whose indexes do not refuse duplicates within arrays.)"""
        if self.collection.find_one({"licence_keys": {"$in": entity["licence_keys"]}},
                                    {"_id": 1}):
            return False
        now = self.clock()
        try:
            self.collection.insert_one({**entity, "revision": 1, "created_at": now,
                                        "updated_at": now})
        except DuplicateKeyError:
            return False
        return True

    def _update(self, update: EntityUpdate, authority: str) -> bool:
        changes: dict[str, Any] = {"$set": {"updated_at": self.clock(),
                                            "licences.$.last_list_date": update.list_date},
                                   "$inc": {"revision": 1}}
        if update.name is not None:
            changes["$set"]["name"] = update.name
        if update.address is not None:
            changes["$set"]["address"] = update.address
        if update.add_aliases:
            changes["$addToSet"] = {"aliases": {"$each": list(update.add_aliases)}}
        if update.status is not None:
            changes["$push"] = {"statuses": update.status}
        done = self.collection.update_one(
            {"_id": update.entity_id, "revision": update.revision,
             "licences.authority": authority}, changes)
        return done.modified_count == 1
