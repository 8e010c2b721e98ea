"""The append-only, hash-chained audit log.

Each event stores the hash of the one before it, and a unique sequence number,
so an altered event breaks its own hash and a removed one leaves a gap or a
broken link: `verify` names the first place where the chain does not hold.

Writers find the end of the chain in a one-document `audit_head` collection read by
`_id`, not by sorting the events: FerretDB reads and sorts every event for that, so
the sorted read is kept for when the head is missing or stale.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

GENESIS = "0" * 64
# A lost race mostly costs a read by `_id`; five writers appending in a tight loop on
# FerretDB saw one event need 28 attempts.
_APPEND_ATTEMPTS = 100
_HEAD_ID = "head"
_HEAD_WAITS = (0, 0.001, 0.004)  # seconds: pauses before each re-read of a head that lags


def _canonical(event: dict) -> bytes:
    body = {k: v for k, v in event.items() if k not in ("_id", "hash")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: dict) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _timestamp() -> str:
    # Milliseconds: what MongoDB keeps of a datetime, so the hash survives a round trip.
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class _Head(NamedTuple):
    """The last event's sequence number and hash: what the next event links to."""

    seq: int
    hash: str


_EMPTY = _Head(0, GENESIS)


def _next_event(head: _Head, action: str, actor: str | None, target: str | None,
                details: dict) -> dict:
    event = {"seq": head.seq + 1, "at": _timestamp(), "action": action, "actor": actor,
             "target": target, "details": details, "prev_hash": head.hash}
    event["hash"] = event_hash(event)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


class AuditLog:
    """Writes audit events; offers no way to change or delete one."""

    def __init__(self, db: Database) -> None:
        self.collection = db.audit_events
        self.heads = db.audit_head

    def ensure_indexes(self) -> None:
        self.collection.create_index([("seq", ASCENDING)], unique=True, name="seq_unique")
        self.collection.create_index([("action", ASCENDING), ("seq", DESCENDING)], name="action")

    def record(self, action: str, actor: str | None, target: str | None = None,
               **details: Any) -> dict:
        """Append one event after the head; concurrent writers race on the unique `seq`,
        and the loser re-reads the head and tries again."""
        head = self._read_head()
        for _ in range(_APPEND_ATTEMPTS):
            event = _next_event(head, action, actor, target, details)
            try:
                self.collection.insert_one(event)
            except DuplicateKeyError:
                head = self._head_after_conflict(head)
                continue
            self._advance_head(_Head(event["seq"], event["hash"]))
            return event
        raise RuntimeError("could not append to the audit log: too many concurrent writers")

    def _read_head(self) -> _Head:
        """The head by `_id`, which stays fast however long the log grows; a log written
        before the head existed gets one from its last event."""
        doc = self.heads.find_one({"_id": _HEAD_ID})
        return _Head(doc["seq"], doc["hash"]) if doc else self._repair_head()

    def _head_after_conflict(self, tried: _Head) -> _Head:
        """The seq after `tried` is taken. Its writer moves the head just after inserting,
        so the head is read again over a few milliseconds; a head that still has not
        moved is stale (its writer died in between) and is rebuilt."""
        for pause in _HEAD_WAITS:
            time.sleep(pause)
            head = self._read_head()
            if head.seq > tried.seq:
                return head
        return self._repair_head()

    def _repair_head(self) -> _Head:
        """The slow, sorted read of the last event, used only when the head cannot be
        trusted; moves the head there so the next writer reads it by `_id` again."""
        last = self.collection.find_one({}, sort=[("seq", DESCENDING)])
        if last is None:
            return _EMPTY
        head = _Head(last["seq"], last["hash"])
        self._advance_head(head)
        return head

    def _advance_head(self, head: _Head) -> None:
        """Move the head forward only: writers finish out of order, and a late one must
        not pull the head back behind an event another writer has appended since."""
        try:
            self.heads.update_one({"_id": _HEAD_ID, "seq": {"$lt": head.seq}},
                                  {"$set": {"seq": head.seq, "hash": head.hash}}, upsert=True)
        except DuplicateKeyError:
            pass  # the upsert found the head already at or past `head`: nothing to move

    def recent(self, limit: int = 100, action: str | None = None) -> list[dict]:
        query = {"action": action} if action else {}
        return list(self.collection.find(query).sort("seq", DESCENDING).limit(limit))

    def verify(self) -> ChainReport:
        """Walk the chain in order and report the first event that breaks it."""
        expected_seq, prev_hash, checked = 1, GENESIS, 0
        for event in self.collection.find({}, {"_id": 0}).sort("seq", ASCENDING):
            seq = event.get("seq")
            if seq != expected_seq:
                return ChainReport(checked, expected_seq,
                                   f"event {expected_seq} is missing (next found is {seq})")
            if event.get("prev_hash") != prev_hash:
                return ChainReport(checked, seq,
                                   f"event {seq} does not follow event {seq - 1}: "
                                   "the earlier event was altered or removed")
            if event_hash(event) != event.get("hash"):
                return ChainReport(checked, seq, f"event {seq} was altered after it was written")
            prev_hash, expected_seq, checked = event["hash"], expected_seq + 1, checked + 1
        return ChainReport(checked)
