"""The append-only audit log in the database, and how writers take turns on it.

One document, the head, says which event is last. A writer takes the next place
with a single guarded `find_one_and_update` on the head, which moves it to the new
event and keeps a copy of that event there, and only then inserts the event and
clears the copy. So each seq has exactly one writer, and writers never race each
other's inserts on the unique `seq` index. (They used to, inserting first and moving
the head after: on PostgreSQL-backed servers two such inserts of one seq can
deadlock, the insert fails with an error that is not a duplicate key, and the event
was lost.)

A writer first tries the head as it left it after its own last event, without
reading it: the guarded update fails when anyone wrote since, and the writer then
reads the head and tries again. A process that is the only writer, or writes most
events, saves a round trip per event; a guess that fails costs one.

A writer that stops between moving the head and inserting leaves its event in the
head; the next writer waits for it, stores it after a second and goes on, so the log
has no gap. While an event waits in the head, `verify` counts it as being written,
not as missing. No multi-document transaction is used: some MongoDB-compatible
servers accept one and silently do not apply it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import WriteError

from app.audit.anchors import Anchor
from app.audit.chain import GENESIS, AuditKeys, ChainReport, ChainWalk

_HEAD_ID = "head"
_APPEND_SECONDS = 30  # a writer that cannot get a turn in this long gives up loudly
# An event left in the head this long is taken to be its writer's last act, and is stored
# by the next writer. Sooner, and on a busy server every waiting writer would insert it
# alongside its own writer: inserts of one seq can deadlock each other on PostgreSQL.
_STRANDED_SECONDS = 1.0
_POLL_SECONDS = (0.001, 0.05)  # first and longest pause between reads of a busy head
_STORE_RETRIES = (0, 0.002, 0.008, 0.032, 0.128)  # seconds (then jittered) between inserts


def _timestamp() -> str:
    # Milliseconds: what MongoDB keeps of a datetime, so the hash survives a round trip.
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class _Head(NamedTuple):
    """The last event's sequence number and hash: what the next event links to."""

    seq: int
    hash: str


_EMPTY = _Head(0, GENESIS)


class AuditLog:
    """Writes audit events; offers no way to change or delete one."""

    def __init__(self, db: Database, keys: AuditKeys) -> None:
        self.collection = db.audit_events
        self.heads = db.audit_head
        self.keys = keys
        #: The head as this writer left it: when no one wrote since, the next event is
        #: appended without reading the head first (one round trip fewer).
        self._last: _Head | None = None

    def ensure_indexes(self) -> None:
        self.collection.create_index([("seq", ASCENDING)], unique=True, name="seq_unique")
        self.collection.create_index([("action", ASCENDING), ("seq", DESCENDING)], name="action")

    def record(self, action: str, actor: str | None, target: str | None = None,
               **details: Any) -> dict:
        """Append one event after the head."""
        deadline = time.monotonic() + _APPEND_SECONDS
        head = self._last  # a guess: the guarded update below checks it
        while time.monotonic() < deadline:
            if head is None:
                head = self._settled_head(deadline)
            event = self.keys.seal({"seq": head.seq + 1, "at": _timestamp(), "action": action,
                                    "actor": actor, "target": target, "details": details,
                                    "prev_hash": head.hash})
            claimed = self.heads.find_one_and_update(
                {"_id": _HEAD_ID, "seq": head.seq, "hash": head.hash, "event": {"$exists": False}},
                {"$set": {"seq": event["seq"], "hash": event["hash"], "event": dict(event)}})
            if claimed is not None and self._finish(event):
                self._last = _Head(event["seq"], event["hash"])
                return event
            head = None
        raise RuntimeError("could not append to the audit log: too many concurrent writers")

    def _settled_head(self, deadline: float) -> _Head:
        """The head once no event is waiting in it to be stored."""
        pause, seen, since = _POLL_SECONDS[0], None, 0.0
        while time.monotonic() < deadline:
            doc = self.heads.find_one({"_id": _HEAD_ID})
            if doc is None:
                self._create_head()
                continue
            if "event" not in doc:
                return _Head(doc["seq"], doc["hash"])
            if doc["seq"] != seen:
                seen, since = doc["seq"], time.monotonic()
            if time.monotonic() - since >= _STRANDED_SECONDS:
                self._finish(doc["event"], helping=True)  # its writer stopped after the head
                continue
            time.sleep(pause)  # its writer is most likely inserting it right now
            pause = min(pause * 2, _POLL_SECONDS[1])
        raise RuntimeError("could not append to the audit log: the head stays busy")

    def _create_head(self) -> None:
        """A log written before the head existed, or whose head was lost, gets one at its
        last event: the slow sorted read, needed once."""
        last = self.collection.find_one({}, sort=[("seq", DESCENDING)])
        head = _Head(last["seq"], last["hash"]) if last else _EMPTY
        try:
            self.heads.insert_one({"_id": _HEAD_ID, "seq": head.seq, "hash": head.hash})
        except WriteError:
            pass  # another writer created it first (a duplicate, or a deadlock it won)

    def _finish(self, event: dict, helping: bool = False) -> bool:
        """Store the event the head points at and clear the head's copy. False when its
        seq is already taken by another event: the head was behind the log (moved back,
        or left behind by a writer of an earlier version); it is moved to the log's end."""
        if self._store(event, look_first=helping):
            self.heads.update_one({"_id": _HEAD_ID, "seq": event["seq"]},
                                  {"$unset": {"event": ""}})
            return True
        last = self.collection.find_one({}, sort=[("seq", DESCENDING)])
        self.heads.update_one({"_id": _HEAD_ID, "seq": event["seq"], "hash": event["hash"]},
                              {"$set": {"seq": last["seq"], "hash": last["hash"]},
                               "$unset": {"event": ""}})
        return False

    def _store(self, event: dict, look_first: bool) -> bool:
        """Insert the event unless it is there; False if another event holds its seq.
        Retries are jittered so that two inserts of one seq that deadlocked do not meet
        again."""
        error: WriteError | None = None
        for pause in _STORE_RETRIES:
            if pause:
                time.sleep(random.uniform(pause / 2, pause))
            if look_first:
                stored = self.collection.find_one({"seq": event["seq"]}, {"hash": 1})
                if stored is not None:
                    return stored["hash"] == event["hash"]
            try:
                self.collection.insert_one(event)
                return True
            except WriteError as exc:  # a duplicate, or a deadlock with an insert of this seq
                error, look_first = exc, True
        stored = self.collection.find_one({"seq": event["seq"]}, {"hash": 1})
        if stored is not None:
            return stored["hash"] == event["hash"]
        raise error  # type: ignore[misc]  # the insert failed every time, for no duplicate

    def recent(self, limit: int = 100, action: str | None = None) -> list[dict]:
        query = {"action": action} if action else {}
        return list(self.collection.find(query).sort("seq", DESCENDING).limit(limit))

    def verify(self, anchors: Sequence[Anchor] = ()) -> ChainReport:
        """Walk the chain in order; then hold its end against the head and the anchors.

        The head is read first: an event written during the walk then only makes the
        log longer than the head says, never shorter."""
        head = self.heads.find_one({"_id": _HEAD_ID})
        walk = ChainWalk(self.keys)
        walk.watch = {anchor.seq for anchor in anchors} | ({head["seq"]} if head else set())
        for event in self.collection.find({}, {"_id": 0}).sort("seq", ASCENDING):
            if not walk.add(event):
                break
        problem = None if walk.bad else (_anchor_problem(walk, anchors)
                                         or _head_problem(walk, head))
        return walk.report(problem, anchors=len(anchors))


def _anchor_problem(walk: ChainWalk, anchors: Sequence[Anchor]) -> tuple[int, str] | None:
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq > walk.last_seq:
            return anchor.seq, (f"event {anchor.seq}, anchored at {anchor.at}, is gone: the "
                                f"log now ends at event {walk.last_seq}")
        if walk.hash_at(anchor.seq) != anchor.hash:
            return anchor.seq, (f"event {anchor.seq} differs from its anchor of {anchor.at}: "
                                "the log was rewritten from there")
    return None


def _head_problem(walk: ChainWalk, head: dict | None) -> tuple[int, str] | None:
    """The head records the newest event, so a removed newest event shows. A head with
    its event still in it may be one ahead: that event is being stored."""
    if head is None:
        if walk.keyed:
            return walk.last_seq + 1, "the head marker is missing: the log's end is unknown"
        return None  # a log written before the head existed
    seq = head["seq"] - ("event" in head)
    if seq > walk.last_seq:
        gone = f"event {seq} is" if seq == walk.last_seq + 1 else \
            f"events {walk.last_seq + 1} to {seq} are"
        return walk.last_seq + 1, f"{gone} missing: the head records event {head['seq']}"
    if "event" not in head and walk.hash_at(seq) != head["hash"]:
        return seq, f"event {seq} differs from the head's record of it"
    return None
