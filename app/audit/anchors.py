"""Signed checkpoints of the audit log, kept away from its database.

A keyed chain stops anyone without the key from rewriting events, but not from
cutting off the newest ones and setting the head back: what is left is still a
valid chain. An anchor records one event's seq and hash at a moment, signed with
an HMAC under the audit key, and is kept where a database intruder cannot reach
(another machine, a mailbox, paper). `verify` then reports an anchored event that is
gone or differs, and so a log that is shorter than an anchor.

An HMAC rather than a public-key signature: the app must hold the signing key to
make anchors, so a signature would stop no one an HMAC does not, and one secret
is simpler to keep than two. The signed bytes start with a label no event's
canonical form can start with, so an event seal never passes for an anchor's.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict, dataclass

from app.audit.chain import GENESIS, AuditKeys

FORMAT = "mrvrs-audit-anchor/1"
_LABEL = b"mrvrs audit anchor\n"
_FIELDS = ("seq", "hash", "at", "key_id")


class AnchorError(ValueError):
    """An anchor that cannot be read or whose signature does not hold."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    key_id: str
    mac: str = ""


def _signed_bytes(anchor: Anchor) -> bytes:
    fields = {name: getattr(anchor, name) for name in _FIELDS}
    return _LABEL + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def make_anchor(keys: AuditKeys, seq: int, event_hash: str, at: str) -> Anchor:
    unsigned = Anchor(seq, event_hash, at, keys.current_id)
    mac = keys.mac(keys.current_id, _signed_bytes(unsigned))
    return Anchor(seq, event_hash, at, keys.current_id, mac or "")


def dumps(anchor: Anchor) -> str:
    return json.dumps({"format": FORMAT, **asdict(anchor)}, indent=2) + "\n"


def loads(text: str, keys: AuditKeys, source: str) -> Anchor:
    """The anchor in `text`, its signature checked; `source` names it in errors."""
    try:
        data = json.loads(text)
    except ValueError:
        raise AnchorError(f"{source} is not an audit anchor (not JSON)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AnchorError(f"{source} is not an audit anchor (format is not {FORMAT})")
    anchor = _parsed(data, source)
    expected = keys.mac(anchor.key_id, _signed_bytes(anchor))
    if expected is None:
        raise AnchorError(f"{source} is signed with an audit key this deployment does not "
                          f"have (key id {anchor.key_id})")
    if not hmac.compare_digest(expected, anchor.mac):
        raise AnchorError(f"{source} does not carry a valid signature: it was altered or "
                          "made without the audit key")
    return anchor


def _parsed(data: dict, source: str) -> Anchor:
    seq, mac = data.get("seq"), data.get("mac")
    texts = [data.get(name) for name in ("hash", "at", "key_id")]
    if (not isinstance(seq, int) or isinstance(seq, bool) or seq < 0
            or not all(isinstance(t, str) for t in [*texts, mac])
            or len(texts[0]) != len(GENESIS)):
        raise AnchorError(f"{source} is not an audit anchor (a field is missing or malformed)")
    return Anchor(seq, texts[0], texts[1], texts[2], mac)
