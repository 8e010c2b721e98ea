"""Routing versions on both stores: checked saves, one winner of two, the seed, the
provider's refresh, and re-routing the fallback team's cases when a country gains a team."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from workflows.errors import RoutingRulesError
from workflows.repository import CaseRepository, new_case_id
from workflows.rerouting import reroute_fallback
from workflows.routing import load_routing_rules
from workflows.routing_edits import accept_fallback, add_team, set_countries
from workflows.routing_provider import RoutingProvider
from workflows.routing_store import SEED_IMPORT, RoutingConflict, RoutingStore
from workflows.stages import load_all_stage_graphs
from workflows.workflow_config import PACKAGED, read_seed

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
def seed():
    return read_seed(PACKAGED / "routing.yaml")


@pytest.fixture
def store(any_db):
    routing = RoutingStore(any_db, clock=lambda: NOW)
    routing.ensure_indexes()
    return routing


def test_seed__empty_store__version_1_then_never_again(store, seed):
    first = store.seed(seed)
    assert first["_id"] == 1 and first["by"] == "system" and first["changes"] == []
    assert store.seed(seed) is None
    assert store.latest_number() == 1
    assert store.latest()["config"]["teams"]["my-team"] == {"countries": ["MY"]}


def test_seed__reason_stored_as_a_code__no_sentence_in_one_language(store, seed):
    first = store.seed(seed)
    assert (first["note_code"], first["note"]) == (SEED_IMPORT, "")
    assert store.history()[0]["note_code"] == SEED_IMPORT
    typed = store.save(add_team(seed, "vn-team", ["VN"]), expected=1, actor="u1",
                       note="focal person found")
    assert typed["note"] == "focal person found" and "note_code" not in typed


def test_save__checked_versioned_with_who_when_and_what_changed(store, seed):
    store.seed(seed)
    version = store.save(add_team(seed, "vn-team", ["VN"]), expected=1, actor="u1",
                         note="Viet Nam has a focal person now")
    assert (version["_id"], version["by"], version["at"]) == (2, "u1", NOW)
    assert {"kind": "team_added", "team": "vn-team", "countries": ["VN"]} in version["changes"]
    assert {"kind": "fallback_withdrawn", "country": "VN"} in version["changes"]
    assert [v["_id"] for v in store.history()] == [2, 1]
    assert "config" not in store.history()[0]


def test_save__every_problem_at_once__nothing_written(store, seed):
    store.seed(seed)
    bad = set_countries(seed, "sg-team", ["SG", "MY"])
    bad["duplicate_window_days"] = 0
    bad["fallback_accepted"] = ["SG"]
    with pytest.raises(RoutingRulesError) as error:
        store.save(bad, expected=1, actor="u1")
    assert {"duplicate_country", "bad_window", "covered_country"} <= set(error.value.codes)
    assert store.latest_number() == 1


def test_save__on_an_old_version__conflict_nothing_written(store, seed):
    store.seed(seed)
    store.save(add_team(seed, "vn-team", ["VN"]), expected=1, actor="u1")
    with pytest.raises(RoutingConflict) as conflict:
        store.save(add_team(seed, "mm-team", ["MM"]), expected=1, actor="u2")
    assert conflict.value.current == 2
    assert store.latest_number() == 2


def test_save__two_at_once_on_the_same_version__one_success_one_conflict(store, seed):
    store.seed(seed)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def save(team: str, country: str) -> None:
        start.wait()
        try:
            store.save(add_team(seed, team, [country]), expected=1, actor=team)
            outcomes.append("saved")
        except RoutingConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=a) for a in (("vn-team", "VN"),
                                                               ("mm-team", "MM"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert store.latest_number() == 2


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_provider__seed_until_stored__new_version_after_the_refresh_time(store, seed):
    clock = Clock()
    provider = RoutingProvider(store, load_routing_rules(seed), 30, monotonic=clock)
    assert provider.current().team_for_country("VN") is None and provider.version == 0
    store.seed(seed)
    store.save(add_team(seed, "vn-team", ["VN"]), expected=1, actor="u1")
    clock.now = 29
    assert provider.current().team_for_country("VN") is None  # still the rules held
    clock.now = 30
    assert provider.current().team_for_country("VN") == "vn-team"
    assert provider.version == 2


def test_uncovered_countries__refused_unless_covered_or_accepted(store, seed):
    provider = RoutingProvider(store, load_routing_rules(seed), 30)
    store.seed(seed)

    class Definition:
        def __init__(self, country):
            self.country = country

    assert provider.uncovered_countries(Definition("LA")) == ["LA"]
    assert provider.uncovered_countries(Definition("MY")) == []
    assert provider.uncovered_countries(Definition("VN")) == []  # accepted in the seed
    assert provider.uncovered_countries(Definition(None)) == []
    store.save(accept_fallback(seed, "LA"), expected=1, actor="admin")
    assert provider.uncovered_countries(Definition("LA")) == []  # read fresh, no wait


def _case(repo, country, destination, team, stage="in_review"):
    case = {"_id": new_case_id(), "reference": repo.next_reference(country, 2026),
            "country": country, "dimensions": {"destination_country": destination},
            "stage": stage, "version": 2, "team": team, "events": [],
            "created_at": NOW, "updated_at": NOW}
    return repo.insert(case)


def test_reroute__fallback_cases_of_a_country_gaining_a_team__moved_once(any_db, store, seed):
    from tests.unit.workflows.workflow_factories import shipped_stage_mapping

    repo = CaseRepository(any_db)
    repo.ensure_indexes()
    graphs = load_all_stage_graphs(shipped_stage_mapping())
    store.seed(seed)
    waiting = [_case(repo, "VN", "VN", "secretariat"), _case(repo, "MM", "VN", "secretariat")]
    closed = _case(repo, "VN", "VN", "secretariat", stage="closed")
    elsewhere = _case(repo, "VN", "MY", "my-team")
    other = _case(repo, "MM", "MM", "secretariat")
    store.save(add_team(seed, "vn-team", ["VN"]), expected=1, actor="admin-1")
    told = []
    assert reroute_fallback(store, repo, graphs, 2, lambda: NOW,
                            lambda case, key: told.append((case["reference"], case["team"],
                                                           key))) == 2
    assert sorted(told) == sorted((c["reference"], "vn-team", "reroute:2") for c in waiting)
    for case in waiting:
        stored = repo.get(case["_id"])
        assert stored["team"] == "vn-team" and stored["version"] == 3
        [event] = [e for e in stored["events"] if e["kind"] == "team_change"]
        assert event["actor"] == "admin-1" and event["at"] == NOW
        assert event["data"] == {"from_team": "secretariat", "to_team": "vn-team",
                                 "routing_version": 2}
    assert repo.get(closed["_id"])["team"] == "secretariat"
    assert repo.get(elsewhere["_id"])["team"] == "my-team"
    assert repo.get(other["_id"])["team"] == "secretariat"
    assert reroute_fallback(store, repo, graphs, 2, lambda: NOW, told.append) == 0
    assert all(len(repo.get(c["_id"])["events"]) == 1 for c in waiting) and len(told) == 2


def test_provider__database_away__rules_held_stay_in_force(store, seed):
    from pymongo.errors import AutoReconnect

    clock = Clock()
    store.seed(seed)
    store.save(add_team(seed, "vn-team", ["VN"]), expected=1, actor="u1")
    provider = RoutingProvider(store, load_routing_rules(seed), 1, monotonic=clock)
    assert provider.current().team_for_country("VN") == "vn-team"

    def away():
        raise AutoReconnect("database away")

    store.latest_number = away
    clock.now = 5
    assert provider.current().team_for_country("VN") == "vn-team"
