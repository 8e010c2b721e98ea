"""Unsent reports: the answers a reporter has typed so far, kept for a short time.

A questionnaire in steps has to carry answers from one page to the next without
putting them in the address (it stays in the history of a shared phone) or in the
cookie (it travels with every request and outlives the tab). So the server keeps
them: one document per draft, its answers sealed with the data key (Fernet, see
`workflows.sealing`), its id random and known only to the browser's session.

A draft removes itself: ``expires_at`` carries a TTL index, so the database drops
it once the lifetime has passed, and `get` already treats an expired draft as
gone. The draft also reserves the id its case will have, so evidence uploaded on
one step is stored at once as *pending* attachments under that id (the same
checks and SHA-256 as any intake) and becomes the case's when the report is sent;
the files of a draft never sent are deleted by the ``drafts`` sweep.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from workflows.attachments import PENDING, AttachmentStore
from workflows.repository import new_case_id
from workflows.sealing import Sealer, SealError

COLLECTION = "drafts"


@dataclass
class Draft:
    """One reporter's unsent answers to one form.

    `values` are the inputs as the browser posted them (name -> list of strings), so
    an answer that does not pass yet ("many" in a number box) is shown back as typed.
    `reached` lists the steps the reporter has opened, in order; `attachments` the
    pending files (as `AttachmentStore.put_pending` describes them); `submission` the
    one-time token the final page carries.
    """

    id: str
    form_id: str
    case_id: str
    submission: str
    values: dict[str, list[str]] = field(default_factory=dict)
    reached: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def reach(self, step: str) -> None:
        if step not in self.reached:
            self.reached.append(step)


class DraftStore:
    """The ``drafts`` collection, owned by `workflows/`."""

    def __init__(self, db: Database, sealer: Sealer, lifetime: timedelta) -> None:
        self.drafts = db[COLLECTION]
        self.sealer = sealer
        self.lifetime = lifetime

    def ensure_indexes(self) -> None:
        self.drafts.create_index([("expires_at", ASCENDING)], name="expiry",
                                 expireAfterSeconds=0)

    def create(self, form_id: str) -> Draft:
        """A new, empty draft (not stored until `save`)."""
        return Draft(id=secrets.token_urlsafe(24), form_id=form_id, case_id=new_case_id(),
                     submission=secrets.token_urlsafe(16))

    def save(self, draft: Draft, now: datetime) -> None:
        """Store the draft, sealed; every save starts its lifetime again."""
        sealed = self.sealer.seal({"values": draft.values, "reached": draft.reached,
                                   "attachments": draft.attachments,
                                   "submission": draft.submission})
        self.drafts.replace_one(
            {"_id": draft.id},
            {"_id": draft.id, "form_id": draft.form_id, "case_id": draft.case_id,
             "sealed": sealed, "updated_at": now, "expires_at": now + self.lifetime},
            upsert=True)

    def get(self, draft_id: Any, form_id: str, now: datetime) -> Draft | None:
        """The live draft of that id for that form, or None (unknown, expired, unreadable)."""
        if not isinstance(draft_id, str) or not draft_id:
            return None
        doc = self.drafts.find_one({"_id": draft_id, "form_id": str(form_id)})
        if doc is None or _naive(doc["expires_at"]) <= _naive(now):
            return None
        try:
            content = self.sealer.open(doc["sealed"])
        except SealError:  # the data key changed: the draft cannot be read, so it is gone
            return None
        return Draft(id=doc["_id"], form_id=doc["form_id"], case_id=doc["case_id"],
                     submission=content.get("submission", ""),
                     values=content.get("values", {}), reached=content.get("reached", []),
                     attachments=content.get("attachments", []))

    def delete(self, draft_id: Any) -> str | None:
        """Remove a draft now; returns the case id it reserved, to discard its files."""
        if not isinstance(draft_id, str) or not draft_id:
            return None
        doc = self.drafts.find_one_and_delete({"_id": draft_id}, {"case_id": 1})
        return doc["case_id"] if doc else None


def _naive(moment: datetime) -> datetime:
    """MongoDB returns naive UTC datetimes; compare like with like."""
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def sweep_abandoned_files(db: Database, attachments: AttachmentStore, now: datetime,
                          lifetime: timedelta) -> int:
    """Delete evidence uploaded into drafts that were never sent; returns how many files.

    A pending file older than a draft's lifetime is deleted when no live draft
    reserved its case id and no case has it. Files of a case that exists are left
    to `AttachmentStore.sweep_pending`, which marks them attached.
    """
    stale = attachments.files.find(
        {"metadata.state": PENDING, "uploadDate": {"$lt": _naive(now) - lifetime}},
        {"metadata.case_id": 1})
    deleted = 0
    for doc in list(stale):
        case_id = doc["metadata"]["case_id"]
        live = db[COLLECTION].count_documents(
            {"case_id": case_id, "expires_at": {"$gt": _naive(now)}}, limit=1)
        if live or db.cases.count_documents({"_id": case_id}, limit=1):
            continue
        attachments.fs.delete(doc["_id"])
        deleted += 1
    return deleted
