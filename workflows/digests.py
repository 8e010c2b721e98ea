"""The e-mail digest: one message per person and period, counting what is new.

A person picks how often (`never`, `hourly`, `daily`; stored on their account as
`digest`, which `app/` owns and this module only reads). A period's digest covers
the notifications written from the end of that person's last digest up to the start
of the current period, so its window is fixed whatever moment a run happens in it:

- the message id is the person and the window's end, written with `$setOnInsert`,
  and `send_outbox` sends a message once, so a retried or doubled run mails nothing
  twice;
- the window's end is stored after the message (`$max`, never moving back), so a run
  that dies in between writes the same message again on the next run, not a new one.

The message says how many new cases and other notifications there are, with links to
the queue and the notifications; never a reference, name or any answer, since the
people in these cases can be deported if one leaks. `compose_digest` is the pure core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FREQUENCIES = ("never", "hourly", "daily")
PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}
#: Who gets a daily digest until they choose: the people who work cases.
DAILY_BY_DEFAULT = frozenset({"reviewer", "coordinator"})
USER_FIELDS = {"email": 1, "roles": 1, "digest": 1}


def frequency_of(user: Mapping[str, Any]) -> str:
    """The person's choice, else daily for caseworkers and never for anyone else."""
    chosen = user.get("digest")
    if chosen in FREQUENCIES:
        return str(chosen)
    return "daily" if DAILY_BY_DEFAULT & set(user.get("roles") or ()) else "never"


def period_start(frequency: str, now: datetime) -> datetime:
    """The start of the hour or (UTC) day `now` is in: the end of the window to send."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return hour if frequency == "hourly" else hour.replace(hour=0)


@dataclass(frozen=True)
class Digest:
    subject: str
    body: str


def compose_digest(new_cases: int, others: int, since: datetime, until: datetime,
                   queue_url: str, notifications_url: str) -> Digest | None:
    """The message for a window holding `new_cases` and `others`; None when empty."""
    if new_cases <= 0 and others <= 0:
        return None
    lines = [f"Between {since:%Y-%m-%d %H:%M} and {until:%Y-%m-%d %H:%M} UTC:", ""]
    if new_cases:
        lines.append(f"- {new_cases} new case{'s' if new_cases != 1 else ''} reached your team")
    if others:
        lines.append(f"- {others} other notification{'s' if others != 1 else ''}")
    lines += ["", f"Your team's queue: {queue_url}", f"Your notifications: {notifications_url}",
              "", "Sign in to MRVRS to see them. For the safety of the people in our cases, "
              "this message says nothing about any case.",
              "You can change how often you get this message on your account page."]
    total = new_cases + others
    return Digest(f"MRVRS: {total} new notification{'s' if total != 1 else ''}",
                  "\n".join(lines) + "\n")


def send_digests(db: Any, enqueue: Callable[[str], object] | None, now: datetime,
                 base_url: str) -> int:
    """Write (and enqueue) the digest of everyone due one; returns how many were written."""
    base = base_url.rstrip("/")
    sent = 0
    people = db.users.find({"active": True, "email": {"$nin": [None, ""]}}, USER_FIELDS)
    for user in people:
        frequency = frequency_of(user)
        if frequency == "never":
            continue
        message_id = _digest_for(db, user, frequency, now, base)
        if message_id is not None:
            sent += 1
            _enqueue(enqueue, message_id)
    return sent


def _digest_for(db: Any, user: Mapping[str, Any], frequency: str, now: datetime,
                base: str) -> str | None:
    user_id, until = str(user["_id"]), period_start(frequency, now)
    state = db.digests.find_one({"_id": user_id}) or {}
    since = state.get("until") or until - PERIODS[frequency]
    if since.tzinfo is None:
        since = since.replace(tzinfo=until.tzinfo)
    if since >= until:
        return None
    window = {"user_id": user_id, "created_at": {"$gte": since, "$lt": until}}
    new_cases = db.notifications.count_documents({**window, "kind": "new_case"})
    others = db.notifications.count_documents({**window, "kind": {"$ne": "new_case"}})
    digest = compose_digest(new_cases, others, since, until, f"{base}/cases/?queue=team",
                            f"{base}/cases/notifications")
    message_id = None
    if digest is not None:
        message_id = f"d:{user_id}:{until.isoformat()}"
        db.outbox.update_one(
            {"_id": message_id},
            {"$setOnInsert": {"to": user["email"], "subject": digest.subject,
                              "body": digest.body, "kind": "digest", "status": "pending",
                              "attempts": 0, "created_at": now, "claimed_at": None,
                              "sent_at": None}},
            upsert=True)
    db.digests.update_one({"_id": user_id}, {"$max": {"until": until}}, upsert=True)
    return message_id


def _enqueue(enqueue: Callable[[str], object] | None, message_id: str) -> None:
    if enqueue is None:
        return
    try:
        enqueue(message_id)
    except Exception:  # broker away: the outbox sweep sends what is left pending
        pass
