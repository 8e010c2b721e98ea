"""Sealing audit events into a keyed hash chain, and the walk that checks one.

Each event carries the seal of the one before it (`prev_hash`) and its own seal
(`hash`): an HMAC-SHA-256 under the audit key, which lives in the environment and
never in the database. Whoever can write to the database but does not hold the
key cannot alter an event and recompute the seals after it.

Events written before keyed sealing carry no `scheme` and a plain SHA-256 hash.
They are accepted only as the start of the log: once a keyed event appears, every
later event must be keyed, so the seals cannot be downgraded to ones anybody can
recompute. The first keyed event seals the hash of the last legacy one, so the
legacy part is covered too, as far as an anchor or the count of legacy events shows
that nobody rewrote the keyed part as legacy. The same holds for keys: after a
rotation an event sealed with a retired key may not follow one sealed with a newer key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64
SCHEME = "hmac-sha256"
_KEY_ID_LABEL = b"mrvrs audit key id"


def canonical(event: Mapping) -> bytes:
    """The bytes a seal covers: every field but the store's `_id` and the seal itself."""
    body = {k: v for k, v in event.items() if k not in ("_id", "hash")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def legacy_hash(event: Mapping) -> str:
    """The unkeyed hash of events written before keyed sealing."""
    return hashlib.sha256(canonical(event)).hexdigest()


class AuditKeys:
    """The audit key that seals new events, and earlier keys kept to check old ones.

    Events and anchors name their key by an id derived from it (not the key), so a
    rotated key keeps verifying what it sealed while only the newest one seals.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        secrets = [key.encode() for key in keys]
        if not secrets:
            raise ValueError("at least one audit key is needed")
        self._by_id = {self._id_of(key): key for key in secrets}
        self._rank = {key_id: rank for rank, key_id in enumerate(self._by_id)}
        self.current_id = self._id_of(secrets[0])

    @staticmethod
    def _id_of(key: bytes) -> str:
        return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]

    def age(self, key_id: str) -> int:
        """0 for the current key, 1 for the one before, and so on."""
        return self._rank.get(key_id, len(self._rank))

    def mac(self, key_id: str, data: bytes) -> str | None:
        """The HMAC of `data` under the key `key_id`; None for a key this deployment lacks."""
        key = self._by_id.get(key_id)
        return hmac.new(key, data, hashlib.sha256).hexdigest() if key is not None else None

    def seal(self, event: dict) -> dict:
        """`event` with its scheme, key id and keyed hash set."""
        event.update(scheme=SCHEME, key_id=self.current_id)
        event["hash"] = self.mac(self.current_id, canonical(event))
        return event

    def sealed(self, event: Mapping) -> str | None:
        """What the event's `hash` must be, or None when its key is unknown here."""
        if event.get("scheme") is None:
            return legacy_hash(event)
        if event.get("scheme") != SCHEME:
            return None
        return self.mac(str(event.get("key_id")), canonical(event))


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found: `problem` names the first place the log does not hold."""

    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    legacy: int = 0  # events with the unkeyed hash of earlier versions
    anchors: int = 0  # anchors the log was checked against
    last_seq: int = 0
    last_hash: str = GENESIS

    @property
    def intact(self) -> bool:
        return self.problem is None


class ChainWalk:
    """Checks events fed in `seq` order, one at a time, so a long log is never all in
    memory; keeps the hashes of the seqs in `watch` (anchors, the head) for checks
    against records kept outside the events."""

    def __init__(self, keys: AuditKeys) -> None:
        self.keys = keys
        self.expected, self.prev, self.checked, self.legacy = 1, GENESIS, 0, 0
        self.keyed = False
        self.key_age: int | None = None  # of the newest key met so far
        self.bad: tuple[int, str] | None = None
        self.seen: dict[int, str] = {}
        self.watch: set[int] = set()

    def add(self, event: Mapping) -> bool:
        """Check the next event; False once the chain is broken."""
        seq = event.get("seq")
        if seq != self.expected:
            return self._break(self.expected, f"event {self.expected} is missing "
                                              f"(next found is {seq})")
        if event.get("prev_hash") != self.prev:
            return self._break(seq, f"event {seq} does not follow event {seq - 1}: "
                                    "the earlier event was altered or removed")
        if event.get("scheme") is None and self.keyed:
            return self._break(seq, f"event {seq} carries the unkeyed hash of earlier "
                                    "versions after keyed events: it was rewritten")
        expected = self.keys.sealed(event)
        if expected is None:
            return self._break(seq, f"event {seq} is sealed with a key this deployment "
                                    f"does not have (key id {event.get('key_id')})")
        if not hmac.compare_digest(expected, str(event.get("hash"))):
            return self._break(seq, f"event {seq} was altered after it was written")
        if self._older_key(event):
            return self._break(seq, f"event {seq} is sealed with an older key than an event "
                                    "before it: it was rewritten with a retired key (or a "
                                    "process kept the old key after the rotation)")
        self.keyed = self.keyed or event.get("scheme") is not None
        self.legacy += event.get("scheme") is None
        if seq in self.watch:
            self.seen[seq] = event["hash"]
        self.prev, self.expected, self.checked = event["hash"], seq + 1, self.checked + 1
        return True

    def _older_key(self, event: Mapping) -> bool:
        """Keys only ever get newer along the log: a later event under a retired key was
        resealed by someone holding that key."""
        if event.get("scheme") is None:
            return False
        age = self.keys.age(str(event.get("key_id")))
        older = self.key_age is not None and age > self.key_age
        self.key_age = age if self.key_age is None else min(age, self.key_age)
        return older

    def _break(self, seq: int, problem: str) -> bool:
        self.bad = (seq, problem)
        return False

    @property
    def last_seq(self) -> int:
        return self.expected - 1

    def hash_at(self, seq: int) -> str | None:
        return GENESIS if seq == 0 else self.seen.get(seq)

    def report(self, extra_problem: tuple[int, str] | None = None, anchors: int = 0
               ) -> ChainReport:
        bad = self.bad or extra_problem
        return ChainReport(self.checked, bad[0] if bad else None, bad[1] if bad else None,
                           legacy=self.legacy, anchors=anchors, last_seq=self.last_seq,
                           last_hash=self.prev)
