"""The append-only audit log, sealed with a keyed hash chain and anchored outside it.

`chain` seals events and checks a chain, `log` keeps them in the database, and
`anchors` makes and reads the signed checkpoints kept elsewhere.
"""

from __future__ import annotations

from app.audit.anchors import Anchor, AnchorError, make_anchor
from app.audit.chain import GENESIS, AuditKeys, ChainReport, legacy_hash
from app.audit.log import AuditLog

__all__ = ["GENESIS", "Anchor", "AnchorError", "AuditKeys", "AuditLog", "ChainReport",
           "legacy_hash", "make_anchor"]
