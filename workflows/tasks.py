"""Celery tasks: thin adapters that take ids and call plain functions.

Task signatures are a wire format: add parameters only as keywords with
defaults, never reorder, so tasks queued before an upgrade still run.

Every workflow task runs its function through `workflows.retries.attempt`: a
transient database (or mail server) failure is retried with exponential back-off
up to `MRVRS_TASK_MAX_RETRIES`, then recorded in `task_failures` by a task of its
own (the database may still be away at that moment); a `StaleVersion` means the
case moved on and counts as done. Each function writes one guarded update per
case, so a retry never finds anything half-applied.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import current_app, shared_task
from pymongo.errors import AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError

from workflows import rerouting, sweeps
from workflows.assembly import (
    Workflow,
    build_workflow,
    mail_sender,
    route_sender,
    routing_provider,
)
from workflows.attachments import AttachmentStore
from workflows.celery_app import task_database
from workflows.digests import send_digests
from workflows.drafts import sweep_abandoned_files
from workflows.outbox import SmtpTransport, mark_failed, resend_pending, send_message
from workflows.retries import GiveUp, Retry, RetryPolicy, attempt
from workflows.routing_provider import RoutingProvider
from workflows.workflow_config import load_workflow_config

log = logging.getLogger("mrvrs.tasks")

#: Failures that pass: the database briefly unreachable.
TRANSIENT = (AutoReconnect, ServerSelectionTimeoutError, NetworkTimeout)
MAIL_TRANSIENT = (*TRANSIENT, smtplib.SMTPException, OSError)


@shared_task(name="mrvrs.ping")
def ping(token: str) -> dict:
    """Prove a worker is alive and can reach the database: records the token it saw."""
    db = task_database(current_app)
    db.worker_pings.update_one(
        {"_id": token},
        {"$setOnInsert": {"at": datetime.now(UTC), "host": socket.gethostname()}},
        upsert=True,
    )
    return {"token": token, "host": socket.gethostname()}


def workflow_for(app: Any) -> Workflow:
    """The case service on this worker's database, with configuration loaded once and
    the routing rules in force (refreshed by the provider, kept across tasks)."""
    config = getattr(app, "mrvrs_workflow_config", None)
    if config is None:
        config = app.mrvrs_workflow_config = load_workflow_config(app.mrvrs_settings)
    db = task_database(app)
    return build_workflow(app.mrvrs_settings, db, config, enqueue_mail=mail_sender(app),
                          routing=routing_for(app, db, config))


def routing_for(app: Any, db: Any, config: Any) -> RoutingProvider:
    """One routing provider per worker process and database: each forked process
    connects anew (`task_database`), so a provider made before the fork is replaced."""
    provider = getattr(app, "mrvrs_routing", None)
    if provider is None or provider.store.versions.database is not db:
        provider = app.mrvrs_routing = routing_provider(app.mrvrs_settings, db, config)
    return provider


def run(task: Any, call: Callable[[Workflow], Any], *args: Any,
        transient: tuple[type[BaseException], ...] = TRANSIENT,
        on_give_up: Callable[[BaseException], None] | None = None) -> Any:
    """Run `call` for `task` and turn the outcome into a result, a retry or a failure."""
    settings = task.app.mrvrs_settings
    policy = RetryPolicy(settings.task_max_retries, settings.task_retry_seconds)
    outcome = attempt(lambda: call(workflow_for(task.app)), task.request.retries, policy,
                      transient)
    if isinstance(outcome, Retry):
        log.warning("%s%r failed (%s); retry %d in %.1fs", task.name, args,
                    type(outcome.error).__name__, task.request.retries + 1, outcome.countdown)
        raise task.retry(exc=outcome.error, countdown=outcome.countdown)
    if isinstance(outcome, GiveUp):
        error = f"{type(outcome.error).__name__}: {outcome.error}"[:500]
        log.error("%s%r gave up after %d retries: %s", task.name, args, task.request.retries,
                  error)
        if on_give_up is not None:
            try:
                on_give_up(outcome.error)
            except TRANSIENT:
                log.exception("%s could not mark its give-up", task.name)
        _record_later(task, list(args), error)
        return {"failed": error}
    return outcome.value


def _record_later(task: Any, args: list[Any], error: str) -> None:
    try:
        record_task_failure.apply_async(
            args=[task.request.id or "", task.name, args, error, task.request.retries],
            retry=False)
    except Exception:  # broker away as well: the log line above is what remains
        log.exception("could not queue the failure record of %s", task.name)


@shared_task(name="mrvrs.record_task_failure", bind=True, max_retries=None)
def record_task_failure(self, task_id: str, name: str, args: list, error: str,
                        retries: int) -> bool:
    """Keep a record of a task that gave up, retrying (longer) until the database is back."""
    db = task_database(self.app)
    try:
        db.task_failures.update_one(
            {"_id": f"{name}:{task_id}"},
            {"$setOnInsert": {"task": name, "task_id": task_id, "args": args, "error": error,
                              "retries": retries, "at": datetime.now(UTC)}}, upsert=True)
    except TRANSIENT as exc:
        settings = self.app.mrvrs_settings
        policy = RetryPolicy(settings.task_max_retries * 4, settings.task_retry_seconds)
        if self.request.retries >= policy.max_retries:
            raise
        raise self.retry(exc=exc, countdown=policy.countdown(min(self.request.retries, 3)))
    return True


@shared_task(name="mrvrs.route_case", bind=True, max_retries=None)
def route_case(self, case_id: str) -> bool:
    """Route a new case (team, priority, possible duplicates, in review), idempotently."""
    case_id = str(case_id)
    _test_pause(self, case_id)
    routed = run(self, lambda w: w.service.route(case_id), case_id)
    return isinstance(routed, dict) and routed.get("stage") != "submitted"


def _test_pause(task: Any, case_id: str) -> None:
    """Test suite only: note the worker's pid, then hold the task so it can be killed."""
    settings = task.app.mrvrs_settings
    if settings.env != "test" or settings.test_task_pause_seconds <= 0:
        return
    task_database(task.app).task_markers.insert_one(
        {"case_id": case_id, "pid": os.getpid(), "at": datetime.now(UTC)})
    time.sleep(settings.test_task_pause_seconds)


@shared_task(name="mrvrs.reroute_fallback", bind=True, max_retries=None)
def reroute_fallback(self, version: int) -> int:
    """After routing `version` was saved: move the fallback team's open cases of the
    countries it gave a team to that team, each once (idempotent), and tell that team."""
    return run(self, lambda w: rerouting.reroute_fallback(
        w.service.routing.store, w.service.repo, w.service.graphs, int(version),
        w.service.clock, w.service.announce_arrival), version)


@shared_task(name="mrvrs.sweep_reminders", bind=True, max_retries=None)
def sweep_reminders(self) -> int:
    return run(self, lambda w: sweeps.send_reminders(w.service, datetime.now(UTC)))


@shared_task(name="mrvrs.sweep_escalations", bind=True, max_retries=None)
def sweep_escalations(self) -> int:
    return run(self, lambda w: sweeps.escalate(w.service, datetime.now(UTC)))


@shared_task(name="mrvrs.sweep_follow_ups", bind=True, max_retries=None)
def sweep_follow_ups(self) -> int:
    return run(self, lambda w: sweeps.follow_ups_due(w.service, datetime.now(UTC)))


@shared_task(name="mrvrs.sweep_shares", bind=True, max_retries=None)
def sweep_shares(self) -> int:
    """End the shares past their end date (workflows/handover.py), each in the audit log
    too; idempotent."""
    factory = getattr(self.app, "mrvrs_audit_factory", None)
    return run(self, lambda w: sweeps.expire_shares(
        w.service, datetime.now(UTC),
        audit=factory(task_database(self.app)).record if factory is not None else None))


@shared_task(name="mrvrs.sweep_submitted", bind=True, max_retries=None)
def sweep_submitted(self) -> int:
    """Re-enqueue routing for cases filed while the broker was away."""
    enqueue = route_sender(self.app)
    after = timedelta(seconds=self.app.mrvrs_settings.catch_up_after_seconds)
    return run(self, lambda w: sweeps.catch_up_submitted(w.service, enqueue, datetime.now(UTC),
                                                         after))


@shared_task(name="mrvrs.sweep_outbox", bind=True, max_retries=None)
def sweep_outbox(self) -> int:
    enqueue = mail_sender(self.app)
    return run(self, lambda w: resend_pending(task_database(self.app), enqueue,
                                              datetime.now(UTC)))


@shared_task(name="mrvrs.send_digests", bind=True, max_retries=None)
def send_digests_task(self) -> int:
    """Each person's e-mail digest of their period, once (nothing without SMTP)."""
    settings = self.app.mrvrs_settings
    if not settings.smtp_url:
        return 0
    enqueue = mail_sender(self.app)
    return run(self, lambda w: send_digests(task_database(self.app), enqueue,
                                            datetime.now(UTC), settings.base_url))


@shared_task(name="mrvrs.sweep_drafts", bind=True, max_retries=None)
def sweep_drafts(self) -> int:
    """Delete the evidence of reports started and never sent, once their draft is gone."""
    settings = self.app.mrvrs_settings
    lifetime = timedelta(hours=settings.draft_lifetime_hours)

    def sweep(w: Workflow) -> int:
        db = task_database(self.app)
        store = AttachmentStore(db, max_bytes=settings.upload_max_bytes,
                                max_files=settings.upload_max_files)
        return sweep_abandoned_files(db, store, datetime.now(UTC), lifetime)

    return run(self, sweep)


@shared_task(name="mrvrs.send_outbox", bind=True, max_retries=None)
def send_outbox(self, message_id: str) -> str:
    """Send one outbox e-mail once, retrying a mail server or database that is away."""
    settings = self.app.mrvrs_settings
    if not settings.smtp_url:
        return "no-smtp"
    db = task_database(self.app)
    transport = getattr(self.app, "mrvrs_mail_transport", None) or SmtpTransport(
        settings.smtp_url)
    return run(self, lambda w: send_message(db, str(message_id), transport,
                                            settings.mail_from, datetime.now(UTC)),
               message_id, transient=MAIL_TRANSIENT,
               on_give_up=lambda exc: mark_failed(db, str(message_id), type(exc).__name__,
                                                  datetime.now(UTC)))
