"""Possible duplicates through the duplicate-key table, on both stores: found by `_id`
reads of keyed hashes, within the window, never the case itself, the same answer as the
query on the cases gave; cases stored before the table are backfilled once; two
routers of cases sharing a key at once lose neither."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from config.settings import load_settings
from workflows import duplicate_index
from workflows.case_service import MAX_DUPLICATES, CaseService
from workflows.duplicate_index import BACKFILL, KEPT_PER_KEY, DuplicateKeyIndex
from workflows.repository import CaseRepository
from workflows.workflow_config import load_workflow_config

NOW = datetime.now(UTC).replace(microsecond=0)
PP = "pp:" + "a" * 64
EW = "ew:" + "b" * 64
OTHER = "pp:" + "c" * 64


@pytest.fixture
def service(repo):
    config = load_workflow_config(load_settings({}))
    return CaseService(repo, config.graphs, config.rules, b"secret", lambda: NOW)


def file(repo, n, keys, days_ago=0.0, **fields):
    """A submitted case as intake stores it (not yet in the table)."""
    at = NOW - timedelta(days=days_ago)
    case = {"_id": f"c_{n:06d}", "reference": f"MY-2026-{n:06d}", "country": "MY",
            "stage": "submitted", "version": 1, "events": [], "answers": {}, "flags": {},
            "dimensions": {"destination_country": "MY"}, "mwc": [], "follow_ups": [],
            "duplicate_keys": keys, "created_at": at, "updated_at": at, **fields}
    repo.insert(case)
    return repo.get(case["_id"])  # as stored (milliseconds)


def routed(repo, service, n, keys, days_ago=0.0):
    file(repo, n, keys, days_ago)
    return service.route(f"c_{n:06d}")


def old_query(repo, service, case):
    """What `possible_duplicates` answered before the table: the query on the cases."""
    since = service.rules.duplicates_since(case["created_at"])
    found = repo.cases.find({"duplicate_keys": {"$in": case["duplicate_keys"]},
                             "created_at": {"$gte": since}}, {"reference": 1}
                            ).sort("created_at", -1).limit(MAX_DUPLICATES + 1)
    return sorted({c["reference"] for c in found if c["_id"] != case["_id"]})


def test_route__earlier_cases_sharing_a_key__found_through_the_table(repo, service):
    first = routed(repo, service, 1, [PP], days_ago=2)
    second = routed(repo, service, 2, [EW, PP], days_ago=1)
    routed(repo, service, 3, [OTHER])
    third = routed(repo, service, 4, [EW])
    assert first["possible_duplicates"] == []
    assert second["possible_duplicates"] == ["MY-2026-000001"]
    assert third["possible_duplicates"] == ["MY-2026-000002"]
    stored = repo.duplicate_keys.keys.find_one({"_id": PP})
    assert sorted(c["id"] for c in stored["cases"]) == ["c_000001", "c_000002"]
    assert third["events"][-1]["data"]["possible_duplicates"] == ["MY-2026-000002"]


def test_route__window_respected_and_case_itself_left_out(repo, service):
    routed(repo, service, 1, [PP], days_ago=200)  # the shipped window is 180 days
    routed(repo, service, 2, [PP], days_ago=100)
    case = routed(repo, service, 3, [PP])
    assert case["possible_duplicates"] == ["MY-2026-000002"]
    assert service.possible_duplicates(case) == ["MY-2026-000002"], "again: the same"


def test_route__same_answer_as_the_query_on_the_cases(repo, service):
    """The newest MAX_DUPLICATES + 1 in the window count, the case itself among them,
    whether it was routed before or after the others (and some filed after it)."""
    for n in range(1, 31):
        routed(repo, service, n, [PP] if n % 2 else [PP, EW], days_ago=(40 - n) * 5)
    late = routed(repo, service, 99, [EW, PP], days_ago=52)
    assert len(late["possible_duplicates"]) == MAX_DUPLICATES
    assert late["possible_duplicates"] == old_query(repo, service, late)
    for n, count in ((1, MAX_DUPLICATES + 1), (12, MAX_DUPLICATES), (30, MAX_DUPLICATES)):
        case = repo.get(f"c_{n:06d}")
        assert service.possible_duplicates(case) == old_query(repo, service, case), n
        assert len(old_query(repo, service, case)) == count, n


def test_route__no_keys_or_no_filing_time__nothing_registered(repo, service):
    assert routed(repo, service, 1, [])["possible_duplicates"] == []
    assert service.possible_duplicates({"_id": "c_x", "duplicate_keys": [PP]}) == []
    assert repo.duplicate_keys.keys.count_documents({}) == 0


def test_table__keyed_hashes_only_newest_kept_and_forget(repo):
    index = repo.duplicate_keys
    cases = [{"_id": f"c_{n}", "reference": f"MY-2026-{n:06d}", "duplicate_keys": [PP],
              "created_at": NOW - timedelta(hours=n)} for n in range(KEPT_PER_KEY + 5)]
    index.add_many(cases[:50])
    for case in cases[50:]:
        index.register(case)
    stored = index.keys.find_one({"_id": PP})
    assert set(stored) == {"_id", "cases"}
    assert sorted(c["id"] for c in stored["cases"]) == sorted(f"c_{n}" for n in range(KEPT_PER_KEY))
    assert {tuple(sorted(c)) for c in stored["cases"]} == {("created_at", "id", "reference")}
    index.forget(cases[0])
    assert "c_0" not in {c["id"] for c in index.lookup([PP])}
    for case in cases[1:KEPT_PER_KEY]:
        index.forget(case)
    assert index.keys.find_one({"_id": PP}) is None


def test_backfill__cases_stored_before_the_table__found_once_filled(any_db):
    before = CaseRepository(any_db)
    for n in range(1, 8):  # stored before the table existed, some in several batches
        file(before, n, [PP, f"wnd:{n % 3}"] if n != 4 else [], days_ago=10 - n)
    any_db.cases.insert_one({"_id": "c_odd", "reference": "MY-2026-999999",
                             "duplicate_keys": [PP]})  # no filing time: skipped
    original = duplicate_index.BATCH
    duplicate_index.BATCH = 3
    try:
        before.ensure_indexes()
    finally:
        duplicate_index.BATCH = original
    state = any_db.case_migrations.find_one({"_id": BACKFILL})
    assert state["done_at"] is not None and state["cases"] == 6
    assert sorted(c["id"] for c in before.duplicate_keys.lookup([PP])) == [
        f"c_{n:06d}" for n in (1, 2, 3, 5, 6, 7)]
    assert {c["id"] for c in before.duplicate_keys.lookup(["wnd:1"])} == {"c_000001",
                                                                         "c_000007"}
    config = load_workflow_config(load_settings({}))
    service = CaseService(before, config.graphs, config.rules, b"secret", lambda: NOW)
    assert service.route("c_000002")["possible_duplicates"] == [
        f"MY-2026-{n:06d}" for n in (1, 3, 5, 6, 7)]
    any_db.case_duplicate_keys.delete_many({})
    assert before.duplicate_keys.ensure_backfilled(any_db.cases) is None, "done once"
    assert any_db.case_duplicate_keys.count_documents({}) == 0


def test_backfill__running_elsewhere__left_alone_until_it_goes_quiet(any_db):
    file(CaseRepository(any_db), 1, [PP])
    index = DuplicateKeyIndex(any_db)
    any_db.case_migrations.insert_one({"_id": BACKFILL, "started_at": NOW,
                                       "beat_at": datetime.now(UTC), "done_at": None})
    assert index.ensure_backfilled(any_db.cases) is None
    any_db.case_migrations.update_one({"_id": BACKFILL}, {"$set": {
        "beat_at": datetime.now(UTC) - duplicate_index.BACKFILL_STALE - timedelta(seconds=1)}})
    assert index.ensure_backfilled(any_db.cases) == 1
    assert [c["id"] for c in index.lookup([PP])] == ["c_000001"]


def test_concurrent_routing__cases_sharing_a_key__the_later_lists_the_earlier(repo, service):
    """Routers at once, on a new key and on one already stored: nothing is lost, and
    of two cases the one registered later under a shared key lists the earlier (with
    several shared keys the orders may differ, and both list each other)."""
    routed(repo, service, 1, [EW])
    for first, keys in ((10, [PP]), (20, [EW]), (30, [PP, EW])):
        ids = [f"c_{first + i:06d}" for i in range(4)]
        for i in range(4):
            file(repo, first + i, keys)
        barrier, results, errors = threading.Barrier(4), {}, []

        def route(case_id, barrier=barrier, results=results, errors=errors):
            barrier.wait()
            try:
                results[case_id] = service.route(case_id)
            except Exception as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=route, args=(i,)) for i in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        assert set(ids) <= {c["id"] for c in repo.duplicate_keys.lookup(keys)}
        references = {i: f"MY-2026-{i[2:]}" for i in ids}
        seen = {i: set(results[i]["possible_duplicates"]) for i in ids}
        if EW in keys:
            assert all("MY-2026-000001" in seen[i] for i in ids)
        seen = {i: seen[i] & set(references.values()) for i in ids}
        for a in ids:  # every two linked, by the one registered later under a shared key
            assert all(references[b] in seen[a] or references[a] in seen[b]
                       for b in ids if b != a), seen
        if len(keys) == 1:  # one key: a chain in the order they were registered
            order = sorted(ids, key=lambda i: len(seen[i]))
            for position, case_id in enumerate(order):
                assert seen[case_id] == {references[i] for i in order[:position]}, seen


def test_register__again_or_from_memory__one_entry_per_case(repo):
    case = {"_id": "c_1", "reference": "MY-2026-000001", "duplicate_keys": [PP, PP],
            "created_at": NOW.replace(microsecond=123456)}
    repo.duplicate_keys.add_many([case])
    repo.duplicate_keys.register(case)
    repo.cases.insert_one(dict(case))
    assert repo.duplicate_keys.register(repo.get("c_1")) == repo.duplicate_keys.lookup([PP])
    assert len(repo.duplicate_keys.keys.find_one({"_id": PP})["cases"]) == 1


def test_generated_data__every_routed_case_in_the_table(any_db, monkeypatch):
    from bench import generate

    monkeypatch.setattr(generate, "HOLD_CASES", 40)  # written in several flushes
    monkeypatch.setattr(generate, "BATCH", 25)
    generate.generate(any_db, 240, seed=3)
    expected: dict[str, set[str]] = {}
    for case in any_db.cases.find({}, {"duplicate_keys": 1, "stage": 1}):
        assert case["stage"] != "submitted"
        for key in case["duplicate_keys"]:
            expected.setdefault(key, set()).add(case["_id"])
    stored = {d["_id"]: [c["id"] for c in d["cases"]] for d in any_db.case_duplicate_keys.find()}
    assert {key: set(ids) for key, ids in stored.items()} == expected
    assert all(len(ids) == len(set(ids)) for ids in stored.values())
    assert any(len(ids) > 1 for ids in stored.values()), "some people reported twice"


def test_kept_per_key__covers_what_a_lookup_keeps():
    assert KEPT_PER_KEY >= MAX_DUPLICATES + 1
