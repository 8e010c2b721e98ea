"""Fixtures of the task tests: the private services the workflow fault tests stop and start."""

from tests.tasks.workflow_services import (  # noqa: F401  (fixtures for this directory)
    database_name,
    private_ferretdb,
    private_redis,
    workers,
)
