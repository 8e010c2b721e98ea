"""Import jobs: their state in `import_jobs`, their uploads in GridFS `import_files`, and the
plain function that runs one (`run_import_job`), which the Celery task and the command
line both call.

A job is created when the sheet (and the archive of attachments) is uploaded, as a
*draft*: the member then matches its columns to questions and checks it (a dry run,
which stores nothing). Importing queues it. A run:

- claims the job (one guarded update, as export jobs do: of two deliveries exactly one
  runs; a claim whose run stopped reporting progress is taken over after `CLAIM_TTL`);
- checks every row again, with the form version and mapping recorded on the job;
- imports **all or nothing**: when any row has a problem, no case is filed and the job
  ends *refused* with every problem by row and column. Half a sheet imported would
  leave the member to find which half;
- files each row through `workflows.intake.submit_case`, marked with its `source`
  and `import_key`, and routes it as any intake; a row whose key is already held by a
  case (an earlier import, or an earlier run of this job) is counted, not filed twice;
- records progress (rows checked, then rows filed, of the total) every few rows, and
  a summary at the end.

A *dry-run* job (a sheet too long to check while the page waits) only checks: it
goes back to draft with the check's outcome kept as `last_check`, and files nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gridfs import GridFS
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

from forms.schema import FormDefinition
from forms.spreadsheets import UnreadableSheet, read_table
from workflows.attachments import AttachmentStore
from workflows.case_import import (
    MAX_ROWS,
    UNREADABLE,
    Archive,
    ArchiveRefused,
    CheckedRow,
    ColumnMap,
    RowProblem,
    SheetCheck,
    check_sheet,
    row_uploads,
)
from workflows.intake import FormRecord, submit_case
from workflows.repository import CaseRepository
from workflows.sealing import Sealer

log = logging.getLogger("mrvrs.imports")

BUCKET = "import_files"
#: Database failures that pass: the task retries them; anything else fails the job.
TRANSIENT_ERRORS = (AutoReconnect, ServerSelectionTimeoutError, NetworkTimeout)
CLAIM_TTL = timedelta(minutes=10)
#: Rows between two progress writes.
PROGRESS_EVERY = 25
#: Problems kept on a job; the count says how many there were in all.
MAX_KEPT_PROBLEMS = 5_000
SHEET, ARCHIVE = "sheet", "archive"


def new_job_id() -> str:
    """Random, so a job page cannot be guessed."""
    return f"i_{secrets.token_hex(12)}"


class ImportJobStore:
    """Import jobs and the files uploaded for them."""

    def __init__(self, db: Database) -> None:
        self.jobs = db.import_jobs
        self.fs = GridFS(db, collection=BUCKET)

    def ensure_indexes(self) -> None:
        self.jobs.create_index([("user_id", ASCENDING), ("created_at", DESCENDING)],
                               name="user_created")
        self.jobs.create_index([("status", ASCENDING), ("created_at", ASCENDING)],
                               name="status_created")

    def create(self, *, user_id: str, org_id: str, form: Mapping[str, Any], filename: str,
               sheet: bytes, archive: bytes | None, archive_name: str, now: datetime,
               columns: Mapping[str, str] | None = None) -> dict[str, Any]:
        """A draft job holding the uploads; nothing is checked or filed yet."""
        job_id = new_job_id()
        self.fs.put(sheet, _id=f"{job_id}:{SHEET}", filename=filename[:200])
        if archive:
            self.fs.put(archive, _id=f"{job_id}:{ARCHIVE}", filename=archive_name[:200])
        job = {"_id": job_id, "user_id": str(user_id), "org_id": str(org_id),
               "form": {"id": str(form["id"]), "version": int(form["version"])},
               "file": filename[:200], "archive": archive_name[:200] if archive else None,
               "columns": dict(columns or {}), "status": "draft",
               "progress": {"done": 0, "total": 0}, "runs": 0, "claimed_at": None,
               "summary": {}, "problems": [], "problem_count": 0, "outcomes": [],
               "created_at": now, "queued_at": None, "finished_at": None, "error": None}
        self.jobs.insert_one(job)
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self.jobs.find_one({"_id": str(job_id)})

    def for_user(self, job_id: str, user_id: str) -> dict[str, Any] | None:
        """The job when `user_id` uploaded it; None for anyone else's, as for none."""
        return self.jobs.find_one({"_id": str(job_id), "user_id": str(user_id)})

    def recent_for(self, user_id: str, limit: int = 20) -> list[dict[str, Any]]:
        return list(self.jobs.find({"user_id": str(user_id)},
                                   {"problems": 0, "outcomes": 0})
                    .sort("created_at", DESCENDING).limit(limit))

    def uploads(self, job_id: str) -> tuple[bytes, bytes | None]:
        sheet = self.fs.get(f"{job_id}:{SHEET}").read()
        archive_id = f"{job_id}:{ARCHIVE}"
        archive = self.fs.get(archive_id).read() if self.fs.exists(archive_id) else None
        return sheet, archive

    def set_columns(self, job_id: str, columns: Mapping[str, str]) -> None:
        self.jobs.update_one({"_id": str(job_id), "status": "draft"},
                             {"$set": {"columns": dict(columns)}})

    def queue(self, job_id: str, columns: Mapping[str, str], now: datetime, *,
              dry_run: bool = False) -> bool:
        """Draft -> queued with the mapping to import (or, `dry_run`, only to check) with;
        False when it had left draft."""
        done = self.jobs.update_one({"_id": str(job_id), "status": "draft"},
                                    {"$set": {"columns": dict(columns), "status": "queued",
                                              "dry_run": dry_run, "queued_at": now,
                                              "progress": {"done": 0, "total": 0,
                                                           "phase": "checking"}}})
        return done.modified_count == 1

    def unqueue(self, job_id: str) -> None:
        """A check that could not be queued: the job is a draft again."""
        self.jobs.update_one({"_id": str(job_id), "status": "queued"},
                             {"$set": {"status": "draft", "dry_run": False}})

    def checked(self, job_id: str, *, rows: int, problems: list[RowProblem],
                columns: Mapping[str, str], now: datetime) -> None:
        """A dry run's outcome: back to draft, the check kept beside its mapping."""
        self.jobs.update_one({"_id": str(job_id)}, {"$set": {
            "status": "draft", "dry_run": False, "claimed_at": None,
            "last_check": {"at": now, "rows": rows, "columns": dict(columns),
                           "problems": [p.as_dict() for p in problems[:MAX_KEPT_PROBLEMS]],
                           "problem_count": len(problems)}}})

    def claim(self, job_id: str, now: datetime) -> int | None:
        job = self.jobs.find_one_and_update(
            {"_id": str(job_id), "status": {"$in": ["queued", "running"]},
             "$or": [{"claimed_at": None}, {"claimed_at": {"$lt": now - CLAIM_TTL}}]},
            {"$inc": {"runs": 1}, "$set": {"status": "running", "claimed_at": now}},
            return_document=ReturnDocument.AFTER)
        return int(job["runs"]) if job is not None else None

    def release(self, job_id: str) -> None:
        self.jobs.update_one({"_id": str(job_id)}, {"$set": {"claimed_at": None}})

    def progress(self, job_id: str, done: int, total: int, now: datetime,
                 phase: str = "importing") -> None:
        """How far the run is (rows checked, or rows filed); also keeps its claim alive."""
        self.jobs.update_one({"_id": str(job_id)},
                             {"$set": {"progress": {"done": done, "total": total,
                                                    "phase": phase},
                                       "claimed_at": now}})

    def finish(self, job_id: str, status: str, *, summary: Mapping[str, Any],
               problems: list[RowProblem], outcomes: list[dict[str, Any]],
               now: datetime) -> None:
        """Done or refused, with the counts, the problems and each row's outcome; the
        uploads are deleted (a refused sheet is corrected and uploaded again)."""
        self.jobs.update_one({"_id": str(job_id)}, {"$set": {
            "status": status, "summary": dict(summary), "finished_at": now,
            "problems": [p.as_dict() for p in problems[:MAX_KEPT_PROBLEMS]],
            "problem_count": len(problems), "outcomes": outcomes, "claimed_at": None}})
        self.discard_uploads(job_id)

    def fail(self, job_id: str, error: str, now: datetime) -> None:
        self.jobs.update_one({"_id": str(job_id)}, {"$set": {
            "status": "failed", "error": error[:500], "finished_at": now,
            "claimed_at": None}})
        self.discard_uploads(job_id)

    def discard_uploads(self, job_id: str) -> None:
        """The sheet and archive hold case files in the clear: kept only while needed."""
        for name in (SHEET, ARCHIVE):
            self.fs.delete(f"{job_id}:{name}")  # removes the chunks, whether or not stored

    def sweep_drafts(self, now: datetime, older_than: timedelta) -> int:
        """Delete drafts (uploaded, never imported) older than `older_than`, uploads and
        all; returns how many."""
        count = 0
        for job in list(self.jobs.find({"status": "draft",
                                        "created_at": {"$lt": now - older_than}}, {"_id": 1})):
            self.discard_uploads(job["_id"])
            count += self.jobs.delete_one({"_id": job["_id"], "status": "draft"}).deleted_count
        return count


@dataclass
class ImportContext:
    """What a run needs; the task or the command line builds it."""

    store: ImportJobStore
    repo: CaseRepository
    definition_of: Callable[[str, int], tuple[FormDefinition, FormRecord]]
    sealer: Sealer
    attachments: AttachmentStore
    identity_secret: bytes
    enqueue: Callable[[str], object] | None = None
    audit: Callable[..., Any] | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def read_uploads(sheet: bytes, archive: bytes | None) -> tuple[Any, Archive | None,
                                                               list[RowProblem]]:
    """The sheet's table and the archive, or the whole-file problems saying why not."""
    try:
        table = read_table(sheet, max_rows=MAX_ROWS + 1)
    except UnreadableSheet as exc:
        return None, None, [RowProblem(0, "", UNREADABLE.get(exc.code, UNREADABLE["empty"]),
                                       exc.params)]
    try:
        return table, Archive(archive) if archive else None, []
    except ArchiveRefused as refused:
        return table, None, [RowProblem(0, "", refused.message)]


def check_files(ctx: ImportContext, form: Mapping[str, Any], org_id: str, sheet: bytes,
                archive_data: bytes | None, columns: Mapping[str, str],
                progress: Callable[[int, int], None] | None = None,
                ) -> tuple[SheetCheck, Archive | None]:
    """Every row of `sheet` checked with `columns` for the form version; nothing stored."""
    definition, _record = ctx.definition_of(form["id"], form["version"])
    table, archive, problems = read_uploads(sheet, archive_data)
    if problems:
        return SheetCheck(problems=problems), None
    check = check_sheet(definition, table, ColumnMap(dict(columns)), org_id=org_id,
                        archive=archive, max_bytes=ctx.attachments.max_bytes,
                        max_files=ctx.attachments.max_files, progress=progress)
    return check, archive


def check_job(ctx: ImportContext, job: Mapping[str, Any],
              columns: Mapping[str, str] | None = None,
              progress: Callable[[int, int], None] | None = None,
              ) -> tuple[SheetCheck, Archive | None]:
    """Every row of the job's sheet checked with `columns` (the job's own by default)."""
    return check_files(ctx, job["form"], job["org_id"], *ctx.store.uploads(job["_id"]),
                       columns if columns is not None else job["columns"], progress)


def run_import_job(ctx: ImportContext, job_id: str) -> str:
    """Run one queued import; returns its state afterwards ("busy" while another run has it)."""
    job = ctx.store.get(job_id)
    if job is None or job["status"] not in ("queued", "running"):
        return "missing" if job is None else job["status"]
    run = ctx.store.claim(job_id, ctx.clock())
    if run is None:
        return "busy"
    try:
        return _run(ctx, job)
    except TRANSIENT_ERRORS:
        ctx.store.release(job_id)  # the task retries; the next run counts what was filed
        raise
    except Exception as exc:  # any other failure is the job's, recorded
        reason = f"{type(exc).__name__}: {exc}"
        log.exception("import %s failed", job_id)
        ctx.store.fail(job_id, reason, ctx.clock())
        _audit(ctx, job, "cases.import_failed", error=reason[:300])
        return "failed"


def _run(ctx: ImportContext, job: dict[str, Any]) -> str:
    check, archive = check_job(ctx, job, progress=lambda done, total: ctx.store.progress(
        job["_id"], done, total, ctx.clock(), "checking"))
    total = len(check.rows)
    problems = check.all_problems()
    if job.get("dry_run"):
        ctx.store.checked(job["_id"], rows=total, problems=problems, columns=job["columns"],
                          now=ctx.clock())
        return "checked"
    if problems:
        ctx.store.finish(job["_id"], "refused", problems=problems, outcomes=[],
                         summary={"rows": total, "created": 0, "already": 0,
                                  "refused_rows": len({p.row for p in problems if p.row})},
                         now=ctx.clock())
        _audit(ctx, job, "cases.import_refused", rows=total, problems=len(problems))
        return "refused"
    definition, record = ctx.definition_of(job["form"]["id"], job["form"]["version"])
    existing = ctx.repo.imported_with(row.key for row in check.rows)
    outcomes = []
    for done, row in enumerate(check.rows, start=1):
        outcomes.append(_import_row(ctx, job, definition, record, row, archive,
                                    existing.get(row.key)))
        if done % PROGRESS_EVERY == 0 or done == total:
            ctx.store.progress(job["_id"], done, total, ctx.clock())
    summary = {"rows": total, "refused_rows": 0,
               "created": sum(o["outcome"] == "created" for o in outcomes),
               "already": sum(o["outcome"] == "already" for o in outcomes)}
    ctx.store.finish(job["_id"], "done", summary=summary, problems=[], outcomes=outcomes,
                     now=ctx.clock())
    _audit(ctx, job, "cases.import", **summary)
    return "done"


def _import_row(ctx: ImportContext, job: Mapping[str, Any], definition: FormDefinition,
                record: FormRecord, row: CheckedRow, archive: Archive | None,
                existing: Mapping[str, Any] | None) -> dict[str, Any]:
    """File one row, or say which case already holds it."""
    if existing is None:
        try:
            case = _file(ctx, job, definition, record, row, archive)
            return {"row": row.row, "outcome": "created", "reference": case["reference"]}
        except DuplicateKeyError:  # another run filed it meanwhile
            existing = ctx.repo.imported_with([row.key]).get(row.key) or {}
    mine = (existing.get("source") or {}).get("job_id") == job["_id"]
    return {"row": row.row, "outcome": "created" if mine else "already",
            "reference": existing.get("reference")}


def _file(ctx: ImportContext, job: Mapping[str, Any], definition: FormDefinition,
          record: FormRecord, row: CheckedRow, archive: Archive | None) -> dict[str, Any]:
    field_id = next((f.id for f in definition.fields() if f.type == "file"), "attachments")
    uploads = row_uploads(row, archive, ctx.attachments.max_bytes, field_id) \
        if archive is not None else []
    source = {"kind": "import", "job_id": job["_id"], "file": job["file"], "row": row.row,
              "original_reference": row.reference or None, "imported_by": job["user_id"],
              "org_id": job["org_id"]}
    case, _code = submit_case(
        definition=definition, form_record=record, answers=row.answers,
        files={field_id: uploads} if uploads else None, language=definition.languages[0],
        reporter={"user_id": job["user_id"], "org_id": job["org_id"]}, repo=ctx.repo,
        sealer=ctx.sealer, attachments_store=ctx.attachments,
        identity_secret=ctx.identity_secret, now=ctx.clock(), enqueue=ctx.enqueue,
        marks={"source": source, "import_key": row.key})
    return case


def _audit(ctx: ImportContext, job: Mapping[str, Any], action: str, **details: Any) -> None:
    if ctx.audit is None:
        log.warning("no audit log wired in: %s of %s not recorded", action, job["_id"])
        return
    ctx.audit(action, actor=job["user_id"], target=job["_id"], org_id=job["org_id"],
              form=f"{job['form']['id']}@{job['form']['version']}", file=job["file"],
              **details)


def import_context(settings: Any, db: Database, *, enqueue: Callable[[str], object] | None,
                   audit: Callable[..., Any] | None) -> ImportContext:
    """A context on `db` with the settings' keys and upload limits (task, page and CLI)."""
    from forms.store import FormStore
    from workflows.assembly import identity_secret

    forms = FormStore(db)

    def definition_of(form_id: str, version: int) -> tuple[FormDefinition, FormRecord]:
        definition = forms.definition(form_id, version)
        summary = forms.summary(form_id, version) or {}
        return definition, FormRecord(form_id, int(version),
                                      summary.get("hash") or definition.definition_hash())

    return ImportContext(
        store=ImportJobStore(db), repo=CaseRepository(db), definition_of=definition_of,
        sealer=Sealer(*settings.data_keys),
        attachments=AttachmentStore(db, max_bytes=settings.upload_max_bytes,
                                    max_files=settings.upload_max_files),
        identity_secret=identity_secret(settings), enqueue=enqueue, audit=audit)
