"""Celery tasks: thin adapters that take ids and call plain functions.

Task signatures are a wire format: add parameters only as keywords with
defaults, never reorder, so tasks queued before an upgrade still run.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

from celery import current_app, shared_task

from workflows.celery_app import task_database


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
