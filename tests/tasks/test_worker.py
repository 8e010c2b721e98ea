"""A task sent through the real broker to a real `mrvrs worker` process."""

import uuid

import pytest
from pymongo import MongoClient

pytestmark = pytest.mark.integration


def test_ping__through_redis_to_a_worker__result_and_write_observed(celery_worker_process,
                                                                    worker_env):
    from config.settings import load_settings
    from workflows.celery_app import make_celery
    from workflows.tasks import ping

    settings = load_settings(worker_env)
    celery = make_celery(settings)
    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token])
    assert result.get(timeout=60)["token"] == token
    client = MongoClient(settings.mongo_uri)
    try:
        assert client[settings.db_name].worker_pings.find_one({"_id": token}) is not None
    finally:
        client.close()
    assert celery.conf.broker_url == settings.broker_url


def test_healthz__real_database_and_broker__ok(worker_env):
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(worker_env))
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 200, response.json
        assert response.json["broker"]["state"] == "ok"
        assert response.json["database"]["kind"] == "mongodb"
    finally:
        app.extensions["mrvrs"].db.client.close()
