"""The case repository: the only code that touches the `cases` collection.

Every change is one guarded single-document update (expected stage and version,
`$inc` version, `$push` event): a single-document write is atomic on every supported
server (MongoDB 6+, FerretDB 2 on DocumentDB), so of two reviewers acting at once
exactly one matches and the other gets `StaleVersion`. Nothing relies on a
multi-document transaction: FerretDB 2 accepts one but does not apply it as one.

Which cases share a duplicate key is kept beside the cases in `case_duplicate_keys`
(`workflows.duplicate_index`), read by `_id`, so routing never queries the cases by
their keys; `ensure_indexes` fills it once from cases stored before it existed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, WriteError

from workflows.duplicate_index import DuplicateKeyIndex
from workflows.errors import AlreadyFiled, StaleVersion
from workflows.stages import TransitionResult
from workflows.tracking import code_hash

REFERENCE_PATTERN = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")

#: (name, keys, options): every filter and sort the screens and tasks use has an index.
INDEXES: list[tuple[str, list[tuple[str, int]], dict[str, Any]]] = [
    ("reference_unique", [("reference", ASCENDING)], {"unique": True}),
    # One case per questionnaire page: of two sends of one page at once, the server lets
    # exactly one insert through (workflows/resubmission.py). Sparse: cases filed through
    # the API, or before the token was kept, have no `submission_hash`.
    ("submission_unique", [("submission_hash", ASCENDING)], {"unique": True, "sparse": True}),
    # One case per imported row (workflows/case_import.py): a re-import of the same rows,
    # or two runs of one import at once, files nothing twice. Sparse: only imported
    # cases have an `import_key`.
    ("import_unique", [("import_key", ASCENDING)], {"unique": True, "sparse": True}),
    ("stage_created", [("stage", ASCENDING), ("created_at", DESCENDING)], {}),
    ("country_stage_created", [("country", ASCENDING), ("stage", ASCENDING),
                               ("created_at", DESCENDING)], {}),
    ("assignee_stage", [("assignee", ASCENDING), ("stage", ASCENDING),
                        ("updated_at", DESCENDING)], {}),
    ("reporter_user", [("reporter.user_id", ASCENDING), ("created_at", DESCENDING)], {}),
    ("reporter_org", [("reporter.org_id", ASCENDING), ("created_at", DESCENDING)], {}),
    # The case lists (workflows/queue.py): scope, queue and filter fields, then the sort.
    # On FerretDB 2 + DocumentDB an equality on the leading key and a filing window
    # on `created_at` make a bounded range: the reviewer scope's branches, `mine`.
    ("created", [("created_at", DESCENDING), ("_id", DESCENDING)], {}),
    ("country_created", [("country", ASCENDING), ("created_at", DESCENDING)], {}),
    ("assignee_created", [("assignee", ASCENDING), ("created_at", DESCENDING)], {}),
    ("destination_created", [("dimensions.destination_country", ASCENDING),
                             ("created_at", DESCENDING)], {}),
    ("priority_created", [("priority", ASCENDING), ("created_at", DESCENDING)], {}),
    ("mwc_created", [("mwc", ASCENDING), ("created_at", DESCENDING)], {}),
    ("gender_created", [("dimensions.gender", ASCENDING), ("created_at", DESCENDING)], {}),
    ("search_terms", [("search_terms", ASCENDING)], {}),
    # What the sweeps look for next (workflows/deadlines.py, workflows/follow_ups.py).
    ("due_at", [("due_at", ASCENDING)], {}),
    # The queue sorted by deadline pages by (due_at, _id) (workflows.queue.DUE_INDEX).
    ("due", [("due_at", ASCENDING), ("_id", ASCENDING)], {}),
    ("reminder_at", [("reminder_at", ASCENDING)], {}),
    ("escalate_at", [("escalate_at", ASCENDING)], {}),
    ("follow_up_due_at", [("follow_up_due_at", ASCENDING)], {}),
    # An entity's cases (the registry's entity pages, merges and splits, indicators).
    ("entity_links", [("entity_links.entity_id", ASCENDING), ("created_at", DESCENDING)], {}),
    # The handover (workflows/handover.py): the expiry sweep, and the "Shared with us"
    # list and the receivers' scope, which look for a share by its receiver.
    ("share_due_at", [("share_due_at", ASCENDING)], {}),
    ("shares_to", [("shares.to.key", ASCENDING), ("shares.state", ASCENDING)], {}),
    ("former_teams", [("former_teams", ASCENDING)], {}),
    ("team_created", [("team", ASCENDING), ("created_at", DESCENDING)], {}),
]

#: Indexes earlier releases made that no query uses (docs/scale.md, "Indexes"): every
#: write paid for them and every index build read every case for them. Dropped by
#: `ensure_indexes`, at `mrvrs db init` and at start.
RETIRED_INDEXES = ("tracking", "team_stage_updated", "duplicate_keys")

#: What a resent questionnaire needs of the case it filed: never answers or anything sealed.
RESEND_FIELDS = {"reference": 1, "stage": 1, "tracking_hash": 1, "created_at": 1}


#: Tries of an insert that the server aborted as a deadlock (see `CaseRepository.insert`).
INSERT_ATTEMPTS = 3


def _deadlock(error: WriteError) -> bool:
    return "deadlock detected" in str((error.details or {}).get("errmsg", ""))


def new_case_id() -> str:
    """Random, so a case can never be reached by guessing its id."""
    return f"c_{secrets.token_hex(12)}"


def _within(query: dict[str, Any], within: Mapping[str, Any] | None) -> dict[str, Any]:
    """`query` limited to a scope filter (`workflows.scope.case_filter_for`), when given."""
    return {"$and": [query, dict(within)]} if within else query


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self.cases = db.cases
        self.counters = db.case_counters
        self.duplicate_keys = DuplicateKeyIndex(db)

    def ensure_indexes(self) -> None:
        """Indexes (retired ones dropped), then (once per database) the duplicate-key
        table of the stored cases."""
        for name in set(RETIRED_INDEXES) & set(self.cases.index_information()):
            self.cases.drop_index(name)
        for name, keys, options in INDEXES:
            self.cases.create_index(keys, name=name, **options)
        self.duplicate_keys.ensure_backfilled(self.cases)

    def register_duplicate_keys(self, case: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Record `case` under its duplicate keys; every case sharing one, itself included,
        as `{id, reference, created_at}` (see `workflows.duplicate_index`)."""
        return self.duplicate_keys.register(case)

    def next_reference(self, country: str, year: int) -> str:
        """`MY-2026-000042`: a gapless-enough sequence per country and year.

        An atomic `$inc` of the existing counter; the year's first intakes create it with
        `insert_one`, where the unique `_id` lets exactly one win and the others count on
        from it. Not an upsert: on FerretDB 2 (DocumentDB 0.106) two upserts that both
        create one new document can both apply as if alone, so two intakes got the same
        number in about one race in five (tests/stores/test_atomic_writes.py).
        """
        key = f"{country}-{year}"
        for _ in range(3):
            counter = self.counters.find_one_and_update(
                {"_id": key}, {"$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER)
            if counter is not None:
                return f"{key}-{counter['seq']:06d}"
            try:
                self.counters.insert_one({"_id": key, "seq": 1})
            except DuplicateKeyError:
                continue  # another intake created it first: count on from theirs
            return f"{key}-{1:06d}"
        raise RuntimeError(f"the reference counter {key} could be neither read nor created")

    def insert(self, case: dict) -> dict:
        """Store a new case; `AlreadyFiled` when another case holds its `submission_hash`.

        The unique index decides, not a read before the write: of two sends of one page
        at once, both may find nothing filed yet, and exactly one insert succeeds.
        PostgreSQL under FerretDB may abort an insert racing another on a unique key as a
        deadlock instead of a duplicate: it is tried again, unless the other filed it.
        """
        submission = case.get("submission_hash")
        for attempt in range(INSERT_ATTEMPTS):
            try:
                self.cases.insert_one(case)
                return case
            except DuplicateKeyError:
                if submission and self.filed_with(submission) is not None:
                    raise AlreadyFiled(submission) from None
                raise
            except WriteError as error:
                if not _deadlock(error) or attempt == INSERT_ATTEMPTS - 1:
                    raise
                if submission and self.filed_with(submission) is not None:
                    raise AlreadyFiled(submission) from None
        return case

    def imported_with(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Import key -> the case already filed under it (`reference` and `source` only)."""
        found = self.cases.find({"import_key": {"$in": [str(k) for k in keys]}},
                                {"import_key": 1, "reference": 1, "source": 1})
        return {case["import_key"]: case for case in found}

    def filed_with(self, submission_hash: str) -> dict | None:
        """The case filed from the page whose token hashes to this, with `RESEND_FIELDS`
        only."""
        return self.cases.find_one({"submission_hash": str(submission_hash)}, RESEND_FIELDS)

    def replace_tracking(self, case: Mapping[str, Any], tracking_hash: str,
                         event: Mapping[str, Any]) -> dict | None:
        """Put a new tracking-code hash in place of the one `case` was read with, and add
        `event` to the timeline, in one update; None when the case changed since.

        Guarded on the old hash and the stage (which `event` names), so of two resends
        at once one replaces the code and the other reads again. Not an edit of what
        caseworkers work on, so the version stays and nobody with the case open gets a
        conflict.
        """
        return self.cases.find_one_and_update(
            {"_id": case["_id"], "tracking_hash": case["tracking_hash"], "stage": case["stage"]},
            {"$set": {"tracking_hash": str(tracking_hash)}, "$push": {"events": dict(event)}},
            projection=RESEND_FIELDS, return_document=ReturnDocument.AFTER)

    def get(self, case_id: str, within: Mapping[str, Any] | None = None) -> dict | None:
        """The case with this id; with `within` (a scope filter), only inside that scope."""
        return self.cases.find_one(_within({"_id": str(case_id)}, within))

    def by_reference(self, reference: str, within: Mapping[str, Any] | None = None) -> dict | None:
        """The case with this reference; with `within`, only inside that scope.

        The scope goes into the query itself, so a case outside it and a reference
        nobody holds are one and the same indexed miss: neither the answer nor its
        time tells them apart (`workflows.scope.case_filter_for` builds `within`).
        """
        reference = str(reference).strip().upper()
        if not REFERENCE_PATTERN.match(reference):
            return None
        return self.cases.find_one(_within({"reference": reference}, within))

    def references_within(self, references: Iterable[Any],
                          within: Mapping[str, Any] | None) -> set[str]:
        """Those of `references` whose cases are inside the scope `within`, in one query."""
        wanted = sorted({str(ref) for ref in references if isinstance(ref, str)})
        if not wanted:
            return set()
        found = self.cases.find(_within({"reference": {"$in": wanted}}, within), {"reference": 1})
        return {case["reference"] for case in found}

    # -- reads for exports and indicators (the match is built by the caller from
    #    the actor's scope and a checked filter, never from raw request values) --

    def matching(self, match: Mapping[str, Any], batch_size: int = 500) -> Any:
        """A cursor over the matched cases in filing order, for streaming exports."""
        return self.cases.find(dict(match), batch_size=batch_size).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)])

    def count_matching(self, match: Mapping[str, Any]) -> int:
        return self.cases.count_documents(dict(match))

    def aggregate(self, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Run a read-only aggregation (the indicator pipelines) and return its groups."""
        return list(self.cases.aggregate(pipeline))

    def filing_span(self, match: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
        """The first and last filing times of the matched cases (None, None when none)."""
        ends = [self.cases.find_one(dict(match), {"created_at": 1},
                                    sort=[("created_at", order)]) for order in (1, -1)]
        first, last = ((e or {}).get("created_at") for e in ends)
        return first, last

    def by_tracking(self, reference: str, code: str) -> dict | None:
        """The case only when both the reference and its private code match.

        Both are in the query, so a wrong code for a real reference and a reference
        nobody holds are the same indexed miss (the hash is compared again below).
        """
        case = self.by_reference(reference, within={"tracking_hash": code_hash(code)})
        if case is None or not secrets.compare_digest(case.get("tracking_hash", ""),
                                                      code_hash(code)):
            return None
        return case

    def apply(self, case: Mapping[str, Any], result: TransitionResult,
              extra: Mapping[str, Any] | None = None,
              push: Mapping[str, Any] | None = None) -> dict:
        """Write a transition; `extra` adds fields decided with it (team, priority...),
        `push` appends to lists in the same write (a message to the reporter)."""
        changes = {**result.changes, **(extra or {})}
        return self._guarded(case, {"stage": case["stage"]}, changes, result.event, push)

    def record(self, case: Mapping[str, Any], event: Mapping[str, Any],
               changes: Mapping[str, Any] | None = None,
               push: Mapping[str, Any] | None = None) -> dict:
        """Write a change that keeps the stage (a note, an assignment, a follow-up)."""
        return self._guarded(case, {}, dict(changes or {}), event, push)

    def write_shares(self, case: Mapping[str, Any], shares: list[dict[str, Any]],
                     event: Mapping[str, Any], changes: Mapping[str, Any] | None = None,
                     offered: str | None = None) -> dict:
        """Write a case's shares (`workflows.handover`) with their timeline event, guarded
        by the version and, for an answer to an offer, by that share still being offered:
        of two answers at once exactly one is written, the other gets `StaleVersion`."""
        condition = ({"shares": {"$elemMatch": {"id": offered, "state": "offered"}}}
                     if offered else {})
        return self._guarded(case, condition, {**dict(changes or {}), "shares": shares}, event)

    def with_shares_for(self, receiver: Mapping[str, Any], limit: int = 200) -> list[dict]:
        """Cases with a share offered to or accepted by a receiver (`receiver` is
        `workflows.handover.receiver_filter`), newest first, without their answers."""
        fields = {"reference": 1, "stage": 1, "version": 1, "country": 1, "team": 1,
                  "shares": 1, "created_at": 1, "dimensions.destination_country": 1}
        return list(self.cases.find(dict(receiver), fields).sort("created_at", DESCENDING)
                    .limit(limit))

    def shares_due(self, now: datetime, limit: int = 200) -> list[dict]:
        """Cases whose earliest open share has reached its end date."""
        return list(self.cases.find({"share_due_at": {"$lte": now}},
                                    {"shares": 1, "version": 1, "stage": 1, "reference": 1})
                    .sort("share_due_at", ASCENDING).limit(limit))

    def mark(self, case: Mapping[str, Any], condition: Mapping[str, Any],
             event: Mapping[str, Any], changes: Mapping[str, Any]) -> bool:
        """Record what a sweep did (a reminder sent) while `condition` still holds.

        Not an edit: the version stays, so a reviewer with the case open gets no
        conflict; `condition` makes a second run miss. False when the case changed or
        another run marked it first.
        """
        try:
            self._guarded(case, dict(condition), dict(changes), event, bump=False)
        except StaleVersion:
            return False
        return True

    def _guarded(self, case: Mapping[str, Any], condition: dict, changes: dict,
                 event: Mapping[str, Any], push: Mapping[str, Any] | None = None,
                 bump: bool = True) -> dict:
        update: dict[str, Any] = {"$push": {"events": dict(event), **(push or {})}}
        if bump:
            update["$inc"] = {"version": 1}
        if changes:
            update["$set"] = changes
        updated = self.cases.find_one_and_update(
            {"_id": case["_id"], "version": case["version"], **condition}, update,
            return_document=ReturnDocument.AFTER,
        )
        if updated is None:
            raise StaleVersion(case["_id"], case.get("stage"), case["version"])
        return updated

    # -- links to registry entities (`workflows.registry.links` plans them): the only
    #    code that writes `entity_links` --

    def set_entity_links(self, case: Mapping[str, Any], links: list[dict[str, Any]],
                         event: Mapping[str, Any], at: datetime) -> dict:
        """A reviewer's link or unlink: the new list and its timeline event in one update
        guarded by the version, as every change a person makes to a case."""
        return self._guarded(case, {}, {"entity_links": list(links), "updated_at": at}, event)

    def move_entity_links(self, case_id: str, old: list[Any], new: list[Any],
                          event: Mapping[str, Any]) -> bool:
        """A merge or split moving the case's links: guarded on the links as read, not
        on the version, so a reviewer with the case open gets no conflict; False when
        the links changed in between (the caller reads the case again)."""
        result = self.cases.update_one({"_id": str(case_id), "entity_links": old},
                                       {"$set": {"entity_links": new},
                                        "$push": {"events": dict(event)}})
        return result.matched_count == 1

    def linked_to(self, entity_id: str, match: Mapping[str, Any] | None = None,
                  projection: Mapping[str, Any] | None = None, limit: int = 0) -> list[dict]:
        """The cases linked to `entity_id` (within `match`, a scope or stage filter),
        newest first, from the `entity_links` index."""
        query = _within({"entity_links.entity_id": str(entity_id)}, match)
        cursor = self.cases.find(query, dict(projection) if projection else None).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)])
        return list(cursor.limit(limit) if limit else cursor)

    # -- re-sealing sensitive answers under a new data key (`mrvrs keys rotate-data`) --

    def sealed_after(self, after_id: str | None, limit: int) -> list[dict[str, Any]]:
        """`{_id, sensitive}` of the next cases holding sealed answers, in `_id` order."""
        match: dict[str, Any] = {"sensitive": {"$type": "string"}}
        if after_id is not None:
            match["_id"] = {"$gt": str(after_id)}
        cursor = self.cases.find(match, {"sensitive": 1}).sort("_id", ASCENDING).limit(limit)
        return list(cursor)

    def replace_sealed(self, case_id: str, old: str, new: str) -> bool:
        """Put `new` in place of the sealed answers `old`, only while they are still `old`.

        The answers are the same, sealed under another key, so the case's version and
        timeline do not change; the guard on the old value means a case changed in the
        meantime is left for the next run instead of being overwritten.
        """
        result = self.cases.update_one({"_id": str(case_id), "sensitive": old},
                                       {"$set": {"sensitive": new}})
        return result.matched_count == 1

    def messages_after(self, after_id: str | None, limit: int) -> list[dict[str, Any]]:
        """`{_id, messages}` of the next cases holding messages to or from the reporter
        (`workflows.reporter_messages`), in `_id` order."""
        match: dict[str, Any] = {"messages.0": {"$exists": True}}
        if after_id is not None:
            match["_id"] = {"$gt": str(after_id)}
        cursor = self.cases.find(match, {"messages": 1}).sort("_id", ASCENDING).limit(limit)
        return list(cursor)

    def replace_messages(self, case_id: str, old: list[Any], new: list[Any]) -> bool:
        """Put `new` (the same messages, re-sealed) in place of `old` while the list is
        still `old`; like `replace_sealed`, neither version nor timeline changes."""
        result = self.cases.update_one({"_id": str(case_id), "messages": old},
                                       {"$set": {"messages": new}})
        return result.matched_count == 1

    # -- answers written in an older format (`mrvrs db migrate`) --

    def lacking(self, key: str, batch_size: int) -> Iterator[dict[str, Any]]:
        """Every case without `key`, in `_id` order, `batch_size` per round trip, with
        what a migration reads and the version its write is guarded by. Resumable: a
        case the migration gave `key` is not read again."""
        fields = {"form": 1, "answers": 1, "sensitive": 1, "version": 1, "stage": 1}
        match: dict[str, Any] = {key: {"$exists": False}}
        while batch := list(self.cases.find(match, fields).sort("_id", ASCENDING)
                            .limit(batch_size)):
            yield from batch
            match["_id"] = {"$gt": batch[-1]["_id"]}

    def set_event(self, case_id: str, event: Mapping[str, Any] | None) -> bool:
        """Store the event period worked out from a case's answers, unless it has one:
        a fact derived from what was filed, not an edit, so the version stays."""
        result = self.cases.update_one({"_id": str(case_id), "event": {"$exists": False}},
                                       {"$set": {"event": dict(event) if event else None}})
        return result.matched_count == 1

    def set_answers_format(self, case: Mapping[str, Any], answers_format: int) -> bool:
        """Mark a case whose answers need no change as written in `answers_format`; not an
        edit, so neither its version nor its timeline changes. False if it changed since."""
        result = self.cases.update_one(
            {"_id": case["_id"], "version": case["version"],
             "answers_format": {"$exists": False}},
            {"$set": {"answers_format": answers_format}})
        return result.matched_count == 1

