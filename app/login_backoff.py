"""Failed sign-ins held back per (client, e-mail address) pair, never per account.

Locking the account itself let anyone lock any staff member out for a quarter of
an hour by typing wrong passwords. Counting failures per pair slows down whoever
guesses, from where they guess, and leaves the owner free to sign in from
anywhere else. Unknown addresses are counted exactly like known ones, so being
held off says nothing about which addresses have accounts.

The state lives in the database rather than the rate limiter's store: it must be
shared by every web process (the limiter may count in process memory), and an
administrator must be able to clear one account's pairs from every client at once.
The client is the rate limiter's key, a keyed hash of the address; the address
is kept only as a SHA-256 digest of its normalised form.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


def account_key(email: str) -> str:
    return hashlib.sha256(str(email).strip().lower().encode()).hexdigest()


class LoginBackoff:
    def __init__(self, db: Database) -> None:
        self.collection = db.login_backoff

    def ensure_indexes(self) -> None:
        self.collection.create_index([("account", ASCENDING)], name="account")
        # Pairs nobody has failed from lately go away by themselves.
        self.collection.create_index([("expires_at", ASCENDING)], name="expiry",
                                     expireAfterSeconds=0)

    @staticmethod
    def _pair(client: str, email: str) -> tuple[str, str]:
        account = account_key(email)
        return f"{client}|{account}", account

    def held(self, client: str, email: str, now: datetime) -> bool:
        """True while this client may not try this address."""
        key, _account = self._pair(client, email)
        return self.collection.find_one({"_id": key, "held_until": {"$gt": now}},
                                        {"_id": 1}) is not None

    def record_failure(self, client: str, email: str, *, max_failures: int, hold: timedelta,
                       now: datetime) -> bool:
        """Count a failure; at `max_failures` within `hold` of each other the pair is held
        for `hold`. Returns True when this failure started a hold."""
        key, account = self._pair(client, email)
        self.collection.delete_one({"_id": key, "expires_at": {"$lte": now}})  # a stale count
        try:
            doc = self._count(key, account, client, now + hold)
        except DuplicateKeyError:  # two first failures at once: the other inserted it
            doc = self._count(key, account, client, now + hold)
        if doc["failures"] < max_failures:
            return False
        self.collection.update_one({"_id": key}, {"$set": {
            "held_until": now + hold, "expires_at": now + hold, "failures": 0}})
        return True

    def _count(self, key: str, account: str, client: str, expires_at: datetime) -> dict:
        return self.collection.find_one_and_update(
            {"_id": key},
            {"$inc": {"failures": 1}, "$set": {"expires_at": expires_at},
             "$setOnInsert": {"account": account, "client": client}},
            upsert=True, return_document=ReturnDocument.AFTER,
        )

    def forget(self, client: str, email: str) -> None:
        """A successful sign-in from the pair starts it afresh."""
        key, _account = self._pair(client, email)
        self.collection.delete_one({"_id": key})

    def clear_account(self, email: str) -> int:
        """Lift every hold and count on an address, from every client; returns how many."""
        return self.collection.delete_many({"account": account_key(email)}).deleted_count
