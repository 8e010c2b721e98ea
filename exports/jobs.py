"""Export and report jobs: their state in `export_jobs`, their files in GridFS `export_files`.

The only module of `exports` that imports pymongo or gridfs. A job belongs to the
user who asked for it; its file is handed to that user only, and only until it
expires (`MRVRS_EXPORT_KEEP_HOURS`), after which the sweep deletes it.

Jobs run in Celery workers, which may deliver one job twice or die half-way. So:

- a run first claims the job: one guarded update sets `claimed_at` only when no run
  holds it (atomic, so of two deliveries exactly one gets the run); a claim whose run
  stopped sending progress is taken over after `CLAIM_TTL`, so a job is never stuck;
- each run numbers itself, writes its file under a temporary name with a file id made
  of job, name and run number, and only then renames it and records it on the job;
  earlier runs' files (finished or cut off half-way) are deleted by those ids, chunks
  included, so a rerun overwrites rather than duplicates.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from gridfs import GridFS
from gridfs.errors import NoFile
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

KINDS = ("export", "report")
#: Database failures that pass: the job tasks retry them (named here, where pymongo is).
TRANSIENT_ERRORS = (AutoReconnect, ServerSelectionTimeoutError, NetworkTimeout)
#: How long a run may go without reporting progress before another may take the job over.
CLAIM_TTL = timedelta(minutes=10)
BUCKET = "export_files"


def new_job_id() -> str:
    """Random, so a job (and its download link) cannot be guessed."""
    return f"x_{secrets.token_hex(12)}"


def file_id(job_id: str, name: str, run: int) -> str:
    return f"{job_id}:{name}:{run}"


class ExportJobStore:
    """Jobs and their files."""

    def __init__(self, db: Database) -> None:
        self.jobs = db.export_jobs
        self.fs = GridFS(db, collection=BUCKET)
        self.files = db[f"{BUCKET}.files"]

    def ensure_indexes(self) -> None:
        self.jobs.create_index([("user_id", ASCENDING), ("created_at", DESCENDING)],
                               name="user_created")
        self.jobs.create_index([("status", ASCENDING), ("expires_at", ASCENDING)],
                               name="status_expires")
        self.files.create_index([("metadata.job_id", ASCENDING)], name="job")

    # -- asking and reading ----------------------------------------------------

    def create(self, *, kind: str, user_id: str, actor: Mapping[str, Any],
               params: Mapping[str, Any], now: datetime, total: int = 0) -> dict[str, Any]:
        """A queued job: who asked, as whom (their scope then), and for what."""
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        job = {"_id": new_job_id(), "kind": kind, "user_id": str(user_id),
               "actor": dict(actor), "params": dict(params), "status": "queued",
               "progress": {"done": 0, "total": int(total)}, "runs": 0, "rows": {},
               "left_out": {}, "notes": [], "files": {}, "created_at": now,
               "started_at": None, "finished_at": None, "expires_at": None, "error": None,
               "claimed_at": None}
        self.jobs.insert_one(job)
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self.jobs.find_one({"_id": str(job_id)})

    def for_user(self, job_id: str, user_id: str) -> dict[str, Any] | None:
        """The job when `user_id` asked for it; None for anyone else's, as for none."""
        return self.jobs.find_one({"_id": str(job_id), "user_id": str(user_id)})

    def recent_for(self, user_id: str, limit: int = 20) -> list[dict[str, Any]]:
        return list(self.jobs.find({"user_id": str(user_id)}, {"actor": 0})
                    .sort("created_at", DESCENDING).limit(limit))

    # -- running ---------------------------------------------------------------

    def claim(self, job_id: str, now: datetime) -> int | None:
        """Own the job's next run and return its number; None while another run holds it."""
        job = self.jobs.find_one_and_update(
            {"_id": str(job_id), "$or": [{"claimed_at": None},
                                         {"claimed_at": {"$lt": now - CLAIM_TTL}}]},
            {"$inc": {"runs": 1}, "$set": {"status": "running", "started_at": now,
                                           "error": None, "claimed_at": now}},
            return_document=ReturnDocument.AFTER)
        if job is not None:
            return int(job["runs"])
        if self.jobs.find_one({"_id": str(job_id)}, {"_id": 1}) is None:
            raise LookupError(f"no export job {job_id}")
        return None

    def release(self, job_id: str) -> None:
        self.jobs.update_one({"_id": str(job_id)}, {"$set": {"claimed_at": None}})

    def progress(self, job_id: str, done: int, total: int, now: datetime) -> None:
        """Record how far the run is; this also keeps its claim alive."""
        self.jobs.update_one({"_id": str(job_id)},
                             {"$set": {"progress": {"done": int(done), "total": int(total)},
                                       "claimed_at": now}})

    def store_file(self, job_id: str, run: int, name: str, stream: IO[bytes], *,
                   filename: str, media_type: str) -> dict[str, Any]:
        """Upload under a temporary name, then rename: a half-written file never shows."""
        fid = file_id(job_id, name, run)
        self._delete(fid)  # a file of this very run, from an upload that was cut off
        self.fs.put(stream, _id=fid, filename=f"{job_id}/{name}.partial",
                    metadata={"job_id": str(job_id), "name": name, "run": run,
                              "media_type": media_type})
        self.files.update_one({"_id": fid}, {"$set": {"filename": f"{job_id}/{filename}"}})
        stored = self.files.find_one({"_id": fid}, {"length": 1}) or {}
        return {"id": fid, "filename": filename, "media_type": media_type,
                "size": int(stored.get("length", 0))}

    def finish(self, job_id: str, run: int, *, files: Mapping[str, Mapping[str, Any]],
               summary: Mapping[str, Any], now: datetime, keep: timedelta) -> None:
        """Record the run's files and counts, then delete every earlier run's files."""
        self.jobs.update_one({"_id": str(job_id)}, {"$set": {
            "status": "done", "files": {k: dict(v) for k, v in files.items()},
            "rows": dict(summary.get("rows") or {}),
            "left_out": dict(summary.get("left_out") or {}),
            "notes": list(summary.get("notes") or ()), "finished_at": now,
            "expires_at": now + keep, "error": None}})
        self._delete_runs(job_id, files.keys(), before=run)
        self.release(job_id)

    def fail(self, job_id: str, run: int, error: str, now: datetime) -> None:
        """Record why the run failed and drop what it wrote."""
        self.jobs.update_one({"_id": str(job_id)}, {"$set": {
            "status": "failed", "error": error[:500], "finished_at": now}})
        for stored in self.files.find({"metadata.job_id": str(job_id), "metadata.run": run},
                                      {"_id": 1}):
            self._delete(stored["_id"])
        self.release(job_id)

    # -- files -----------------------------------------------------------------

    def open_file(self, job_id: str, name: str, user_id: str,
                  now: datetime) -> tuple[dict[str, Any], Any] | None:
        """The requester's finished, unexpired file and a stream of it; None otherwise."""
        job = self.for_user(job_id, user_id)
        if job is None or job.get("status") != "done":
            return None
        expires = job.get("expires_at")
        meta = (job.get("files") or {}).get(name)
        if meta is None or expires is None or _aware(expires) <= now:
            return None
        try:
            return dict(meta), self.fs.get(meta["id"])
        except NoFile:
            return None

    def sweep_expired(self, now: datetime) -> int:
        """Delete the files of every job past its keeping time; return how many jobs."""
        count = 0
        for job in self.jobs.find({"status": "done", "expires_at": {"$lt": now}},
                                  {"files": 1, "runs": 1}):
            self._delete_runs(job["_id"], (job.get("files") or {}).keys(),
                              before=int(job.get("runs") or 0) + 1)
            self.jobs.update_one({"_id": job["_id"], "status": "done"},
                                 {"$set": {"status": "expired", "files": {}}})
            count += 1
        return count

    def _delete_runs(self, job_id: str, names: Any, before: int) -> None:
        for name in list(names):
            for run in range(1, before):
                self._delete(file_id(job_id, name, run))

    def _delete(self, fid: str) -> None:
        self.fs.delete(fid)  # removes the chunks even when the files entry is gone


def _aware(value: datetime) -> datetime:
    """A stored time read by a client without tz_aware is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
