"""Claims: a unique `_id` in `case_claims` as the compare-and-set FerretDB 1.x lacks.

FerretDB applies a conditional update by reading, changing and writing back, so two
writers can both "win". An insert of a unique `_id` cannot: whoever inserts the claim
first is the one writer until it deletes it. A claim left by a process that died is
taken over once it is older than the caller's time-to-live.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError


def take_claim(claims: Collection, claim: str, ttl: timedelta) -> bool:
    """Insert the claim; if another holds it, take it over only when older than `ttl`."""
    now = datetime.now(UTC)
    for _ in range(2):
        try:
            claims.insert_one({"_id": claim, "at": now})
            return True
        except DuplicateKeyError:
            if not claims.delete_one({"_id": claim, "at": {"$lt": now - ttl}}).deleted_count:
                return False
    return False
