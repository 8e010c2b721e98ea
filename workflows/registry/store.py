"""The `entities` collection: the registry's recruiters, employers and other actors.

The only code that touches it. Licences are looked up by `licence_keys` (one
`AUTHORITY:NUMBER` string per licence, see `workflows.registry.licences`), which a
unique index keeps to one entity per licence on a real server. (A unique index over
`licences.authority` and `licences.number` would pair every authority of an entity
with every number of it, so two agencies could clash over a pair neither holds.)

`apply` writes an import plan. New entities are inserted in batches; an update is
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
from pymongo.errors import BulkWriteError

from workflows.registry.licences import licence_key
from workflows.registry.plan import EntityUpdate, ImportPlan

BATCH = 1000  # licences per lookup and entities per insert: well under 16 MB each
DUPLICATE_KEY = 11000


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

    def many(self, entity_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The entities with these ids, by id, fetched a batch at a time: what a report
        naming the entities of its cases needs, without one query per entity."""
        ids = sorted({str(i) for i in entity_ids})
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), BATCH):
            for doc in self.collection.find({"_id": {"$in": ids[start:start + BATCH]}}):
                found[doc["_id"]] = doc
        return found

    def find_by_licence(self, authority: str, number: str) -> dict[str, Any] | None:
        return self.collection.find_one({"licence_keys": licence_key(authority, number)})

    def holding_licences(self, authority: str, numbers: Iterable[str]) -> list[dict[str, Any]]:
        """The entities holding any of `numbers` from `authority`: what an import of a
        list with these numbers needs to plan."""
        keys = sorted({licence_key(authority, number) for number in numbers})
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH):
            found.extend(self.collection.find({"licence_keys": {"$in": keys[start:start + BATCH]}}))
        return found

    def by_country(self, country: str, limit: int = 200, skip: int = 0) -> list[dict[str, Any]]:
        return list(self.collection.find({"country": country.upper()})
                    .sort([("name", ASCENDING), ("_id", ASCENDING)]).skip(skip).limit(limit))

    def apply(self, plan: ImportPlan) -> ApplyResult:
        result = ApplyResult()
        created = self._create_all(plan.creates)
        for entity in plan.creates:
            if entity["_id"] in created:
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

    def _create_all(self, entities: list[dict[str, Any]]) -> set[str]:
        """Insert the planned entities, a batch at a time; the ids of those inserted.
        One whose licence is someone else's by now is left out: the lookup first covers
        the embedded store, whose indexes do not refuse duplicates within arrays; on a
        real server the unique index also decides between two imports at once."""
        taken = set()
        keys = [key for entity in entities for key in entity["licence_keys"]]
        for start in range(0, len(keys), BATCH):
            for doc in self.collection.find({"licence_keys": {"$in": keys[start:start + BATCH]}},
                                            {"licence_keys": 1}):
                taken.update(doc["licence_keys"])
        now = self.clock()
        fresh = [{**entity, "revision": 1, "created_at": now, "updated_at": now}
                 for entity in entities if not taken.intersection(entity["licence_keys"])]
        inserted: set[str] = set()
        for start in range(0, len(fresh), BATCH):
            batch = fresh[start:start + BATCH]
            refused: set[int] = set()
            try:
                self.collection.insert_many(batch, ordered=False)
            except BulkWriteError as exc:
                refused = {error["index"] for error in exc.details.get("writeErrors", [])
                           if error.get("code") == DUPLICATE_KEY}
                if len(refused) != len(exc.details.get("writeErrors", [])):
                    raise
            inserted.update(doc["_id"] for i, doc in enumerate(batch) if i not in refused)
        return inserted

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
