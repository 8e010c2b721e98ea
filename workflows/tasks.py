"""Celery tasks: thin adapters that take ids and call plain functions.

Task signatures are a wire format: add parameters only as keywords with
defaults, never reorder, so tasks queued before an upgrade still run.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

from celery import current_app, shared_task

from workflows.celery_app import task_database
from workflows.errors import StaleVersion
from workflows.intake import note_routing_requested
from workflows.repository import CaseRepository


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


@shared_task(name="mrvrs.route_case", bind=True, autoretry_for=(StaleVersion,),
             retry_backoff=True, max_retries=5)
def route_case(self, case_id: str) -> bool:
    """Route a new case; for now only record, once, that routing was requested.

    The workflow issue gives it its behaviour behind this same signature.
    """
    repo = CaseRepository(task_database(self.app))
    return note_routing_requested(repo, str(case_id), datetime.now(UTC))
