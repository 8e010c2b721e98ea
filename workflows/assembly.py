"""Build the case service and its notifier from settings, for the web app and the worker.

One recipe for both, so a case moves the same way whether a reviewer or a task
moves it. The stage graphs and the seed routing rules are loaded by the caller once
at start-up (`load_workflow_config`) and handed in; the routing rules in force come
from a `RoutingProvider` on the same database, refreshed while the process runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from config.settings import Settings
from workflows.case_service import CaseService
from workflows.notifications import NotificationStore, StaffDirectory
from workflows.repository import CaseRepository
from workflows.routing_provider import RoutingProvider
from workflows.routing_store import RoutingStore
from workflows.workflow_config import WorkflowConfig


@dataclass(frozen=True)
class Workflow:
    service: CaseService
    notifications: NotificationStore

    def ensure_indexes(self) -> None:
        self.notifications.ensure_indexes()


def identity_secret(settings: Settings) -> bytes:
    """The key of the duplicate-key hashes: derived from the oldest data key, so it is kept
    and backed up with the data keys, differs from every other use of that key, and does
    not change when a new data key is put in front."""
    return hashlib.sha256(b"mrvrs duplicate keys|" + settings.oldest_data_key.encode()).digest()


def routing_provider(settings: Settings, db: Any, config: WorkflowConfig) -> RoutingProvider:
    """The rules in force on `db`: its newest routing version, else the seed file's."""
    return RoutingProvider(RoutingStore(db), config.rules, settings.routing_refresh_seconds)


def build_workflow(settings: Settings, db: Any, config: WorkflowConfig, *,
                   enqueue_mail: Callable[[str], object] | None = None,
                   secret: bytes | None = None,
                   clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                   routing: RoutingProvider | None = None) -> Workflow:
    routing = routing or routing_provider(settings, db, config)
    directory = StaffDirectory(db, routing)
    notifications = NotificationStore(db, directory, mail=bool(settings.smtp_url),
                                      enqueue_mail=enqueue_mail, clock=clock)
    service = CaseService(CaseRepository(db), config.graphs, routing,
                          secret if secret is not None else identity_secret(settings), clock,
                          notifier=notifications, staff_check=directory.may_hold)
    return Workflow(service, notifications)


def mail_sender(celery: Any) -> Callable[[str], object]:
    """Enqueue `send_outbox` on this Celery app, failing fast when the broker is away."""

    def enqueue(message_id: str) -> object:
        import workflows.tasks  # noqa: F401  (registers the tasks with every Celery app)

        return celery.tasks["mrvrs.send_outbox"].apply_async(args=[message_id], retry=False)

    return enqueue


def route_sender(celery: Any, label: str = "catch-up") -> Callable[[str], object]:
    """Enqueue `route_case` on this Celery app, failing fast when the broker is away."""

    def enqueue(case_id: str) -> object:
        import workflows.tasks  # noqa: F401

        return celery.tasks["mrvrs.route_case"].apply_async(
            args=[case_id], task_id=f"route:{case_id}:{label}", retry=False)

    return enqueue


def reroute_sender(celery: Any) -> Callable[[int], object]:
    """Enqueue `reroute_fallback` for a saved routing version on this Celery app."""

    def enqueue(version: int) -> object:
        import workflows.tasks  # noqa: F401

        return celery.tasks["mrvrs.reroute_fallback"].apply_async(
            args=[int(version)], task_id=f"reroute:{int(version)}", retry=False)

    return enqueue
