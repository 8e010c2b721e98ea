"""Who may read and act on a report through the status page: code holds and grants.

**Guessing codes.** A tracking code carries about 100 bits (`workflows.tracking`), and
the status form is rate-limited per client. On top of that, wrong codes are counted
per reference, from every client together: after `status_max_failures` wrong codes
within `status_hold_seconds`, that reference takes no code at all, right or wrong,
until the hold ends. Many clients guessing at one person's report therefore get a
handful of tries an hour between them. References that do not exist are counted
and held exactly like real ones, and a held reference gets the same neutral answer
as a wrong code, so neither the answer nor the hold says whether a reference exists.
The price is that someone who knows a reference can keep its owner out for a while;
the hold is short and the owner can still reach the organisation helping them.
The counts live in the database (not the rate limiter's store, which may count in
process memory), so every web process sees the same; the reference is stored only
as a keyed hash.

**Carrying the verified report between pages.** Once the reference and code match,
the server issues a grant: a random token whose SHA-256 is stored with the case id
and an expiry `status_grant_seconds` after its last use. The token goes into the
signed, HttpOnly session cookie and the browser is redirected (303) to the report
page, so the code is never in a URL, never in a page, and never in a history entry
that "back" or "reload" could post again; the forms on the report page carry only
their CSRF token. Every post finds its case through the grant again. On a shared
phone the report is readable only until the grant expires or the reporter presses
"Leave", which deletes the grant on the server. Hidden fields holding the code were
rejected: the code would sit in the page and be re-posted by a reload.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


class CodeHolds:
    """Wrong tracking codes counted per reference (`status_code_holds`)."""

    def __init__(self, db: Database, secret: bytes) -> None:
        self.collection = db.status_code_holds
        self.secret = secret

    def ensure_indexes(self) -> None:
        self.collection.create_index([("expires_at", ASCENDING)], name="expiry",
                                     expireAfterSeconds=0)

    def key(self, reference: str) -> str:
        """A keyed hash of the reference, spelt as the case lookup reads it."""
        spelt = str(reference).strip().upper()
        return hmac.new(self.secret, spelt.encode(), "sha256").hexdigest()

    def held(self, reference: str, now: datetime) -> bool:
        return self.collection.find_one({"_id": self.key(reference), "held_until": {"$gt": now}},
                                        {"_id": 1}) is not None

    def record_failure(self, reference: str, *, max_failures: int, hold: timedelta,
                       now: datetime) -> bool:
        """Count a wrong code; the `max_failures`-th within `hold` starts a hold of `hold`.
        Returns True when this failure started one."""
        key = self.key(reference)
        self.collection.delete_one({"_id": key, "expires_at": {"$lte": now}})  # a stale count
        try:
            doc = self._count(key, now + hold)
        except DuplicateKeyError:  # two first failures at once: the other inserted it
            doc = self._count(key, now + hold)
        if doc["failures"] < max_failures:
            return False
        self.collection.update_one({"_id": key}, {"$set": {
            "held_until": now + hold, "expires_at": now + hold, "failures": 0}})
        return True

    def _count(self, key: str, expires_at: datetime) -> dict:
        return self.collection.find_one_and_update(
            {"_id": key}, {"$inc": {"failures": 1}, "$set": {"expires_at": expires_at}},
            upsert=True, return_document=ReturnDocument.AFTER)

    def forget(self, reference: str) -> None:
        """The right code outside a hold starts the count afresh."""
        self.collection.delete_one({"_id": self.key(reference), "held_until": {"$exists": False}})


class StatusGrants:
    """Short-lived server-side grants to one case (`status_grants`)."""

    def __init__(self, db: Database) -> None:
        self.collection = db.status_grants

    def ensure_indexes(self) -> None:
        self.collection.create_index([("expires_at", ASCENDING)], name="expiry",
                                     expireAfterSeconds=0)

    @staticmethod
    def _id(token: str) -> str:
        return hashlib.sha256(str(token).encode()).hexdigest()

    def issue(self, case_id: str, *, lifetime: timedelta, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        self.collection.insert_one({"_id": self._id(token), "case_id": str(case_id),
                                    "created_at": now, "expires_at": now + lifetime})
        return token

    def case_id(self, token: str | None, *, lifetime: timedelta, now: datetime) -> str | None:
        """The case a live grant is for, extending it by `lifetime`; None when it is
        missing or expired (the TTL index may not have removed it yet)."""
        if not token or not isinstance(token, str):
            return None
        doc = self.collection.find_one_and_update(
            {"_id": self._id(token), "expires_at": {"$gt": now}},
            {"$set": {"expires_at": now + lifetime}}, return_document=ReturnDocument.AFTER)
        return doc["case_id"] if doc else None

    def revoke(self, token: str | None) -> None:
        if token and isinstance(token, str):
            self.collection.delete_one({"_id": self._id(token)})
