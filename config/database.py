"""The database connection factory: a real MongoDB-wire server or the embedded store.

Stores receive the `Database` this returns; nothing else opens connections, so
a worker process can create its client after fork and tests can hand each test
a fresh store.
"""

from __future__ import annotations

from pymongo import MongoClient
from pymongo.database import Database

from config.settings import Settings

def connect(settings: Settings) -> Database:
    """Return the configured database; a fresh in-process store when no URI is set."""
    if settings.mongo_uri is None:
        return _embedded(settings.db_name)
    client: MongoClient = MongoClient(
        settings.mongo_uri,
        tz_aware=True,
        # How long a request waits for an unreachable server before failing clearly.
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        connectTimeoutMS=settings.mongo_timeout_ms,
        appname="mrvrs",
    )
    return client[settings.db_name]


def _embedded(db_name: str) -> Database:
    import mongomock
    import mongomock.gridfs

    mongomock.gridfs.enable_gridfs_integration()
    return mongomock.MongoClient(tz_aware=True)[db_name]


def ping(db: Database) -> str | None:
    """Return None when the server answers, else a short reason for the health check."""
    try:
        db.client.admin.command("ping")
    except Exception as exc:  # any driver failure means "down" to the health check
        return type(exc).__name__
    return None
