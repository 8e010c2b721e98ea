"""The append-only, hash-chained audit log.

Each event stores the hash of the one before it, and a unique sequence number,
so an altered event breaks its own hash and a removed one leaves a gap or a
broken link: `verify` names the first place where the chain does not hold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

GENESIS = "0" * 64
_APPEND_ATTEMPTS = 20


def _canonical(event: dict) -> bytes:
    body = {k: v for k, v in event.items() if k not in ("_id", "hash")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: dict) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _timestamp() -> str:
    # Milliseconds: what MongoDB keeps of a datetime, so the hash survives a round trip.
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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

    def ensure_indexes(self) -> None:
        self.collection.create_index([("seq", ASCENDING)], unique=True, name="seq_unique")
        self.collection.create_index([("action", ASCENDING), ("seq", DESCENDING)], name="action")

    def record(self, action: str, actor: str | None, target: str | None = None,
               **details: Any) -> dict:
        """Append one event; concurrent writers race on the unique `seq` and retry."""
        for _ in range(_APPEND_ATTEMPTS):
            last = self.collection.find_one({}, sort=[("seq", DESCENDING)])
            event = {
                "seq": (last["seq"] + 1) if last else 1,
                "at": _timestamp(),
                "action": action,
                "actor": actor,
                "target": target,
                "details": details,
                "prev_hash": last["hash"] if last else GENESIS,
            }
            event["hash"] = event_hash(event)
            try:
                self.collection.insert_one(event)
                return event
            except DuplicateKeyError:
                continue
        raise RuntimeError("could not append to the audit log: too many concurrent writers")

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
