"""The Celery application, built from `Settings`.

With a broker URL tasks go through it to `mrvrs worker`; without one (the
embedded default) they run eagerly in the calling process against the same
in-process store, which is only meant for the demo.
"""

from __future__ import annotations

import os

from celery import Celery
from pymongo.database import Database

from config.database import connect
from config.settings import Settings
from workflows.schedule import beat_schedule

#: Modules whose tasks a worker registers (exports' tasks run there too, named by string).
TASK_MODULES = ["workflows.tasks", "workflows.import_tasks", "exports.tasks"]


def make_celery(settings: Settings, database: Database | None = None) -> Celery:
    """Create the Celery app; `database` is shared with eager tasks in embedded mode."""
    app = Celery("mrvrs", include=TASK_MODULES, set_as_current=True)
    broker = settings.broker_url
    app.conf.update(
        broker_url=broker or "memory://",
        result_backend=_result_backend(broker),
        task_always_eager=settings.eager_tasks,
        task_eager_propagates=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # Tasks are idempotent, so a task whose worker died is delivered again.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        # How long a task taken by a worker that vanished waits before another gets it,
        # and how often workers look for such tasks (one cheap Redis query).
        broker_transport_options={
            "visibility_timeout": settings.broker_visibility_seconds,
            "unacked_restore_interval": min(10, settings.broker_visibility_seconds),
            "unacked_restore_throttle": 1,
        },
        beat_schedule=beat_schedule(settings.sweep_intervals),
    )
    app.mrvrs_settings = settings  # type: ignore[attr-defined]
    app.mrvrs_database = database  # type: ignore[attr-defined]
    app.mrvrs_database_pid = os.getpid() if database is not None else None  # type: ignore[attr-defined]
    return app


def _result_backend(broker: str | None) -> str:
    if broker and broker.startswith(("redis://", "rediss://")):
        return broker
    return "cache+memory://"


def task_database(app: Celery) -> Database:
    """The database for a task, connected lazily once per worker process (after fork)."""
    pid = os.getpid()
    if app.mrvrs_database is None or app.mrvrs_database_pid != pid:  # type: ignore[attr-defined]
        app.mrvrs_database = connect(app.mrvrs_settings)  # type: ignore[attr-defined]
        app.mrvrs_database_pid = pid  # type: ignore[attr-defined]
    return app.mrvrs_database  # type: ignore[attr-defined]


def broker_problem(app: Celery, timeout: float = 2.0) -> str | None:
    """Return None when the broker answers (or there is none), else a short reason."""
    if app.conf.task_always_eager:
        return None
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001  (kombu raises transport-specific errors)
        return type(exc).__name__
    return None
