"""In-app notifications and the e-mail outbox.

A notification is addressed to one user (`user_id`) with a `kind`, the case
reference and a `read` flag. Addresses are resolved here: `user:<id>`, `team:<key>`
(the active reviewers covering the team's countries; the coordinators when the team
covers none) and `coordinators`. Staff accounts live in the `users` collection that
`app/` owns; this module only reads the fields it needs (id, e-mail, roles,
countries, active), because the worker must address people and cannot import `app`.

Every notification has an id made from a caller's key (the event it is about) and
the user, and is written with `$setOnInsert`, so a retried task or two sweeps at
once write it once. With SMTP configured an outbox message is written beside it
(again once) and `send_outbox` sends it; the e-mail carries the case reference and
nothing else about the case. A new case reaching a team (`new_case`) is not mailed
by itself: it is counted in each person's digest (`workflows.digests`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from workflows.routing import RoutingRules
from workflows.routing_provider import RoutingSource, as_source

log = logging.getLogger("mrvrs.notifications")

KINDS = ("new_case", "assignment", "reminder", "escalation", "info_requested",
         "info_provided", "reporter_message", "consent_changed", "share_offered",
         "share_decided", "transfer")
#: Kinds never mailed one by one: they reach e-mail only in the digest each person
#: paces for themselves (`workflows.digests`), since a busy team gets many a day.
DIGEST_ONLY = frozenset({"new_case"})
#: The one sentence each kind of e-mail says; the reference is the only case detail.
SENTENCES = {
    "new_case": "A new case reached your team.",
    "assignment": "A case was assigned to you.",
    "reminder": "A case you hold has passed a deadline, or a follow-up action is due.",
    "escalation": "A case has passed its escalation deadline and needs the secretariat.",
    "info_requested": "The reviewers asked for more information about a case you filed.",
    "info_provided": "The information asked for on a case has been given.",
    "reporter_message": "The reporter sent an answer or files through the status page.",
    "consent_changed": "The reporter changed their consent on a case.",
    "share_offered": "A case was shared with your team or organisation.",
    "share_decided": "A case you shared was accepted or refused.",
    "transfer": "A case was transferred to your team.",
}
PAGE = 50
#: The only account fields read here.
STAFF_FIELDS: Mapping[str, int] = {"email": 1, "roles": 1, "countries": 1, "active": 1}


class StaffDirectory:
    """Who stands behind an address, read from the accounts (never written here)."""

    def __init__(self, db: Any, rules: RoutingRules | RoutingSource) -> None:
        self.users = db.users
        self.routing = as_source(rules)

    @property
    def rules(self) -> RoutingRules:
        """The teams in force now (see `workflows.routing_provider`)."""
        return self.routing.current()

    def resolve(self, address: str) -> list[dict[str, Any]]:
        kind, _, value = address.partition(":")
        if kind == "user":
            user = self.users.find_one({"_id": value, "active": True}, STAFF_FIELDS)
            return [user] if user else []
        if kind == "team":
            countries = sorted(self.rules.teams.get(value) or ())
            if countries:
                return list(self.users.find({"roles": "reviewer", "active": True,
                                             "countries": {"$in": countries}}, STAFF_FIELDS))
        if kind == "org":
            return list(self.users.find({"roles": "member", "active": True, "org_id": value},
                                        STAFF_FIELDS))
        if kind in ("team", "coordinators"):
            return list(self.users.find({"roles": "coordinator", "active": True}, STAFF_FIELDS))
        raise ValueError(f"not a notification address: {address!r}")

    def may_hold(self, user_id: str, case: Mapping[str, Any]) -> bool:
        """Whether the user could be given `case`: an active caseworker who covers it."""
        user = self.users.find_one({"_id": str(user_id), "active": True}, STAFF_FIELDS)
        if user is None:
            return False
        roles = set(user.get("roles") or ())
        if "coordinator" in roles:
            return True
        team = case.get("team")
        if team:  # the handling team's reviewers (workflows.scope)
            where = set(self.rules.teams.get(team) or ())
        else:
            where = {case.get("country"),
                     (case.get("dimensions") or {}).get("destination_country")}
        return "reviewer" in roles and bool(where & set(user.get("countries") or ()))


class NotificationStore:
    """The `notifications` and `outbox` collections."""

    def __init__(self, db: Any, directory: StaffDirectory, *, mail: bool = False,
                 enqueue_mail: Callable[[str], object] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.notifications = db.notifications
        self.outbox = db.outbox
        self.directory = directory
        self.mail = mail
        self.enqueue_mail = enqueue_mail
        self.clock = clock

    def ensure_indexes(self) -> None:
        self.notifications.create_index([("user_id", 1), ("read", 1), ("created_at", -1)],
                                        name="user_unread")
        # the digest counts one person's notifications in a window (workflows.digests)
        self.notifications.create_index([("user_id", 1), ("created_at", 1)],
                                        name="user_created")
        self.outbox.create_index([("status", 1), ("created_at", 1)], name="status_created")

    def notify(self, kind: str, case: Mapping[str, Any], addresses: list[str],
               key: str) -> list[str]:
        """Write one notification per person behind `addresses`; returns outbox ids.

        Mail is enqueued only after every write, and a broker that is away only
        delays it: the outbox sweep sends what is left pending.
        """
        if kind not in KINDS:
            raise ValueError(f"not a notification kind: {kind!r}")
        now = self.clock()
        people = {str(u["_id"]): u for a in addresses for u in self.directory.resolve(a)}
        messages = [m for m in (self._write(kind, case, user, key, now)
                                for user in people.values()) if m]
        for message_id in messages:
            self._enqueue(message_id)
        return messages

    def _write(self, kind: str, case: Mapping[str, Any], user: Mapping[str, Any], key: str,
               now: datetime) -> str | None:
        user_id = str(user["_id"])
        reference = case.get("reference")
        self.notifications.update_one(
            {"_id": f"n:{key}:{user_id}"},
            {"$setOnInsert": {"user_id": user_id, "kind": kind, "reference": reference,
                              "case_id": case.get("_id"), "team": case.get("team"),
                              "read": False, "created_at": now}},
            upsert=True)
        if kind in DIGEST_ONLY or not (self.mail and user.get("email")):
            return None
        message_id = f"m:{key}:{user_id}"
        self.outbox.update_one(
            {"_id": message_id},
            {"$setOnInsert": {"to": user["email"], "subject": f"MRVRS: case {reference}",
                              "body": _body(kind, reference), "kind": kind,
                              "status": "pending", "attempts": 0, "created_at": now,
                              "claimed_at": None, "sent_at": None}},
            upsert=True)
        return message_id

    def _enqueue(self, message_id: str) -> None:
        if self.enqueue_mail is None:
            return
        try:
            self.enqueue_mail(message_id)
        except Exception as exc:  # broker away: the outbox sweep sends it later
            log.warning("e-mail %s not queued (%s); the outbox sweep will send it",
                        message_id, type(exc).__name__)

    def for_user(self, user_id: str, *, unread_only: bool = False,
                 limit: int = PAGE) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"user_id": str(user_id)}
        if unread_only:
            query["read"] = False
        return list(self.notifications.find(query).sort("created_at", -1).limit(limit))

    def unread_count(self, user_id: str) -> int:
        return self.notifications.count_documents({"user_id": str(user_id), "read": False})

    def mark_read(self, user_id: str, notification_id: str) -> bool:
        """Mark one of the user's own notifications read; False when it is not theirs."""
        result = self.notifications.update_one(
            {"_id": str(notification_id), "user_id": str(user_id)}, {"$set": {"read": True}})
        return result.matched_count == 1


def _body(kind: str, reference: Any) -> str:
    return (f"{SENTENCES[kind]}\n\nCase reference: {reference}\n\n"
            "Sign in to MRVRS to see it. For the safety of the people in our cases, "
            "this message says nothing more about the case.\n")
