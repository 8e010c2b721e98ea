"""Fixtures for the real services: a MongoDB-wire server, Redis, a Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from pymongo import MongoClient

from tests.helpers import base_environ, unavailable


@pytest.fixture(scope="session")
def mongo_uri() -> str:
    uri = os.environ.get("MRVRS_TEST_MONGO_URI")
    if not uri:
        unavailable("MRVRS_TEST_MONGO_URI is not set (a MongoDB-wire server for integration tests)")
    return uri


@pytest.fixture(scope="session")
def broker_url() -> str:
    url = os.environ.get("MRVRS_TEST_BROKER_URL")
    if not url:
        unavailable("MRVRS_TEST_BROKER_URL is not set (a Redis broker for integration tests)")
    return url


@pytest.fixture
def real_db(mongo_uri):
    """A uniquely named database on the real server, dropped afterwards."""
    client: MongoClient = MongoClient(mongo_uri, tz_aware=True, serverSelectionTimeoutMS=5000)
    name = f"mrvrs_test_{uuid.uuid4().hex[:10]}"
    try:
        client.admin.command("ping")
    except Exception as exc:
        unavailable(f"cannot reach {mongo_uri}: {exc}")
    yield client[name]
    client.drop_database(name)
    client.close()


@pytest.fixture(params=["mongomock", pytest.param("server", marks=pytest.mark.integration)])
def any_db(request):
    """The same store test on the embedded store and, marked integration, on the real server."""
    if request.param == "mongomock":
        import mongomock

        return mongomock.MongoClient(tz_aware=True)[f"mrvrs_{uuid.uuid4().hex[:8]}"]
    return request.getfixturevalue("real_db")


@pytest.fixture(scope="session")
def worker_env(mongo_uri, broker_url):
    db_name = f"mrvrs_worker_{uuid.uuid4().hex[:8]}"
    env = dict(os.environ)
    env.update(base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_BROKER_URL=broker_url,
                            MRVRS_DB_NAME=db_name))
    yield env
    client: MongoClient = MongoClient(mongo_uri)
    client.drop_database(db_name)
    client.close()


@pytest.fixture(scope="session")
def celery_worker_process(worker_env):
    """A real `mrvrs worker` process on the real broker, stopped after the session."""
    log_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"mrvrs-worker-{os.getpid()}.log")
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", "--concurrency=2", "--loglevel=INFO"],
        env=worker_env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    ready = False
    while time.monotonic() < deadline and process.poll() is None:
        with open(log_path) as current:
            if "ready." in current.read():
                ready = True
                break
        time.sleep(0.3)
    if not ready:
        process.kill()
        with open(log_path) as current:
            pytest.fail(f"the worker did not start:\n{current.read()[-3000:]}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
