"""The `entities` collection: the registry's recruiters, employers and other actors.

The only code that touches it. Licences are looked up by `licence_keys` (one
`AUTHORITY:NUMBER` string per licence, see `workflows.registry.licences`), which a
unique index keeps to one entity per licence on a real server. (A unique index over
`licences.authority` and `licences.number` would pair every authority of an entity
with every number of it, so two agencies could clash over a pair neither holds.)

`apply` writes an import plan. New entities are inserted in batches; an update is
guarded by the `revision` the plan was made from, so a plan made before someone else
changed the entity writes nothing to it and reports the conflict instead. `create`,
`merge` and `split` write the plans of `workflows.registry.editing` the same way.

Every entity keeps `match_keys`, the blocking keys of its name and aliases
(`workflows.registry.names.match_keys`), indexed: candidates for a case's actor are
fetched by those keys and by licence key, never by reading the whole registry
(`candidates_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from workflows.registry.editing import MergePlan, SplitPlan
from workflows.registry.licences import licence_key
from workflows.registry.names import match_keys
from workflows.registry.plan import EntityUpdate, ImportPlan

BATCH = 1000  # licences per lookup and entities per insert: well under 16 MB each
DUPLICATE_KEY = 11000
#: The most entities one actor's name fetches to be scored: a name's blocking keys are
#: a handful of words, and a word shared by more entities than this says little.
CANDIDATE_FETCH = 300
#: The most entities whose keys (only) are read to choose those `CANDIDATE_FETCH`.
KEY_FETCH = 3000
#: Entities per page of the registry's list.
PAGE = 50


def keys_of(names: Iterable[str | None]) -> list[str]:
    """The blocking keys of all these names together, each once."""
    return list(dict.fromkeys(key for name in names if name for key in match_keys(name)))


def entity_keys(entity: Mapping[str, Any]) -> list[str]:
    return keys_of([entity.get("name"), *(entity.get("aliases") or ())])


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
        self.collection.create_index([("match_keys", ASCENDING)], name="match_keys")
        self.collection.create_index([("name", ASCENDING), ("_id", ASCENDING)], name="name")
        self._backfill_match_keys()

    def _backfill_match_keys(self) -> None:
        """Give `match_keys` to entities stored before they were kept (once; resumable)."""
        while batch := list(self.collection.find({"match_keys": {"$exists": False}},
                                                 {"name": 1, "aliases": 1}).limit(BATCH)):
            for entity in batch:
                self.collection.update_one({"_id": entity["_id"]},
                                           {"$set": {"match_keys": entity_keys(entity)}})

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
        fresh = [{**entity, "match_keys": entity_keys(entity), "revision": 1,
                  "created_at": now, "updated_at": now}
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
        if update.name is not None:
            changes.setdefault("$addToSet", {})["match_keys"] = {
                "$each": keys_of([update.name])}
        if update.status is not None:
            changes["$push"] = {"statuses": update.status}
        done = self.collection.update_one(
            {"_id": update.entity_id, "revision": update.revision,
             "licences.authority": authority}, changes)
        return done.modified_count == 1

    # -- reads for the case page and the registry pages --------------------------------

    def get_many(self, entity_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The entities with these ids, by id, in one query."""
        wanted = sorted({str(i) for i in entity_ids})
        if not wanted:
            return {}
        return {e["_id"]: e for e in self.collection.find({"_id": {"$in": wanted}})}

    def candidates_for(self, names: Iterable[str | None], licence_numbers: Iterable[str] = (),
                       authorities: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The entities worth scoring for an actor: those holding one of the licence
        numbers (under any of `authorities`), then those sharing a blocking key with
        one of the names, tombstones of merged entities left out.

        How it scales: indexed lookups by `licence_keys` (one key per authority and
        number) and by `match_keys` (a few keys per name, rarest first): the keys of at
        most `KEY_FETCH` entities are read, and the `CANDIDATE_FETCH` sharing the most
        keys are read whole and scored, whatever the size of the registry. A name made
        only of common words ("Global Manpower") is keyed by all its words, bounded the
        same way. An entity whose every shared key is held by `KEY_FETCH` others or more
        can be missed; the licence lookup does not depend on this.
        """
        found: dict[str, dict[str, Any]] = {}
        keys = sorted({licence_key(authority, number) for number in licence_numbers
                       if number and number.strip() for authority in authorities})
        live = {"merged_into": {"$exists": False}}
        if keys:
            for entity in self.collection.find({"licence_keys": {"$in": keys}, **live}):
                found[entity["_id"]] = entity
        blocking = keys_of(names)
        if blocking:
            for entity in self._most_alike(blocking, live, CANDIDATE_FETCH - len(found)):
                found.setdefault(entity["_id"], entity)
        return list(found.values())

    def _most_alike(self, blocking: list[str], live: dict[str, Any],
                    limit: int) -> list[dict[str, Any]]:
        """Of the entities sharing a blocking key, the `limit` sharing the most, read whole.

        The keys are read rarest first (an indexed count per key, capped), and only the
        keys of at most `KEY_FETCH` entities are read in all: an entity sharing a rare
        key ("prefix:maju") is always among them, however many share a common word
        ("Sentosa"), as long as that rare key is shared by fewer than `KEY_FETCH`.
        """
        rarity = sorted(blocking, key=lambda key: (self.collection.count_documents(
            {"match_keys": key, **live}, limit=KEY_FETCH + 1), key))
        shared: dict[str, list[str]] = {}
        for key in rarity:
            room = KEY_FETCH - len(shared)
            if room <= 0:
                break
            for entity in self.collection.find({"match_keys": key, **live},
                                               {"match_keys": 1}).limit(room):
                shared.setdefault(entity["_id"], entity.get("match_keys") or [])
        wanted = set(blocking)
        ranked = sorted(shared, key=lambda i: (-len(wanted.intersection(shared[i])), i))
        ids = ranked[:max(limit, 0)]
        return list(self.get_many(ids).values()) if ids else []

    def search(self, text: str = "", country: str = "", page: int = 0) -> tuple[list[dict], bool]:
        """One page of the registry's list, and whether another follows: by blocking key
        (or licence key) when `text` is given, else by name; tombstones left out."""
        query: dict[str, Any] = {"merged_into": {"$exists": False}}
        if country:
            query["country"] = country.upper()
        if text.strip():
            query["match_keys"] = {"$in": keys_of([text]) or [""]}
        found = list(self.collection.find(query).sort([("name", ASCENDING), ("_id", ASCENDING)])
                     .skip(max(page, 0) * PAGE).limit(PAGE + 1))
        return found[:PAGE], len(found) > PAGE

    # -- changes made by hand (plans of workflows.registry.editing) ---------------------

    def create(self, entity: Mapping[str, Any]) -> dict[str, Any] | None:
        """Insert a new entity; None when its licence is someone else's already."""
        now = self.clock()
        doc = {**entity, "match_keys": entity_keys(entity), "revision": 1,
               "created_at": now, "updated_at": now}
        if doc.get("licence_keys") and self.collection.find_one(
                {"licence_keys": {"$in": doc["licence_keys"]}}, {"_id": 1}):
            return None
        try:
            self.collection.insert_one(doc)
        except DuplicateKeyError:
            return None
        return doc

    def merge(self, plan: MergePlan, user_id: str) -> bool:
        """Write a merge: B becomes a tombstone, then A gains B's names, licences and
        statuses. Each write is guarded by the revision the plan was made from; when A
        changed in between, B is put back as it was and False is returned (nothing
        changed). B's licences leave it before A takes them, so the unique licence
        index never sees one licence twice."""
        now = self.clock()
        source = self.collection.find_one_and_update(
            {"_id": plan.source_id, "revision": plan.source_revision,
             "merged_into": {"$exists": False}},
            {"$set": {"merged_into": plan.target_id, "merged_at": now, "merged_by": user_id,
                      "licences": [], "updated_at": now},
             "$unset": {"licence_keys": ""}, "$inc": {"revision": 1}})
        if source is None:
            return False
        names = [*plan.add_aliases]
        done = self.collection.update_one(
            {"_id": plan.target_id, "revision": plan.target_revision,
             "merged_into": {"$exists": False}},
            {"$set": {"updated_at": now}, "$inc": {"revision": 1},
             "$push": {"licences": {"$each": plan.add_licences},
                       "statuses": {"$each": plan.add_statuses},
                       "merged_from": plan.source_id},
             "$addToSet": {"aliases": {"$each": names},
                           "licence_keys": {"$each": plan.add_licence_keys},
                           "match_keys": {"$each": keys_of(names)}}})
        if done.modified_count == 1:
            return True
        restore = {k: source[k] for k in ("licences", "licence_keys") if k in source}
        self.collection.update_one(
            {"_id": plan.source_id, "merged_into": plan.target_id},
            {"$set": {**restore, "updated_at": now},
             "$unset": {"merged_into": "", "merged_at": "", "merged_by": ""},
             "$inc": {"revision": 1}})
        return False

    def split(self, plan: SplitPlan) -> dict[str, Any] | None:
        """Write a split: A gives up the chosen aliases, licences and statuses (guarded
        by its revision), then the new entity is inserted; None when A changed in between
        (nothing changed). Should the insert fail, A gets back what it gave up."""
        source = self.get(plan.source_id)
        if source is None or source.get("revision") != plan.source_revision:
            return None
        now = self.clock()
        moved_keys = set(licence_keys_of(plan.remove_licences))
        kept = {"aliases": [a for a in source.get("aliases") or () if a not in plan.remove_aliases],
                "licences": [lic for lic in source.get("licences") or ()
                             if licence_key(lic["authority"], lic["number"]) not in moved_keys],
                "statuses": [s for s in source.get("statuses") or ()
                             if s not in plan.remove_statuses]}
        kept["match_keys"] = entity_keys({"name": source.get("name"), **kept})
        kept_keys = licence_keys_of(kept["licences"])
        changes: dict[str, Any] = {"$set": {**kept, "updated_at": now}, "$inc": {"revision": 1}}
        if kept_keys:
            changes["$set"]["licence_keys"] = kept_keys
        else:
            changes["$unset"] = {"licence_keys": ""}
        done = self.collection.update_one({"_id": plan.source_id, "revision": plan.source_revision},
                                          changes)
        if done.modified_count != 1:
            return None
        created = self.create(plan.entity)
        if created is None:
            back = {k: source[k] for k in ("aliases", "licences", "statuses", "match_keys",
                                           "licence_keys") if k in source}
            self.collection.update_one({"_id": plan.source_id},
                                       {"$set": {**back, "updated_at": now},
                                        "$inc": {"revision": 1}})
        return created


def licence_keys_of(licences: Iterable[Mapping[str, Any]]) -> list[str]:
    return [licence_key(lic["authority"], lic["number"]) for lic in licences]
