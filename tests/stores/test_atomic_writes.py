"""Every write that decides between writers is one atomic single-document operation,
proven by racing threads on the real server: a guarded `find_one_and_update` (exactly
one of the reviewers acting on one version wins, and one of the deliveries of an export
job gets its run), routing (applied once however often it is delivered at once), and
documents created under a unique `_id` (the duplicate-key table and the reference
counters lose and double nothing). Each race runs several rounds, each round
started at once by a barrier: a server that read, changed and wrote back would let two
writers win in most rounds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.settings import load_settings
from exports.jobs import ExportJobStore
from workflows.case_service import CaseService
from workflows.errors import StaleVersion
from workflows.repository import CaseRepository
from workflows.workflow_config import load_workflow_config

NOW = datetime.now(UTC).replace(microsecond=0)
ROUNDS = 10
#: Creating a document by upsert lost a write in about one round in five on FerretDB 2
#: (see `CaseRepository.next_reference`): enough rounds that such a loss cannot pass.
UPSERT_ROUNDS = 30
WRITERS = 8
KEY = "pp:" + "d" * 64


@pytest.fixture
def real_repo(real_db):
    repository = CaseRepository(real_db)
    repository.ensure_indexes()
    return repository


@pytest.fixture
def service(real_repo):
    config = load_workflow_config(load_settings({}))
    return CaseService(real_repo, config.graphs, config.rules, b"secret", lambda: NOW)


def reviewer(n: int) -> dict[str, Any]:
    return {"id": f"u_rev{n}", "roles": ["reviewer"], "org_id": None, "countries": ["MY"]}


def file(repo: CaseRepository, n: int, keys: list[str] | None = None) -> dict[str, Any]:
    """A submitted case as intake stores it."""
    at = NOW - timedelta(minutes=n)
    repo.insert({"_id": f"c_{n:06d}", "reference": f"MY-2026-{n:06d}", "country": "MY",
                 "stage": "submitted", "version": 1, "events": [], "answers": {}, "flags": {},
                 "dimensions": {"destination_country": "MY"}, "mwc": [], "follow_ups": [],
                 "duplicate_keys": keys or [], "created_at": at, "updated_at": at})
    return repo.get(f"c_{n:06d}")


def race(count: int, write: Callable[[int], Any]) -> tuple[dict[int, Any], dict[int, Exception]]:
    """Run `write(i)` in `count` threads released together; what each returned or raised."""
    barrier = threading.Barrier(count)
    results: dict[int, Any] = {}
    errors: dict[int, Exception] = {}

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = write(i)
        except Exception as exc:  # noqa: BLE001  (returned to the test, which asserts on it)
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.integration
def test_concurrent_reviewers_on_one_case__exactly_one_wins_the_others_conflict(
        real_repo, service):
    """Half verify the case, half take it on themselves, all from the same version."""
    for n in range(ROUNDS):
        case = service.route(file(real_repo, n)["_id"])

        def act(i: int, case: dict[str, Any] = case) -> dict[str, Any]:
            if i % 2:
                return service.claim(case, reviewer(i))
            return service.transition(case, "verify", reviewer(i), {}, case["version"])

        results, errors = race(WRITERS, act)
        assert len(results) == 1, f"round {n}: {len(results)} writers won"
        assert all(isinstance(e, StaleVersion) for e in errors.values()), errors
        assert len(errors) == WRITERS - 1
        [(winner, updated)] = results.items()
        stored = real_repo.get(case["_id"])
        assert stored == updated
        assert stored["version"] == case["version"] + 1
        assert [e["actor"] for e in stored["events"][len(case["events"]):]] == [f"u_rev{winner}"]


@pytest.mark.integration
def test_same_case_routed_at_once__routing_applied_once(real_repo, service):
    earlier = service.route(file(real_repo, 999, [KEY])["_id"])
    for n in range(ROUNDS):
        case = file(real_repo, n, [KEY])
        results, errors = race(WRITERS, lambda i, case=case: service.route(case["_id"]))
        assert not errors
        stored = real_repo.get(case["_id"])
        assert stored["stage"] == "in_review" and stored["version"] == 2
        assert [e.get("transition") for e in stored["events"]] == ["route"]
        assert stored["possible_duplicates"] == sorted(
            [earlier["reference"], *(f"MY-2026-{m:06d}" for m in range(n))])
        assert all(result == stored for result in results.values())
    entries = [c["id"] for c in real_repo.duplicate_keys.keys.find_one({"_id": KEY})["cases"]]
    assert sorted(entries) == sorted([earlier["_id"], *(f"c_{n:06d}" for n in range(ROUNDS))])


@pytest.mark.integration
def test_concurrent_duplicate_key_writes__nothing_lost_or_doubled(real_repo):
    """Per round a new key: every writer registers its own case at once (the key's
    creation races), then each registers its neighbour's case again at once (an
    at-least-once delivery: the same entry twice)."""
    index = real_repo.duplicate_keys
    for n in range(UPSERT_ROUNDS):
        key = f"pp:{n:064d}"
        cases = [{"_id": f"c_{n}_{i}", "reference": f"MY-2026-{n * 100 + i:06d}",
                  "duplicate_keys": [key], "created_at": NOW - timedelta(minutes=i)}
                 for i in range(WRITERS)]
        expected = sorted(c["_id"] for c in cases)

        results, errors = race(WRITERS, lambda i, cases=cases: index.register(cases[i]))
        assert not errors
        stored = [c["id"] for c in index.keys.find_one({"_id": key})["cases"]]
        assert sorted(stored) == expected, f"round {n}: lost"
        assert all(f"c_{n}_{i}" in {c["id"] for c in seen} for i, seen in results.items())

        results, errors = race(WRITERS, lambda i, cases=cases: index.register(
            cases[(i + 1) % WRITERS]))
        assert not errors
        stored = [c["id"] for c in index.keys.find_one({"_id": key})["cases"]]
        assert sorted(stored) == expected, f"round {n}: doubled"
        index.forget(cases[0])
        assert f"c_{n}_0" not in {c["id"] for c in index.lookup([key])}


@pytest.mark.integration
def test_concurrent_intakes__every_case_its_own_reference(real_repo):
    """8 intakes at once, 6 cases each, on a counter that does not exist yet (a new
    year each round): the first ones race to create it, the rest to increment it."""
    for n in range(UPSERT_ROUNDS):
        year = 2100 + n

        def intake(i: int, year: int = year) -> list[str]:
            references = []
            for j in range(6):
                reference = real_repo.next_reference("SG", year)
                real_repo.insert({"_id": f"c_{year}_{i}_{j}", "reference": reference,
                                  "country": "SG", "stage": "submitted", "version": 1,
                                  "events": []})
                references.append(reference)
            return references

        results, errors = race(WRITERS, intake)
        assert not errors, f"round {n}: {errors}"
        references = [r for refs in results.values() for r in refs]
        assert sorted(references) == [f"SG-{year}-{k:06d}" for k in range(1, 49)]


@pytest.mark.integration
def test_export_job_delivered_at_once__exactly_one_run(real_db):
    store = ExportJobStore(real_db)
    for n in range(ROUNDS):
        job = store.create(kind="export", user_id="u_1", actor={"id": "u_1"},
                           params={"fmt": "csv"}, now=NOW)
        results, errors = race(WRITERS, lambda i, job=job: store.claim(job["_id"], NOW))
        assert not errors
        assert sorted(results.values(), key=str) == [1, *[None] * (WRITERS - 1)], f"round {n}"
        assert store.get(job["_id"])["runs"] == 1


def test_mark__no_new_version_and_once(repo):
    start = repo.insert({"_id": "c_1", "reference": "MY-2026-000001", "stage": "in_review",
                         "version": 1, "events": [], "reminder_at": NOW})
    condition = {"reminder_at": start["reminder_at"]}
    assert repo.mark(start, condition, {"kind": "reminder"}, {"reminder_at": None})
    assert not repo.mark(start, condition, {"kind": "reminder"}, {"reminder_at": None})
    stored = repo.get("c_1")
    assert stored["version"] == 1 and len(stored["events"]) == 1
    assert repo.record(start, {"kind": "note"})["version"] == 2, "a mark is not an edit"
