"""The case repository on both stores: references, lookups and guarded updates."""

import statistics
import time
from datetime import UTC, datetime

import pytest

from workflows.errors import StaleVersion
from workflows.repository import CaseRepository, new_case_id
from workflows.scope import case_filter_for
from workflows.stages import TransitionResult
from workflows.tracking import code_hash, new_code, normalise_code


@pytest.fixture
def repo(any_db):
    repository = CaseRepository(any_db)
    repository.ensure_indexes()
    repository.ensure_indexes()
    return repository


def _case(repo, code="AAAA-BBBB-CCCC-DDDD-EEEE", **fields):
    now = datetime.now(UTC)
    case = {"_id": new_case_id(), "reference": repo.next_reference("MY", 2026),
            "country": "MY", "stage": "submitted", "version": 1, "tracking_hash": code_hash(code),
            "events": [{"at": now, "actor": "reporter", "from": None, "to": "submitted",
                        "note": "", "kind": "transition"}],
            "created_at": now, "updated_at": now, **fields}
    return repo.insert(case)


def test_references__sequence_per_country_and_year(repo):
    assert repo.next_reference("MY", 2026) == "MY-2026-000001"
    assert repo.next_reference("MY", 2026) == "MY-2026-000002"
    assert repo.next_reference("SG", 2026) == "SG-2026-000001"
    assert repo.next_reference("MY", 2027) == "MY-2027-000001"


def test_lookup__by_reference_and_tracking_code(repo):
    case = _case(repo)
    assert repo.get(case["_id"])["reference"] == case["reference"]
    assert repo.by_reference(case["reference"].lower())["_id"] == case["_id"]
    assert repo.by_tracking(case["reference"], "aaaa bbbb cccc dddd eeee")["_id"] == case["_id"]
    assert repo.by_tracking(case["reference"], "AAAA-BBBB-CCCC-DDDD-EEEF") is None
    assert repo.by_reference({"$gt": ""}) is None
    assert repo.by_reference("MY-2026-00000") is None


def test_lookup__within_a_scope__outside_it_is_a_miss_like_a_missing_case(repo):
    case = _case(repo, dimensions={"destination_country": "MY"})
    sg_scope = case_filter_for({"id": "u", "roles": ["reviewer"], "countries": ["SG"]})
    my_scope = case_filter_for({"id": "u", "roles": ["reviewer"], "countries": ["MY"]})
    assert repo.by_reference(case["reference"], within=sg_scope) is None
    assert repo.by_reference(case["reference"], within=my_scope)["_id"] == case["_id"]
    assert repo.by_reference(case["reference"], within=case_filter_for({})) is None
    assert repo.get(case["_id"], within=sg_scope) is None
    assert repo.get(case["_id"], within=my_scope)["_id"] == case["_id"]
    other = _case(repo, country="SG", dimensions={"destination_country": "SG"})
    named = [case["reference"], other["reference"], "MY-2026-999999"]
    assert repo.references_within(named, my_scope) == {case["reference"]}
    assert repo.references_within(named, {}) == {case["reference"], other["reference"]}
    assert repo.references_within([], my_scope) == set()


def test_lookup__within_a_scope__out_of_scope_and_missing_take_the_same_time(repo):
    """On the real server too: the case outside the scope is never sent back, so its miss
    costs what a missing reference costs (figures in the message)."""
    notes = [{"at": datetime.now(UTC), "actor": "u", "note": "No answer from the employer. " * 6,
              "kind": "note"} for _ in range(3000)]
    case = _case(repo, dimensions={"destination_country": "MY"}, events=notes)
    sg_scope = case_filter_for({"id": "u", "roles": ["reviewer"], "countries": ["SG"]})
    missing = case["reference"][:-6] + "999999"
    figures = []
    for _ in range(3):
        times = {case["reference"]: [], missing: []}
        for _ in range(25):
            for reference in times:
                start = time.perf_counter()
                assert repo.by_reference(reference, within=sg_scope) is None
                times[reference].append(time.perf_counter() - start)
        existing, absent = (statistics.median(t) for t in times.values())
        figures.append(f"existing {existing * 1000:.2f} ms, missing {absent * 1000:.2f} ms")
        if existing < absent * 1.6:
            return
    raise AssertionError("; ".join(figures))


def test_reference__unique_index(repo):
    case = _case(repo)
    with pytest.raises(Exception, match="uplicate"):
        repo.insert({**case, "_id": new_case_id()})


def test_apply__guarded_on_stage_and_version(repo):
    case = _case(repo)
    result = TransitionResult(changes={"stage": "in_review"},
                              event={"kind": "transition", "from": "submitted",
                                     "to": "in_review"})
    updated = repo.apply(case, result, extra={"team": "my-team"})
    assert updated["stage"] == "in_review" and updated["version"] == 2
    assert updated["team"] == "my-team" and len(updated["events"]) == 2
    with pytest.raises(StaleVersion):
        repo.apply(case, result)  # the same old copy again: the loser gets a conflict
    assert repo.get(case["_id"])["version"] == 2


def test_record__keeps_stage_bumps_version(repo):
    case = _case(repo)
    updated = repo.record(case, {"kind": "note", "note": "called the shelter"},
                          changes={"assignee": "u_1"})
    assert updated["assignee"] == "u_1" and updated["version"] == 2
    with pytest.raises(StaleVersion):
        repo.record(case, {"kind": "note"})


def test_tracking_codes__readable_and_forgiving():
    code = new_code()
    assert len(code) == 24 and code.count("-") == 4
    assert code_hash(code) == code_hash(code.lower().replace("-", " "))
    assert normalise_code("o0-Il") == "0011"


def test_ensure_indexes__drops_the_indexes_no_query_uses_and_keeps_the_rest(any_db):
    """A database made by an earlier release loses its unused indexes at start."""
    from workflows.repository import INDEXES, RETIRED_INDEXES

    any_db.cases.create_index("tracking_hash", name="tracking")
    any_db.cases.create_index([("team", 1), ("stage", 1), ("updated_at", -1)],
                              name="team_stage_updated")
    CaseRepository(any_db).ensure_indexes()
    names = set(any_db.cases.index_information())
    assert not names & set(RETIRED_INDEXES)
    assert {name for name, _, _ in INDEXES} <= names
