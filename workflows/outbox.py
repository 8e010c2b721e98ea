"""Sending the e-mail outbox through SMTP, each message marked sent once.

A message goes `pending` -> `sending` (claimed, with the time) -> `sent`. The claim
is a guarded update, so two deliveries of the same task send once; a claim older
than `CLAIM_LEASE` counts as abandoned (the worker died) and may be taken again.
A failed attempt puts the message back to `pending` for the task's retry; the
task marks it `failed` when its retries run out. SMTP has no transactions, so a
worker dying between the server's "250 OK" and the `sent` mark can send a message
twice; nothing else can.

E-mail is built with the standard library (`email.message`, `smtplib`).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

CLAIM_LEASE = timedelta(minutes=10)
#: A pending message older than this is re-enqueued by the outbox sweep.
STALE_PENDING = timedelta(minutes=2)
SMTP_TIMEOUT = 20


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    """`smtp://user:password@host:port` (STARTTLS when offered) or `smtps://` (TLS)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.secure = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.secure else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.secure:
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT,
                                                    context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        with client:
            client.ehlo()
            if not self.secure and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if self.user:
                client.login(self.user, self.password or "")
            client.send_message(message)


def build_message(doc: dict[str, Any], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = doc["to"]
    message["Subject"] = doc["subject"]
    message["Message-ID"] = make_msgid(domain="mrvrs")
    message.set_content(doc["body"])
    return message


def send_message(db: Any, message_id: str, transport: Transport, sender: str,
                 now: datetime) -> str:
    """Send one outbox message once; returns sent, already or missing.

    :raise smtplib.SMTPException, OSError: the attempt failed; the message is pending again.
    """
    doc = db.outbox.find_one_and_update(
        {"_id": str(message_id), "$or": [{"status": "pending"},
                                         {"status": "sending",
                                          "claimed_at": {"$lt": now - CLAIM_LEASE}}]},
        {"$set": {"status": "sending", "claimed_at": now}, "$inc": {"attempts": 1}},
        return_document=True)
    if doc is None:
        return "already" if db.outbox.find_one({"_id": str(message_id)}) else "missing"
    try:
        transport.send(build_message(doc, sender))
    except (smtplib.SMTPException, OSError) as exc:
        db.outbox.update_one({"_id": doc["_id"], "status": "sending"},
                             {"$set": {"status": "pending", "last_error": type(exc).__name__}})
        raise
    db.outbox.update_one({"_id": doc["_id"]}, {"$set": {"status": "sent", "sent_at": now}})
    return "sent"


def mark_failed(db: Any, message_id: str, error: str, now: datetime) -> None:
    """Give up on a message whose retries ran out; it stays for an administrator to see."""
    db.outbox.update_one({"_id": str(message_id), "status": {"$in": ["pending", "sending"]}},
                         {"$set": {"status": "failed", "failed_at": now, "last_error": error}})


def resend_pending(db: Any, enqueue: Callable[[str], object], now: datetime,
                   limit: int = 500) -> int:
    """Enqueue messages left pending (broker away) or claimed by a worker that died."""
    stale = db.outbox.find(
        {"$or": [{"status": "pending", "created_at": {"$lt": now - STALE_PENDING}},
                 {"status": "sending", "claimed_at": {"$lt": now - CLAIM_LEASE}}]},
        {"_id": 1}).sort("created_at", 1).limit(limit)
    count = 0
    for doc in stale:
        enqueue(doc["_id"])
        count += 1
    return count
