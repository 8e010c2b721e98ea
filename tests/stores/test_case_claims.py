"""Guarded updates stay compare-and-set on both stores, FerretDB included: of writers
starting from the same version exactly one wins, and a claim left by a dead writer
does not block the case."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from workflows.errors import StaleVersion
from workflows.repository import CLAIM_TTL, CaseRepository


@pytest.fixture
def repo(any_db):
    repository = CaseRepository(any_db)
    repository.ensure_indexes()
    return repository


def case(repo, case_id="c_1"):
    return repo.insert({"_id": case_id, "reference": f"MY-2026-{case_id[2:]:0>6}",
                        "stage": "in_review", "version": 1, "events": [],
                        "reminder_at": datetime(2026, 3, 1, tzinfo=UTC)})


def test_writers_from_the_same_version__exactly_one_wins(repo):
    for n in range(10):
        start = case(repo, f"c_{n}")
        barrier, wins = threading.Barrier(4), []

        def write(i, start=start, barrier=barrier, wins=wins):
            barrier.wait()
            try:
                repo.record(start, {"kind": "note", "by": i}, {"assignee": f"u_{i}"})
                wins.append(i)
            except StaleVersion:
                pass

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        stored = repo.get(start["_id"])
        assert len(wins) == 1
        assert stored["version"] == 2 and [e["by"] for e in stored["events"]] == wins
        assert stored["assignee"] == f"u_{wins[0]}"
    assert repo.claims.count_documents({}) == 0


def test_claim_of_a_dead_writer__taken_over_after_its_time(repo):
    start = case(repo)
    repo.claims.insert_one({"_id": "c_1:1", "at": datetime.now(UTC)})
    with pytest.raises(StaleVersion):
        repo.record(start, {"kind": "note"})
    repo.claims.update_one({"_id": "c_1:1"},
                           {"$set": {"at": datetime.now(UTC) - CLAIM_TTL - timedelta(seconds=1)}})
    assert repo.record(start, {"kind": "note"})["version"] == 2


def test_mark__ordered_but_no_new_version_and_once(repo):
    start = case(repo)
    condition = {"reminder_at": start["reminder_at"]}
    assert repo.mark(start, condition, {"kind": "reminder"}, {"reminder_at": None})
    assert not repo.mark(start, condition, {"kind": "reminder"}, {"reminder_at": None})
    stored = repo.get("c_1")
    assert stored["version"] == 1 and len(stored["events"]) == 1
    assert repo.record(start, {"kind": "note"})["version"] == 2, "a mark is not an edit"
