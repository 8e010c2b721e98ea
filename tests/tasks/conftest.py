"""Fixtures of the task tests: the private services the workflow fault tests stop and
start, and the app of the job tests that run on a real worker."""

import pytest

from tests.intake_helpers import publish_shipped
from tests.tasks.workflow_services import (  # noqa: F401  (fixtures for this directory)
    database_name,
    private_ferretdb,
    private_redis,
    workers,
)


@pytest.fixture
def worker_app(celery_worker_process, worker_env):
    """The app on the worker's database, with the shipped forms and no cases."""
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(worker_env))
    svc = app.extensions["mrvrs"]
    publish_shipped(svc)
    svc.db.cases.delete_many({})
    yield app
    svc.db.client.close()
