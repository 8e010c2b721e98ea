"""The Celery task of import jobs: a thin adapter around `workflows.import_jobs.run_import_job`.

The run is idempotent per job and row (a claimed or finished job is left alone; a row
already filed is counted, not filed again), so a redelivered or retried task is safe.
A database that is briefly away is retried with back-off, as the other tasks do. The
audit log belongs to `app/`: the app hands the Celery app a factory
(`mrvrs_audit_factory`), as for export jobs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from celery import shared_task

from workflows.celery_app import task_database
from workflows.import_jobs import (
    TRANSIENT_ERRORS,
    ImportContext,
    import_context,
    run_import_job,
)
from workflows.intake import enqueue_routing
from workflows.retries import GiveUp, Retry, RetryPolicy, attempt

log = logging.getLogger("mrvrs.tasks")

IMPORT_TASK = "mrvrs.import_job"


def task_context(app: Any) -> ImportContext:
    db = task_database(app)
    factory = getattr(app, "mrvrs_audit_factory", None)
    return import_context(app.mrvrs_settings, db, enqueue=partial(enqueue_routing, app),
                          audit=factory(db).record if factory is not None else None)


@shared_task(name=IMPORT_TASK, bind=True, max_retries=None)
def import_job(self: Any, job_id: str) -> str:
    settings = self.app.mrvrs_settings
    policy = RetryPolicy(settings.task_max_retries, settings.task_retry_seconds)
    outcome = attempt(lambda: run_import_job(task_context(self.app), str(job_id)),
                      self.request.retries, policy, TRANSIENT_ERRORS)
    if isinstance(outcome, Retry):
        log.warning("%s %s failed (%s); retrying in %.1fs", self.name, job_id,
                    type(outcome.error).__name__, outcome.countdown)
        raise self.retry(exc=outcome.error, countdown=outcome.countdown)
    if isinstance(outcome, GiveUp):
        log.error("%s %s gave up: %s", self.name, job_id, outcome.error)
        return "gave-up"
    return str(outcome.value)


@shared_task(name="mrvrs.sweep_import_drafts", bind=True, max_retries=None)
def sweep_import_drafts(self: Any) -> int:
    """Delete imports uploaded and never imported, after `MRVRS_DRAFT_LIFETIME_HOURS`: their
    sheets hold case files in the clear."""
    settings = self.app.mrvrs_settings
    lifetime = timedelta(hours=settings.draft_lifetime_hours)
    outcome = attempt(lambda: task_context(self.app).store.sweep_drafts(datetime.now(UTC),
                                                                        lifetime),
                      self.request.retries,
                      RetryPolicy(settings.task_max_retries, settings.task_retry_seconds),
                      TRANSIENT_ERRORS)
    if isinstance(outcome, Retry):
        raise self.retry(exc=outcome.error, countdown=outcome.countdown)
    return 0 if isinstance(outcome, GiveUp) else int(outcome.value)
