"""Accounts: organisations, users and API tokens (the collections `app/` owns)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.login_backoff import LoginBackoff
from app.passwords import Passwords, password_problem
from app.roles import normalise_roles
from workflows.digests import FREQUENCIES

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class OrganisationStore:
    def __init__(self, db: Database) -> None:
        self.collection = db.organisations

    def ensure_indexes(self) -> None:
        self.collection.create_index([("name", ASCENDING)], unique=True, name="name_unique")

    def create(self, name: str, country: str, kind: str = "member") -> dict:
        name = str(name).strip()
        country = str(country).strip().upper()
        if not name:
            raise AccountError("An organisation needs a name.")
        if not COUNTRY_PATTERN.match(country):
            raise AccountError(f"{country!r} is not a two-letter country code.")
        doc = {"_id": _new_id("o"), "name": name, "country": country, "kind": kind,
               "created_at": _now()}
        try:
            self.collection.insert_one(doc)
        except DuplicateKeyError:
            raise AccountError(f"An organisation called {name!r} already exists.") from None
        return doc

    def get(self, org_id: str) -> dict | None:
        return self.collection.find_one({"_id": str(org_id)})

    def by_name(self, name: str) -> dict | None:
        return self.collection.find_one({"name": str(name)})

    def all(self) -> list[dict]:
        return list(self.collection.find().sort("name", ASCENDING))


class UserStore:
    """Users with hashed passwords and roles; failed sign-ins are held back per client."""

    def __init__(self, db: Database, passwords: Passwords | None = None) -> None:
        self.collection = db.users
        self.passwords = passwords or Passwords()
        self.tokens = TokenStore(db)
        self.backoff = LoginBackoff(db)

    def ensure_indexes(self) -> None:
        self.collection.create_index([("email", ASCENDING)], unique=True, name="email_unique")
        self.collection.create_index([("roles", ASCENDING)], name="roles")
        self.backoff.ensure_indexes()

    def create(self, email: str, password: str, roles: list[str], *, name: str = "",
               org_id: str | None = None, countries: list[str] | None = None) -> dict:
        email = str(email).strip().lower()
        if not EMAIL_PATTERN.match(email):
            raise AccountError(f"{email!r} is not an e-mail address.")
        problem = password_problem(password)
        if problem:
            raise AccountError(problem)
        try:
            clean_roles = normalise_roles(roles)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
        if not clean_roles:
            raise AccountError("A user needs at least one role.")
        doc = {
            "_id": _new_id("u"), "email": email, "name": name.strip(),
            "password_hash": self.passwords.hash(password), "roles": clean_roles,
            "org_id": org_id, "countries": sorted({c.upper() for c in countries or []}),
            "active": True, "auth_version": 1,
            "created_at": _now(),
        }
        try:
            self.collection.insert_one(doc)
        except DuplicateKeyError:
            raise AccountError(f"A user with the e-mail {email} already exists.") from None
        return doc

    def get(self, user_id: str) -> dict | None:
        return self.collection.find_one({"_id": str(user_id)})

    def by_email(self, email: str) -> dict | None:
        return self.collection.find_one({"email": str(email).strip().lower()})

    def emails_for(self, user_ids: list[str]) -> dict[str, str]:
        """E-mail addresses by user id, for many users in one query (a page of events)."""
        found = self.collection.find({"_id": {"$in": [str(i) for i in user_ids]}},
                                     {"email": 1})
        return {doc["_id"]: doc["email"] for doc in found}

    def count(self) -> int:
        return self.collection.count_documents({})

    def all(self) -> list[dict]:
        return list(self.collection.find({}, {"password_hash": 0}).sort("email", ASCENDING))

    def authenticate(self, email: str, password: str, *, client: str, max_failures: int,
                     backoff: timedelta) -> tuple[dict | None, str]:
        """Check a sign-in from `client`; returns (user, outcome), the outcome one of ok,
        wrong, unknown, inactive or held.

        Every outcome but held costs one Argon2 verification, against a dummy hash
        when the address is unknown, and every failure is counted the same way
        against the (client, address) pair: neither the answer nor its time says
        whether the account exists. A held pair is refused without checking the
        password, even the right one, so guessing from there gains nothing.
        """
        now = _now()
        user = self.by_email(email)
        if self.backoff.held(client, email, now):
            return user, "held"
        matches = self.passwords.verify(
            user["password_hash"] if user else self.passwords.dummy_hash, password)
        outcome = ("unknown" if user is None else "inactive" if not user.get("active", True)
                   else "ok" if matches else "wrong")
        if outcome != "ok":
            self.backoff.record_failure(client, email, max_failures=max_failures, hold=backoff,
                                        now=now)
            return user, outcome
        self.backoff.forget(client, email)
        updates: dict[str, Any] = {"last_login_at": now}
        if self.passwords.needs_rehash(user["password_hash"]):
            updates["password_hash"] = self.passwords.hash(password)
        self.collection.update_one({"_id": user["_id"]}, {"$set": updates})
        return user, "ok"

    def clear_backoff(self, user_id: str) -> int | None:
        """Let the user sign in again from every client; None when there is no such user."""
        user = self.get(user_id)
        return None if user is None else self.backoff.clear_account(user["email"])

    def set_password(self, user_id: str, password: str) -> int:
        """Change the password, ending every session and revoking every API token.

        A password is changed because it may be known to someone else, who may also
        hold a token made with it. Tokens go first, so a failure leaves none behind.
        Returns how many tokens were revoked.
        """
        problem = password_problem(password)
        if problem:
            raise AccountError(problem)
        revoked = self.tokens.revoke_all(user_id)
        self.collection.update_one(
            {"_id": user_id},
            {"$set": {"password_hash": self.passwords.hash(password)},
             "$inc": {"auth_version": 1}},
        )
        return revoked

    def set_active(self, user_id: str, active: bool) -> int:
        """Deactivating also ends every open session and revokes every API token, so
        activating the account again brings none of them back. Returns the tokens revoked."""
        revoked = 0 if active else self.tokens.revoke_all(user_id)
        self.collection.update_one(
            {"_id": user_id}, {"$set": {"active": bool(active)}, "$inc": {"auth_version": 1}}
        )
        return revoked

    def set_digest(self, user_id: str, frequency: str) -> str | None:
        """Store how often the person wants the e-mail digest; returns the previous choice.

        :raise AccountError: not one of `workflows.digests.FREQUENCIES`.
        """
        if frequency not in FREQUENCIES:
            raise AccountError(f"The digest is sent {', '.join(FREQUENCIES)}.")
        before = self.collection.find_one_and_update(
            {"_id": user_id}, {"$set": {"digest": frequency}}, {"digest": 1})
        return (before or {}).get("digest")


def _as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC one (a client without tz_aware returns it naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Per-user API tokens, stored only as SHA-256 digests of high-entropy secrets."""

    PREFIX = "mrvrs_"
    #: How stale the recorded last use of a token may get before a use rewrites it.
    LAST_USED_STEP = timedelta(minutes=1)

    def __init__(self, db: Database) -> None:
        self.collection = db.api_tokens

    def ensure_indexes(self) -> None:
        self.collection.create_index([("digest", ASCENDING)], unique=True, name="digest_unique")
        self.collection.create_index([("user_id", ASCENDING)], name="user")

    def create(self, user_id: str, label: str) -> tuple[dict, str]:
        """Return the stored record and the token itself, which is never stored."""
        label = str(label).strip()[:80]
        if not label:
            raise AccountError("Give the token a name so you can recognise it later.")
        token = self.PREFIX + secrets.token_urlsafe(32)
        doc = {"_id": _new_id("t"), "user_id": user_id, "label": label,
               "digest": _token_digest(token), "hint": token[-4:], "created_at": _now(),
               "last_used_at": None, "revoked_at": None}
        self.collection.insert_one(doc)
        return doc, token

    def for_user(self, user_id: str) -> list[dict]:
        return list(self.collection.find({"user_id": user_id}).sort("created_at", ASCENDING))

    def revoke(self, user_id: str, token_id: str) -> bool:
        result = self.collection.update_one(
            {"_id": str(token_id), "user_id": user_id, "revoked_at": None},
            {"$set": {"revoked_at": _now()}},
        )
        return result.modified_count == 1

    def revoke_all(self, user_id: str) -> int:
        """Revoke every token of a user still in force; returns how many."""
        result = self.collection.update_many({"user_id": str(user_id), "revoked_at": None},
                                             {"$set": {"revoked_at": _now()}})
        return result.modified_count

    def resolve(self, token: str) -> dict | None:
        """The active token record for a presented token, or None.

        A read; the last use is written only when the stored one is older than
        `LAST_USED_STEP` (the account page shows it to the minute), so a partner
        system filing cases does not pay a write per request for it.
        """
        if not isinstance(token, str) or not token.startswith(self.PREFIX):
            return None
        record = self.collection.find_one({"digest": _token_digest(token), "revoked_at": None})
        if record is None:
            return None
        now, last = _now(), record.get("last_used_at")
        if last is None or now - _as_utc(last) >= self.LAST_USED_STEP:
            self.collection.update_one({"_id": record["_id"], "revoked_at": None},
                                       {"$set": {"last_used_at": now}})
        return record
