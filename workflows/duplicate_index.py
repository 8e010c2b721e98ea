"""The duplicate-key table: which cases carry each duplicate key, read by `_id` only.

Routing looks for earlier cases about the same person (`CaseService.possible_duplicates`).
A query on the cases' `duplicate_keys` field is an index lookup on MongoDB and on
FerretDB 2; this table was made when the integration server was FerretDB 1.24, which
pushed down nothing but a single `_id` equality and so read and decoded every case for
that query. Whether the table still earns its writes against the indexed query on the
servers supported now is not yet measured. Here every keyed hash has one small
document, found by `_id`:

    {_id: "pp:<hex>", cases: [{id, reference, created_at}, ...]}

Only the keyed hashes (`workflows.identity_keys`) are stored, never a name or a
passport number. A key keeps its newest `KEPT_PER_KEY` cases by filing time: a lookup
keeps at most the newest `MAX_DUPLICATES + 1` cases across a case's keys
(`workflows.case_service`), each of them among the newest of its own key, so dropping
older ones changes no answer and bounds the document.

Routing registers the case it routes (`register`): it adds the case under each of its
keys and gets back the cases already there in the same exchange. That is idempotent, so
an at-least-once task, the catch-up sweep and a retry after a stale write leave the
table as one registration would. Cases filed before the table existed are added once by
`ensure_backfilled` (run by `CaseRepository.ensure_indexes`, so by `mrvrs db init` and at
start-up); `bench.generate` fills it for the cases it makes with `add_entries`.

Every write is one atomic single-document operation, so writers in several processes
need no lock: a new key is one `insert_one` (the unique `_id` lets one writer create it;
the others get `DuplicateKeyError`), a stored key is added to with `$addToSet`, and a
case is taken out with a `$pull`. No upsert: on FerretDB 2 two upserts that both create
one new document can both apply as if alone, and one's entries are lost. Keeping a key
to its newest `KEPT_PER_KEY` is a write guarded on the list as it was read: if another
writer changed it meanwhile, the guard misses and the next registration of that key
trims it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

log = logging.getLogger("mrvrs.workflow")

COLLECTION = "case_duplicate_keys"
#: How many cases each key keeps (the newest by filing time); at least `MAX_DUPLICATES + 1`.
KEPT_PER_KEY = 100
#: The one-off fill from the cases, recorded in `case_migrations` once done.
BACKFILL = "case_duplicate_keys"
#: A backfill whose process has not reported for this long is taken over.
BACKFILL_STALE = timedelta(minutes=5)
BATCH = 500


def entry(case: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the table holds of a case; None when the case has nothing to register."""
    created, reference = case.get("created_at"), case.get("reference")
    if not isinstance(created, datetime) or not isinstance(reference, str):
        return None
    # As stored (milliseconds), so the entry made from a case in memory and the one made
    # from the same case read back are equal and `$addToSet` keeps one.
    created = created.replace(microsecond=created.microsecond // 1000 * 1000)
    return {"id": str(case["_id"]), "reference": reference, "created_at": created}


def keys_of(case: Mapping[str, Any]) -> list[str]:
    """The case's duplicate keys, each once, in their order."""
    return list(dict.fromkeys(k for k in case.get("duplicate_keys") or () if isinstance(k, str)))


def merged(current: Iterable[Mapping[str, Any]],
           added: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Entries by case id (those stored win), newest first, at most `KEPT_PER_KEY`."""
    by_id: dict[str, dict[str, Any]] = {}
    for item in [*added, *current]:  # stored last, so a stored entry stays as it is
        by_id[item["id"]] = dict(item)
    ordered = sorted(by_id.values(), key=lambda e: e["id"])
    ordered.sort(key=lambda e: e["created_at"], reverse=True)
    return ordered[:KEPT_PER_KEY]


class DuplicateKeyIndex:
    """The `case_duplicate_keys` collection; used by `CaseRepository`."""

    def __init__(self, db: Database) -> None:
        self.keys = db[COLLECTION]
        self.migrations = db.case_migrations

    # -- routing -----------------------------------------------------------------

    def register(self, case: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Add `case` under each of its keys; every case stored under them, itself included.

        One insert per new key, one update returning the document per stored key. Each
        case appears once however many keys it shares.
        """
        item = entry(case)
        if item is None:
            return []
        found: dict[str, dict[str, Any]] = {}
        for key in keys_of(case):
            for stored in self._add(key, [item]):
                found.setdefault(stored["id"], stored)
        return list(found.values())

    def lookup(self, keys: Iterable[str]) -> list[dict[str, Any]]:
        """The cases stored under `keys` (each once), without registering anything."""
        found: dict[str, dict[str, Any]] = {}
        for key in dict.fromkeys(keys):
            for stored in (self.keys.find_one({"_id": key}) or {}).get("cases") or ():
                found.setdefault(stored["id"], stored)
        return list(found.values())

    def forget(self, case: Mapping[str, Any]) -> None:
        """Take a case out of the table (a case removed from the database); a key left
        with no case goes, unless another writer added one meanwhile."""
        case_id = str(case["_id"])
        for key in keys_of(case):
            self.keys.update_one({"_id": key}, {"$pull": {"cases": {"id": case_id}}})
            self.keys.delete_one({"_id": key, "cases": {"$size": 0}})

    # -- filling -----------------------------------------------------------------

    def add_many(self, cases: Iterable[Mapping[str, Any]]) -> int:
        """Register many cases with bulk writes (see `add_entries`); returns how many
        cases had something to register."""
        by_key: dict[str, list[dict[str, Any]]] = {}
        count = 0
        for case in cases:
            item = entry(case)
            keys = keys_of(case)
            if item is None or not keys:
                continue
            count += 1
            for key in keys:
                by_key.setdefault(key, []).append(item)
        self.add_entries(by_key)
        return count

    def add_entries(self, by_key: Mapping[str, list[dict[str, Any]]]) -> None:
        """Store entries (`entry`) by key: the keys not stored yet in one `insert_many`,
        each key already stored (or inserted by another writer meanwhile) by an update.
        Safe beside routing."""
        if by_key:
            for key in self._insert_new(by_key):
                self._add(key, list(by_key[key]))

    def ensure_backfilled(self, cases: Collection) -> int | None:
        """Fill the table from the stored cases once, whoever asks first.

        Returns how many cases were read, or None when it was done already or another
        process is doing it. A run that stopped half-way is taken over after
        `BACKFILL_STALE` without news; every write is idempotent, so a run taken over
        from a slow process repeats work but changes no outcome.
        """
        state = self.migrations.find_one({"_id": BACKFILL})
        if state is not None and state.get("done_at") is not None:
            return None
        now = datetime.now(UTC)
        if state is None:
            try:
                self.migrations.insert_one({"_id": BACKFILL, "started_at": now, "beat_at": now,
                                            "done_at": None, "cases": 0})
            except DuplicateKeyError:
                return None
        elif _aware(state.get("beat_at")) > now - BACKFILL_STALE:
            return None
        else:
            log.warning("taking over the backfill of %s left since %s", COLLECTION,
                        state.get("beat_at"))
        started = time.perf_counter()
        log.info("filling %s from the stored cases (once)", COLLECTION)
        count = self.backfill(cases)
        self.migrations.update_one({"_id": BACKFILL},
                                   {"$set": {"done_at": datetime.now(UTC), "cases": count}})
        log.info("filled %s from %d cases in %.1f s", COLLECTION, count,
                 time.perf_counter() - started)
        return count

    def backfill(self, cases: Collection) -> int:
        """Register every stored case that has duplicate keys; safe to run again."""
        count, batch = 0, []
        cursor = cases.find({}, {"duplicate_keys": 1, "reference": 1, "created_at": 1},
                            batch_size=BATCH)
        for case in cursor:
            batch.append(case)
            if len(batch) == BATCH:
                count += self.add_many(batch)
                batch = []
                self.migrations.update_one({"_id": BACKFILL},
                                           {"$set": {"beat_at": datetime.now(UTC),
                                                     "cases": count}})
        return count + self.add_many(batch)

    # -- one key -------------------------------------------------------------------

    def _insert_new(self, by_key: Mapping[str, list[dict[str, Any]]]) -> list[str]:
        """Insert the keys not stored yet; returns those that were."""
        keys = list(by_key)
        documents = [{"_id": key, "cases": merged([], by_key[key])} for key in keys]
        try:
            self.keys.insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            if any(error.get("code") != 11000 for error in errors):
                raise
            return [keys[error["index"]] for error in errors]
        return []

    def _add(self, key: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add `items` under `key`; every case stored under it afterwards."""
        while True:
            try:  # a new key: one insert, the unique `_id` deciding between writers
                self.keys.insert_one({"_id": key, "cases": merged([], items)})
                return merged([], items)
            except DuplicateKeyError:
                pass
            stored = self.keys.find_one_and_update(
                {"_id": key}, {"$addToSet": {"cases": {"$each": items}}},
                return_document=ReturnDocument.AFTER)
            if stored is None:
                continue  # removed meanwhile: insert it again
            cases = stored.get("cases") or []
            if len(cases) > KEPT_PER_KEY or len({c["id"] for c in cases}) < len(cases):
                kept = merged(cases, [])
                self.keys.update_one({"_id": key, "cases": cases}, {"$set": {"cases": kept}})
                return kept
            return cases


def _aware(value: Any) -> datetime:
    """A stored time as an aware datetime (clients without `tz_aware` give naive UTC)."""
    if not isinstance(value, datetime):
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
