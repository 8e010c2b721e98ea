"""The work behind the export and report tasks, as plain functions over a `JobContext`.

Each function loads its job, claims it (a second delivery of the same job finds it
claimed or done and does nothing), runs the same service the page and the command
line run, stores the file under a temporary name and records it, then writes the
audit event. A job whose parameters are refused (a level the requester may no
longer have, a form that cannot be read) fails for good with the reason recorded;
any other error releases the claim and propagates, so the task can retry.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from exports.entity_counts import EntitySource
from exports.jobs import ExportJobStore
from exports.redaction import LevelNotAllowed
from exports.report_data import ReportRequest
from exports.reports import HTML_MEDIA_TYPE, PDF_MEDIA_TYPE, compile_report
from exports.service import CaseSource, ExportRequest, FormSource, Opener, run_export

log = logging.getLogger("mrvrs.exports")

#: Bytes of an export kept in memory while it is written, before it spills to disk.
SPOOL_BYTES = 8 * 1024 * 1024
Audit = Callable[..., Any]
#: Refusals that a retry cannot cure: the job fails with its reason.
PERMANENT = (LevelNotAllowed, ValueError, LookupError)


@dataclass
class JobContext:
    """What a job needs; the task builds it from the worker's database and settings."""

    store: ExportJobStore
    repo: CaseSource
    forms: FormSource
    sealer: Opener
    full_roles: tuple[str, ...]
    keep: timedelta
    secret: bytes
    audit: Audit | None = None
    #: The registry (`EntityStore`): reports name entities, documentation exports list them.
    entities: EntitySource | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def record(self, action: str, actor: str, target: str, **details: Any) -> None:
        if self.audit is None:
            log.warning("no audit log wired in: %s of %s by %s not recorded", action, target,
                        actor)
            return
        self.audit(action, actor, target, **details)


def slug(text: str) -> str:
    """A file-name-safe form of a mission name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "report"


def run_export_job(ctx: JobContext, job_id: str) -> str:
    """Run one export job; returns its state afterwards ("busy" while another run has it)."""
    return _run_job(ctx, job_id, "export", ExportRequest.from_params, _build_export)


def run_report_job(ctx: JobContext, job_id: str) -> str:
    """Build one mission report (HTML and PDF) and keep both files."""
    return _run_job(ctx, job_id, "report", ReportRequest.from_params, _build_report)


def _run_job(ctx: JobContext, job_id: str, kind: str, parse: Callable[[Any], Any],
             build: Callable[..., tuple[dict, dict]]) -> str:
    """What every job shares: skip finished ones, claim, build, then finish or fail, and
    audit. A run that dies releases its claim so the retry can take it."""
    job = ctx.store.get(job_id)
    if job is None or job["status"] in ("done", "expired"):
        return "missing" if job is None else job["status"]
    run = ctx.store.claim(job_id, ctx.clock())
    if run is None:
        return "busy"
    request = None
    try:
        request = parse(job["params"])
        files, summary = build(ctx, job_id, job, run, request)
        ctx.store.finish(job_id, run, files=files, summary=summary, now=ctx.clock(),
                         keep=ctx.keep)
    except PERMANENT as exc:
        return _failed(ctx, job, run, exc, request.describe() if request else {})
    except BaseException:
        ctx.store.release(job_id)
        raise
    ctx.record(f"{kind}.completed", job["user_id"], job_id, **request.describe(), **summary)
    return "done"


def _build_export(ctx: JobContext, job_id: str, job: dict, run: Any,
                  request: Any) -> tuple[dict, dict]:
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as out:
        result = run_export(
            ctx.repo, ctx.forms, ctx.sealer, job["actor"], request, out,
            full_roles=ctx.full_roles, total=job["progress"]["total"], entities=ctx.entities,
            progress=lambda done, total: ctx.store.progress(job_id, done, total,
                                                            ctx.clock()))
        meta = _store(ctx, job_id, run, "export", out,
                      f"mrvrs-export-{job['created_at']:%Y%m%d-%H%M}{result.suffix}",
                      result.media_type)
    return {"export": meta}, result.summary()


def _build_report(ctx: JobContext, job_id: str, job: dict, run: Any,
                  request: Any) -> tuple[dict, dict]:
    report = compile_report(ctx.repo, ctx.forms, ctx.sealer, job["actor"], request,
                            full_roles=ctx.full_roles, secret=ctx.secret, now=ctx.clock(),
                            entities=ctx.entities)
    name = f"mrvrs-report-{slug(request.name)}"
    files = {"html": _store_bytes(ctx, job_id, run, "html", report.html.encode("utf-8"),
                                  f"{name}.html", HTML_MEDIA_TYPE),
             "pdf": _store_bytes(ctx, job_id, run, "pdf", report.pdf or b"",
                                 f"{name}.pdf", PDF_MEDIA_TYPE)}
    return files, report_summary(report.data)


def report_summary(data: Any) -> dict[str, Any]:
    """The counts a report's audit event and job record keep."""
    consent = data.indicators.consent
    return {"rows": {"cases": consent.included, "annex": len(data.annex),
                     "summaries": len(data.summaries)},
            "cases": consent.included,
            "left_out": {**data.indicators.stages.left_out(), "declined": consent.declined,
                         "not_recorded": consent.not_recorded},
            "notes": [*data.indicators.left_out_notes(), *data.summary_notes]}


def sweep_export_files(store: ExportJobStore, now: datetime) -> int:
    """Delete the files of jobs past their keeping time."""
    return store.sweep_expired(now)


def _store(ctx: JobContext, job_id: str, run: int, name: str, out: IO[bytes], filename: str,
           media_type: str) -> dict[str, Any]:
    out.seek(0)
    return ctx.store.store_file(job_id, run, name, out, filename=filename,
                                media_type=media_type)


def _store_bytes(ctx: JobContext, job_id: str, run: int, name: str, data: bytes,
                 filename: str, media_type: str) -> dict[str, Any]:
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as out:
        out.write(data)
        return _store(ctx, job_id, run, name, out, filename, media_type)


def _failed(ctx: JobContext, job: dict[str, Any], run: int, exc: BaseException,
            described: dict[str, Any]) -> str:
    reason = f"{type(exc).__name__}: {exc}"
    log.warning("%s job %s failed: %s", job["kind"], job["_id"], reason)
    ctx.store.fail(job["_id"], run, reason, ctx.clock())
    ctx.record(f"{job['kind']}.failed", job["user_id"], job["_id"], **described,
               error=reason[:300])
    return "failed"
