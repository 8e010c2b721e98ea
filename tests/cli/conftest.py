"""Fixtures of the command-line tests: a Click runner, and commands run on the test's
database (the embedded store, or the real server of the integration suite)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from pymongo import MongoClient


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def cli_db(any_db, monkeypatch):
    """Every command of the test runs on `any_db` (each command closes its client, so on
    the server each one gets its own)."""
    if isinstance(any_db.client, MongoClient):
        uri = os.environ["MRVRS_TEST_MONGO_URI"]
        monkeypatch.setattr("app.connect", lambda settings: MongoClient(uri, tz_aware=True)[
            any_db.name])
    else:
        import mongomock.gridfs

        mongomock.gridfs.enable_gridfs_integration()  # as the embedded store does
        monkeypatch.setattr("app.connect", lambda settings: any_db)
    return any_db
