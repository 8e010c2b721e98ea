"""Fixtures of the store tests, each on the embedded store and the real server."""

from __future__ import annotations

import pytest

from workflows.repository import CaseRepository


@pytest.fixture
def repo(any_db):
    """A case repository with its indexes, as `mrvrs db init` leaves it."""
    repository = CaseRepository(any_db)
    repository.ensure_indexes()
    return repository
