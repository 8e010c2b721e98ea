"""Rate limits on a real Redis: shared by every web process while Redis is up, and
counted in memory, never failing a request, while it is down."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time

import pytest

from tests.helpers import PASSWORD, AuthActions, base_environ, csrf_token, unavailable
from tests.intake_helpers import post_report, publish_shipped, receipt

pytestmark = pytest.mark.integration


def _app(storage_uri: str):
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(base_environ(MRVRS_RATE_LIMIT_STORAGE_URI=storage_uri)))
    publish_shipped(app.extensions["mrvrs"])
    return app


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login_posts(client, count: int) -> list[int]:
    statuses = []
    for i in range(count):
        token = csrf_token(client.get("/auth/login").get_data(as_text=True))
        statuses.append(client.post("/auth/login", data={
            "email": f"x{i}@example.org", "password": "x", "csrf_token": token}).status_code)
    return statuses


def test_limits_in_redis__shared_by_two_web_processes(broker_url):
    """Two app instances stand for two gunicorn workers: the count is Redis's."""
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    first, second = _app(broker_url), _app(broker_url)
    assert _login_posts(_client(first, address), 6) == [400] * 6
    assert _login_posts(_client(second, address), 6)[-1] == 429


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, so it can be stopped like an outage."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def test_redis_stops_mid_run__reports_and_sign_in_go_on(own_redis):
    process, uri = own_redis
    app = _app(uri)
    svc = app.extensions["mrvrs"]
    client = app.test_client()
    assert post_report(client, "my-intake", "en").status_code == 200
    import redis

    assert redis.Redis.from_url(uri).keys("LIMITS*"), "the limits were not counted in Redis"
    process.terminate()
    process.wait(timeout=10)
    response = post_report(client, "my-intake", "en")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert svc.cases.by_tracking(*receipt(response.get_data(as_text=True))) is not None
    user = svc.users.create("staff@example.org", PASSWORD, ["member"])
    assert AuthActions(app.test_client()).login(user["email"]).status_code == 302
