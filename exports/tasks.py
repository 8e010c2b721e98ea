"""Celery tasks for export jobs, report jobs and the expiry sweep: thin adapters.

Each takes a job id, builds a `JobContext` on the worker's database and calls the
plain function in `exports.job_runs`, which is idempotent (a claimed or finished job
is left alone; a rerun replaces what an earlier run wrote). A database that is
briefly away is retried with back-off, as the workflow tasks do.

The audit log belongs to `app/`, which `exports` may not import: the app hands the
Celery app a factory (`mrvrs_audit_factory`, a callable taking a `Database` and
returning an object with `record`) when it builds its services, in the web process
and in `mrvrs worker` alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import shared_task

from exports.job_runs import JobContext, run_export_job, run_report_job, sweep_export_files
from exports.jobs import TRANSIENT_ERRORS, ExportJobStore
from exports.report_data import report_secret
from forms.store import FormStore
from workflows.celery_app import task_database
from workflows.registry.store import EntityStore
from workflows.repository import CaseRepository
from workflows.retries import GiveUp, Retry, RetryPolicy, attempt
from workflows.sealing import Sealer

log = logging.getLogger("mrvrs.tasks")

EXPORT_TASK = "mrvrs.export_job"
REPORT_TASK = "mrvrs.report_job"


def job_context(app: Any) -> JobContext:
    """A context on this worker's database, with the audit log the app wired in."""
    db = task_database(app)
    settings = app.mrvrs_settings
    factory = getattr(app, "mrvrs_audit_factory", None)
    return JobContext(
        store=ExportJobStore(db), repo=CaseRepository(db), forms=FormStore(db),
        sealer=Sealer(*settings.data_keys), full_roles=tuple(settings.export_full_roles),
        keep=timedelta(hours=settings.export_keep_hours),
        secret=report_secret(settings.oldest_data_key),
        audit=factory(db).record if factory is not None else None,
        entities=EntityStore(db))


def _run(task: Any, call: Callable[[JobContext], Any], job_id: str = "") -> Any:
    settings = task.app.mrvrs_settings
    policy = RetryPolicy(settings.task_max_retries, settings.task_retry_seconds)
    outcome = attempt(lambda: call(job_context(task.app)), task.request.retries, policy,
                      TRANSIENT_ERRORS)
    if isinstance(outcome, Retry):
        log.warning("%s %s failed (%s); retrying in %.1fs", task.name, job_id,
                    type(outcome.error).__name__, outcome.countdown)
        raise task.retry(exc=outcome.error, countdown=outcome.countdown)
    if isinstance(outcome, GiveUp):
        log.error("%s %s gave up: %s", task.name, job_id, outcome.error)
        return "gave-up"
    return outcome.value


@shared_task(name=EXPORT_TASK, bind=True, max_retries=None)
def export_job(self: Any, job_id: str) -> str:
    return str(_run(self, lambda ctx: run_export_job(ctx, str(job_id)), str(job_id)))


@shared_task(name=REPORT_TASK, bind=True, max_retries=None)
def report_job(self: Any, job_id: str) -> str:
    return str(_run(self, lambda ctx: run_report_job(ctx, str(job_id)), str(job_id)))


@shared_task(name="mrvrs.sweep_export_files", bind=True, max_retries=None)
def sweep_export_files_task(self: Any) -> int:
    return int(_run(self, lambda ctx: sweep_export_files(ctx.store, datetime.now(UTC))))


def enqueue_job(celery: Any, job: dict[str, Any]) -> None:
    """Send a job's task through this Celery app; the task id is derived from the job.

    Raises whatever the broker raises: the page then says the job could not start.
    """
    import exports.tasks  # noqa: F401, PLW0406  (registers the tasks with every Celery app)

    name = EXPORT_TASK if job["kind"] == "export" else REPORT_TASK
    celery.tasks[name].apply_async(args=[job["_id"]], task_id=f"{job['kind']}:{job['_id']}",
                                   retry=False, ignore_result=True)
