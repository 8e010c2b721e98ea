"""Filing through the app on the real services: routing runs on a real worker, and a
broker that is down does not cost the reporter their report."""

import socket
import time
import uuid

import pytest
from pymongo import MongoClient

from tests.helpers import base_environ
from tests.intake_helpers import post_report, receipt

pytestmark = pytest.mark.integration


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _app(environ):
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(environ))
    app.extensions["mrvrs"].forms.publish_shipped()
    return app


def test_submit__route_case_runs_on_the_real_worker(celery_worker_process, worker_env):
    app = _app(worker_env)
    svc = app.extensions["mrvrs"]
    try:
        response = post_report(app.test_client(), "my-intake", "ms")
        assert response.status_code == 200
        reference, code = receipt(response.get_data(as_text=True))
        deadline = time.monotonic() + 60
        case = svc.cases.by_tracking(reference, code)
        while case["version"] == 1 and time.monotonic() < deadline:
            time.sleep(0.5)
            case = svc.cases.by_tracking(reference, code)
        assert case["version"] > 1, "route_case did not run on the worker"
        assert any(e["actor"] == "system" for e in case["events"][1:])
    finally:
        svc.db.client.close()


def test_submit__broker_down__case_stored_and_receipt_shown(mongo_uri):
    name = f"mrvrs_test_{uuid.uuid4().hex[:10]}"
    environ = base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name,
                           MRVRS_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    app = _app(environ)
    svc = app.extensions["mrvrs"]
    try:
        started = time.monotonic()
        response = post_report(app.test_client(), "my-intake", "en")
        assert response.status_code == 200
        assert time.monotonic() - started < 15
        case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
        assert case["stage"] == "submitted" and case["version"] == 1
    finally:
        client = MongoClient(mongo_uri)
        client.drop_database(name)
        client.close()
        svc.db.client.close()


def test_redis_down__report_stored_routed_later_and_staff_sign_in(mongo_uri):
    """One Redis serves the broker and the rate limits: when it is away, a report is
    still stored, the catch-up sweep finds it, and staff can still sign in."""
    from datetime import UTC, datetime, timedelta

    from tests.helpers import PASSWORD, AuthActions
    from workflows.sweeps import catch_up_submitted

    name = f"mrvrs_test_{uuid.uuid4().hex[:10]}"
    away = f"redis://127.0.0.1:{_closed_port()}"
    environ = base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name,
                           MRVRS_BROKER_URL=f"{away}/0", MRVRS_RATE_LIMIT_STORAGE_URI=f"{away}/1")
    app = _app(environ)
    svc = app.extensions["mrvrs"]
    try:
        response = post_report(app.test_client(), "my-intake", "en")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
        assert case["stage"] == "submitted"
        later = datetime.now(UTC) + timedelta(hours=1)
        queued: list[str] = []
        catch_up_submitted(svc.workflow, queued.append, later)
        assert queued == [str(case["_id"])]
        user = svc.users.create("staff@example.org", PASSWORD, ["member"])
        assert AuthActions(app.test_client()).login(user["email"]).status_code == 302
    finally:
        client = MongoClient(mongo_uri)
        client.drop_database(name)
        client.close()
        svc.db.client.close()
