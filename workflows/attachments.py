"""Evidence attached to a report: checked from its content, stored in GridFS with its hash.

Every file is checked before anything is stored: its size, the number of files,
and its type as read from the first bytes by `filetype` (a maintained library of
magic numbers), never from the name or the browser's word, so an ``.exe``
renamed ``.pdf`` is refused. The SHA-256 is recorded so a caseworker can show in
court that the evidence is the file the reporter sent.

Storing is in two states, because a case and its files cannot be written in one
transaction: files go in first as ``pending`` under the id the case will have,
the case is inserted, then the files are marked ``attached``. A failure in
between leaves at most pending blobs, which `sweep_pending` later deletes (when no
case has their id) or marks attached (when the case made it in).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import filetype
import gridfs
from bson import ObjectId
from pymongo import ASCENDING
from pymongo.database import Database

#: Detected MIME type -> what the reporter is told it is. Documents, photos, voice notes, video.
ALLOWED_TYPES: Mapping[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/heic": "HEIC",
    "audio/mpeg": "MP3",
    "audio/mp4": "M4A",
    "audio/ogg": "OGG",
    "audio/x-wav": "WAV",
    "video/mp4": "MP4",
}

PENDING, ATTACHED = "pending", "attached"
COLLECTION = "attachments"


@dataclass(frozen=True)
class Upload:
    """One uploaded file as plain data, whatever web framework received it."""

    field: str
    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    upload: Upload
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.upload.data)


@dataclass(frozen=True)
class AttachmentProblem:
    """Why a file was refused; `code` selects the translated sentence shown beside the field."""

    field: str
    name: str
    code: str  # too_large | too_many | empty | type_refused
    detail: str = ""


class AttachmentsRefused(ValueError):
    def __init__(self, problems: list[AttachmentProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.name}: {p.code}" for p in problems))
        self.problems = problems


def detect_type(data: bytes) -> str | None:
    """The MIME type read from the content, or None when it is not recognised."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None else None


def check_uploads(uploads: Iterable[Upload], *, max_bytes: int,
                  max_files: int) -> list[CheckedUpload]:
    """Check every file and return them with type and hash, or raise with every problem."""
    files = [u for u in uploads if u.data or u.name]
    problems: list[AttachmentProblem] = []
    if len(files) > max_files:
        problems.append(AttachmentProblem(files[max_files].field, files[max_files].name,
                                          "too_many", str(max_files)))
    checked = []
    for upload in files:
        problem = _problem(upload, max_bytes)
        if problem:
            problems.append(problem)
            continue
        checked.append(CheckedUpload(upload, detect_type(upload.data) or "",
                                     hashlib.sha256(upload.data).hexdigest()))
    if problems:
        raise AttachmentsRefused(problems)
    return checked


def _problem(upload: Upload, max_bytes: int) -> AttachmentProblem | None:
    if not upload.data:
        return AttachmentProblem(upload.field, upload.name, "empty")
    if len(upload.data) > max_bytes:
        return AttachmentProblem(upload.field, upload.name, "too_large", str(max_bytes))
    detected = detect_type(upload.data)
    if detected not in ALLOWED_TYPES:
        return AttachmentProblem(upload.field, upload.name, "type_refused", detected or "")
    return None


def safe_name(name: str) -> str:
    """The original name without any path, control characters or excess length."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or "attachment"


class AttachmentStore:
    """The `attachments` GridFS bucket, owned by `workflows/`."""

    def __init__(self, db: Database, *, max_bytes: int, max_files: int) -> None:
        self.fs = gridfs.GridFS(db, collection=COLLECTION)
        self.files = db[f"{COLLECTION}.files"]
        self.max_bytes = max_bytes
        self.max_files = max_files

    def ensure_indexes(self) -> None:
        self.files.create_index([("metadata.case_id", ASCENDING)], name="case")
        self.files.create_index([("metadata.state", ASCENDING), ("uploadDate", ASCENDING)],
                                name="state_uploaded")

    def check(self, uploads: Iterable[Upload]) -> list[CheckedUpload]:
        return check_uploads(uploads, max_bytes=self.max_bytes, max_files=self.max_files)

    def put_pending(self, checked: list[CheckedUpload], case_id: str) -> list[dict[str, Any]]:
        """Store checked files as pending for `case_id`; returns the case's attachment list."""
        entries = []
        for item in checked:
            name = safe_name(item.upload.name)
            metadata = {"case_id": case_id, "state": PENDING, "field": item.upload.field,
                        "sha256": item.sha256, "size": item.size,
                        "content_type": item.content_type, "original_name": name}
            file_id = self.fs.put(item.upload.data, filename=name, metadata=metadata)
            entries.append({"id": str(file_id), "field": item.upload.field, "name": name,
                            "sha256": item.sha256, "size": item.size,
                            "content_type": item.content_type})
        return entries

    def mark_attached(self, case_id: str) -> int:
        result = self.files.update_many({"metadata.case_id": case_id, "metadata.state": PENDING},
                                        {"$set": {"metadata.state": ATTACHED}})
        return result.modified_count

    def discard_pending(self, case_id: str) -> None:
        for doc in self.files.find({"metadata.case_id": case_id, "metadata.state": PENDING},
                                   {"_id": 1}):
            self.fs.delete(doc["_id"])

    def discard(self, file_ids: Iterable[str]) -> None:
        """Delete the given pending files (a reply whose case write failed); files
        already attached are left alone."""
        for file_id in file_ids:
            doc = self.files.find_one({"_id": ObjectId(file_id), "metadata.state": PENDING},
                                      {"_id": 1})
            if doc is not None:
                self.fs.delete(doc["_id"])
    def discard_one(self, case_id: str, file_id: str) -> bool:
        """Delete one pending file of `case_id` (a reporter removing it before sending);
        an attached file, or another case's, is never touched."""
        from bson.errors import InvalidId

        try:
            oid = ObjectId(str(file_id))
        except InvalidId:
            return False
        doc = self.files.find_one({"_id": oid, "metadata.case_id": str(case_id),
                                   "metadata.state": PENDING}, {"_id": 1})
        if doc is None:
            return False
        self.fs.delete(oid)
        return True

    def for_case(self, case_id: str) -> list[dict[str, Any]]:
        """The metadata of a case's attached files, oldest first."""
        cursor = self.files.find({"metadata.case_id": str(case_id), "metadata.state": ATTACHED})
        return [{"id": str(doc["_id"]), **doc["metadata"]} for doc in cursor.sort("uploadDate")]

    def read(self, file_id: Any) -> bytes:
        return self.fs.get(file_id).read()

    def sweep_pending(self, case_exists: Callable[[str], bool], *, now: datetime,
                      older_than: timedelta = timedelta(hours=1)) -> dict[str, int]:
        """Finish or undo intakes interrupted between storing files and the case.

        Pending files older than `older_than` are marked attached when their case
        exists, and deleted when it does not.
        """
        counts = {"attached": 0, "deleted": 0}
        stale = {"metadata.state": PENDING, "uploadDate": {"$lt": now - older_than}}
        for doc in list(self.files.find(stale, {"metadata.case_id": 1})):
            case_id = doc["metadata"]["case_id"]
            if case_exists(case_id):
                counts["attached"] += self.mark_attached(case_id)
            else:
                self.fs.delete(doc["_id"])
                counts["deleted"] += 1
        return counts
