"""Private services the workflow fault tests stop and start: a Redis, a FerretDB and
`mrvrs worker` processes, each on its own loopback port so no other test is disturbed.

The private FerretDB is a FerretDB 2 in front of the PostgreSQL with DocumentDB that
`.ci/run` starts (`MRVRS_TEST_FERRETDB_BIN`, `MRVRS_TEST_POSTGRES_URL`): stopping it
takes the database away from the app and its workers, and starting it again brings
back everything stored.

Helpers and fixtures only; the fault and path tests import the fixtures they use.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pymongo import MongoClient

from tests.helpers import base_environ, unavailable

WAIT = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll `check` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Server:
    """A server process on a fixed loopback port that can be stopped and started again."""

    def __init__(self, name: str, command: list[str], port: int, workdir: Path) -> None:
        self.name, self.command, self.port, self.workdir = name, command, port, workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.workdir / f"{self.name}.log", "a") as log:  # the child keeps its copy
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=self.workdir)
        wait_for(lambda: _port_open(self.port), f"{self.name} on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        wait_for(lambda: not _port_open(self.port), f"{self.name} to stop")


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed (Debian's redis-server)")
    port = free_port()
    server = Server("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                              "--save", "", "--appendonly", "no"], port, tmp_path)
    server.url = f"redis://127.0.0.1:{port}/0"  # type: ignore[attr-defined]
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_ferretdb(tmp_path):
    binary = os.environ.get("MRVRS_TEST_FERRETDB_BIN")
    postgres = os.environ.get("MRVRS_TEST_POSTGRES_URL")
    if not binary or not postgres:
        unavailable("MRVRS_TEST_FERRETDB_BIN and MRVRS_TEST_POSTGRES_URL are not set "
                    "(a FerretDB 2 binary and its PostgreSQL with DocumentDB; .ci/run sets both)")
    if not os.access(binary, os.X_OK):
        unavailable(f"MRVRS_TEST_FERRETDB_BIN={binary} is not an executable")
    port = free_port()
    state = tmp_path / "ferretdb"
    state.mkdir()
    server = Server("ferretdb", [binary, f"--postgresql-url={postgres}",
                                 f"--listen-addr=127.0.0.1:{port}", f"--state-dir={state}",
                                 "--no-auth", "--debug-addr=-", "--telemetry=disable",
                                 "--log-level=warn"],
                    port, tmp_path)
    server.uri = f"mongodb://127.0.0.1:{port}/"  # type: ignore[attr-defined]
    # The PostgreSQL behind it is shared: each test its own database, dropped afterwards.
    server.db_name = f"mrvrs_outage_{uuid.uuid4().hex[:10]}"  # type: ignore[attr-defined]
    server.start()
    yield server
    if server.process is None or server.process.poll() is not None:
        server.start()
    client: MongoClient = MongoClient(server.uri, serverSelectionTimeoutMS=5000)
    client.drop_database(server.db_name)
    client.close()
    server.stop()


class Worker:
    """A `mrvrs worker` (or `mrvrs beat`) in its own process group, so kill -9 takes every
    pool process."""

    READY: ClassVar[dict[str, str]] = {"worker": "ready.", "beat": "beat: Starting"}

    def __init__(self, env: dict[str, str], log_dir: Path, command: str = "worker") -> None:
        self.env, self.command = env, command
        self.log_path = log_dir / f"{command}-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        extra = ["--concurrency=1"] if self.command == "worker" else []
        with open(self.log_path, "a") as log:  # the child keeps its copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", self.command, "--loglevel=INFO", *extra],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: self.READY[self.command] in self.log() or self.process.poll() is not None,
                 f"{self.command} to start")
        if self.process.poll() is not None:
            pytest.fail(f"{self.command} exited:\n{self.log()[-3000:]}")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def workflow_environ(mongo_uri: str, broker_url: str, db_name: str, **extra: str) -> dict:
    """The environment of the app and its workers: short timeouts and back-off for tests."""
    settings = {"MRVRS_MONGO_URI": mongo_uri, "MRVRS_BROKER_URL": broker_url,
                "MRVRS_DB_NAME": db_name, "MRVRS_MONGO_TIMEOUT_MS": "1000",
                "MRVRS_TASK_MAX_RETRIES": "4", "MRVRS_TASK_RETRY_SECONDS": "1",
                "MRVRS_BROKER_VISIBILITY_SECONDS": "5", **extra}
    return {**os.environ, **base_environ(**settings)}


@pytest.fixture
def workers(tmp_path):
    """Start workers with `workers(env)` (or beat: `workers(env, "beat")`); all stopped after."""
    started: list[Worker] = []

    def start(env: dict[str, str], command: str = "worker") -> Worker:
        worker = Worker({**env, "TMPDIR": str(tmp_path)}, tmp_path, command).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def database_name(mongo_uri):
    """A fresh database name on the shared test server, dropped afterwards."""
    name = f"mrvrs_wf_{uuid.uuid4().hex[:10]}"
    yield name
    client: MongoClient = MongoClient(mongo_uri)
    client.drop_database(name)
    client.close()


def make_app(environ: dict[str, str]):
    """The web app on these services, with the shipped forms published."""
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(environ))
    app.extensions["mrvrs"].forms.publish_shipped()
    return app
