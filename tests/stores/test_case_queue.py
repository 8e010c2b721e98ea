"""The case lists on both stores: scope, queues, filters, word search and keyset paging."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from workflows.case_service import CaseService
from workflows.queue import QueryError, list_cases
from workflows.repository import CaseRepository
from workflows.routing import load_routing_rules
from workflows.stages import load_all_stage_graphs

CONFIG = Path(__file__).resolve().parents[2] / "config"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
COORDINATOR = {"id": "u_coord", "roles": ["coordinator"], "org_id": None, "countries": []}
#: A Malaysian reviewer, with the team the edge works out from the routing in force
#: (`workflows.scope.teams_covering`): the handling team decides what a reviewer sees.
REVIEWER = {"id": "u_rev", "roles": ["reviewer"], "org_id": None, "countries": ["MY"],
            "teams": ["my-team"]}
MEMBER = {"id": "u_mem", "roles": ["member"], "org_id": "o_1", "countries": []}


class Clock:
    now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def env(any_db):
    repo = CaseRepository(any_db)
    repo.ensure_indexes()
    config = {name: yaml.safe_load((CONFIG / f"{name}.yaml").read_text()) for name in
              ("stages", "routing")}
    clock = Clock()
    service = CaseService(repo, load_all_stage_graphs(config["stages"]),
                          load_routing_rules(config["routing"]), b"k", clock)
    return repo, service, clock


def file(repo, service, clock, n, **fields):
    case = {"_id": f"c_{n:04d}", "reference": f"MY-2026-{n:06d}", "country": "MY",
            "answers": {"narrative": "Majikan menahan pasport"}, "mwc": [21],
            "dimensions": {"gender": "woman", "destination_country": "MY"},
            "flags": {}, "stage": "submitted", "version": 1, "priority": "normal",
            "assignee": None, "team": None, "follow_ups": [], "events": [],
            "reporter": {"anonymous": False, "user_id": "u_mem", "org_id": "o_1"},
            "created_at": NOW - timedelta(minutes=n), "updated_at": NOW, **fields}
    repo.insert(case)
    return service.route(case["_id"])


def refs(page):
    return [row["reference"] for row in page.items]


def test_paging__keyset_walks_every_case_once_in_order(env):
    repo, service, clock = env
    for n in range(1, 24):
        file(repo, service, clock, n)
    seen, after = [], None
    while True:
        page = list_cases(repo, COORDINATOR, "all", {}, after, 5)
        seen += refs(page)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [f"MY-2026-{n:06d}" for n in range(1, 24)]
    assert len(refs(list_cases(repo, COORDINATOR, "all", {}, None, 100))) == 23


def test_paging__same_timestamp__tie_broken_by_id(env):
    repo, service, clock = env
    for n in range(1, 8):
        file(repo, service, clock, n, created_at=NOW)
    first = list_cases(repo, COORDINATOR, "all", {}, None, 4)
    second = list_cases(repo, COORDINATOR, "all", {}, first.next_after, 4)
    assert sorted(refs(first) + refs(second)) == [f"MY-2026-{n:06d}" for n in range(1, 8)]
    assert second.next_after is None


def test_queues__mine_unassigned_urgent_overdue(env):
    repo, service, clock = env
    mine = service.claim(file(repo, service, clock, 1), REVIEWER)
    urgent = file(repo, service, clock, 2, flags={"minor": True})
    file(repo, service, clock, 3)
    assert refs(list_cases(repo, REVIEWER, "mine", {}, None, 10)) == [mine["reference"]]
    assert mine["reference"] not in refs(list_cases(repo, REVIEWER, "unassigned", {}, None, 10))
    assert refs(list_cases(repo, REVIEWER, "urgent", {}, None, 10)) == [urgent["reference"]]
    assert refs(list_cases(repo, REVIEWER, "overdue", {}, None, 10, now=NOW)) == []
    later = NOW + timedelta(days=15)
    assert len(refs(list_cases(repo, REVIEWER, "overdue", {}, None, 10, now=later))) == 3


def test_filters__country_stage_mwc_gender_priority_dates_and_words(env):
    repo, service, clock = env
    a = file(repo, service, clock, 1, mwc=[9, 11], dimensions={"gender": "man",
                                                            "destination_country": "SG"},
             country="ID", answers={"narrative": "Kapal ikan, tidak dibayar"})
    b = file(repo, service, clock, 2, created_at=NOW - timedelta(days=3))

    def found(**filters):
        return refs(list_cases(repo, COORDINATOR, "all", filters, None, 50))

    assert found(country="SG") == [a["reference"]]
    assert found(country="MY") == [b["reference"]]
    assert found(mwc="MWC-11") == [a["reference"]]
    assert found(gender="woman") == [b["reference"]]
    assert found(stage="in_review") == [a["reference"], b["reference"]]
    assert found(priority="urgent") == [a["reference"]]  # MWC 9: a death
    assert found(date_to="2026-02-26") == [b["reference"]]
    assert found(date_from="2026-02-27") == [a["reference"]]
    assert found(text="kap DIBAY") == [a["reference"]]
    assert found(text="pasport") == [b["reference"]]
    assert found(text="000002") == [b["reference"]]
    assert found(text="asport") == []


def test_scope__reviewer_and_member_see_their_own(env):
    repo, service, clock = env
    mine = file(repo, service, clock, 1)
    other = file(repo, service, clock, 2, country="SG",
                 dimensions={"destination_country": "SG"},
                 reporter={"anonymous": True, "user_id": None, "org_id": None})
    assert refs(list_cases(repo, REVIEWER, "all", {}, None, 10)) == [mine["reference"]]
    assert refs(list_cases(repo, MEMBER, "all", {}, None, 10)) == [mine["reference"]]
    assert refs(list_cases(repo, COORDINATOR, "all", {"country": "SG"}, None, 10)) == [
        other["reference"]]
    assert refs(list_cases(repo, REVIEWER, "all", {"country": "SG"}, None, 10)) == []


def test_operators_in_request_values__refused_before_any_query(env):
    repo, _, _ = env
    for filters in ({"country": {"$ne": ""}}, {"stage": {"$gt": ""}}, {"text": ["a"]}):
        with pytest.raises(QueryError):
            list_cases(repo, COORDINATOR, "all", filters, None, 10)
    with pytest.raises(QueryError):
        list_cases(repo, COORDINATOR, {"$ne": "x"}, {}, None, 10)


def test_rows__never_carry_sealed_answers_or_keys(env):
    repo, service, clock = env
    file(repo, service, clock, 1, sensitive="gAAAA-sealed", duplicate_keys=["pp:1"],
         tracking_hash="h")
    row = list_cases(repo, COORDINATOR, "all", {}, None, 10).items[0]
    assert not {"sensitive", "duplicate_keys", "tracking_hash", "answers", "events"} & set(row)


@pytest.mark.parametrize("actor, queue", [(COORDINATOR, "all"), (REVIEWER, "team"),
                                          (REVIEWER, "unassigned"), (MEMBER, "all")])
def test_paging__cases_in_and_beyond_every_filing_window__each_once_in_order(env, actor, queue):
    """A page is looked for in widening filing windows; none may skip or repeat a case."""
    repo, service, clock = env
    ages = [timedelta(hours=2), timedelta(days=2), timedelta(days=3), timedelta(days=40),
            timedelta(days=41), timedelta(days=900), timedelta(days=3000),
            timedelta(days=3000), timedelta(days=9000)]
    for n, age in enumerate(ages, start=1):
        file(repo, service, clock, n, created_at=NOW - age)
    seen, after = [], None
    while True:
        page = list_cases(repo, actor, queue, {}, after, 2, now=NOW)
        seen += refs(page)
        if page.next_after is None:
            break
        after = page.next_after
    newest_first = sorted(range(1, len(ages) + 1), key=lambda n: (ages[n - 1], -n))
    assert seen == [f"MY-2026-{n:06d}" for n in newest_first]


def recorded(repo) -> list[dict]:
    """The queries the list sends from now on, in order."""
    sent: list[dict] = []
    find = repo.cases.find

    def recording(query, *args, **kwargs):
        sent.append(query)
        return find(query, *args, **kwargs)

    repo.cases.find = recording
    return sent


def test_date_to__windows_look_back_from_it(env):
    """Windows start at the end of `date_to`, so an old period is found without first
    sweeping every newer case."""
    repo, service, clock = env
    file(repo, service, clock, 1, created_at=datetime(2024, 6, 29, tzinfo=UTC))
    file(repo, service, clock, 2, created_at=datetime(2024, 6, 30, 23, tzinfo=UTC))
    file(repo, service, clock, 3, created_at=datetime(2024, 7, 1, tzinfo=UTC))
    sent = recorded(repo)
    page = list_cases(repo, COORDINATOR, "all", {"date_to": "2024-06-30"}, None, 1, now=NOW)
    assert refs(page) == ["MY-2026-000002"]
    assert sent[0]["$and"][-1] == {"created_at": {"$gte": datetime(2024, 6, 30, 23, tzinfo=UTC)}}


def test_date_from__is_the_last_window_floor_not_a_second_condition(env):
    """A period older than the widest window is still found, and the window that
    reaches `date_from` is the last query sent."""
    repo, service, clock = env
    file(repo, service, clock, 1, created_at=datetime(2021, 1, 5, tzinfo=UTC))
    file(repo, service, clock, 2, created_at=datetime(2020, 12, 30, tzinfo=UTC))
    sent = recorded(repo)
    page = list_cases(repo, COORDINATOR, "all", {"date_from": "2021-01-01"}, None, 5, now=NOW)
    assert refs(page) == ["MY-2026-000001"]
    assert sent[-1]["$and"][-1] == {"created_at": {"$gte": datetime(2021, 1, 1, tzinfo=UTC)}}
    filing_conditions = [[c for c in q["$and"] if "created_at" in c] for q in sent]
    assert all(len(conditions) == 1 for conditions in filing_conditions)  # one bound each


def walk(repo, actor, queue, filters, limit, **options):
    """Every page of a list, following its cursor; the rows in the order shown."""
    rows, after = [], None
    while True:
        page = list_cases(repo, actor, queue, filters, after, limit, now=NOW, **options)
        rows += page.items
        if page.next_after is None:
            return rows
        after = page.next_after


def test_sort_by_due__soonest_deadline_first_keyset_pages_each_case_once(env):
    """Deadlines spread and tied: every open case once, (due_at, _id) ascending, pages
    of 4; a finished case (no deadline) is left out of this order."""
    repo, service, clock = env
    for n in range(1, 16):
        clock.now = NOW - timedelta(days=n % 5)  # routed on five days: ties on due_at
        file(repo, service, clock, n)
    closed = repo.get("c_0001")
    service.transition(closed, "reject", COORDINATOR, {"reason": "Not a case"},
                       closed["version"])
    rows = walk(repo, REVIEWER, "team", {}, 4, sort="due")
    keys = [(row["due_at"], row["_id"]) for row in rows]
    assert keys == sorted(keys) and len(rows) == 14 and "c_0001" not in {r["_id"] for r in rows}
    assert walk(repo, REVIEWER, "all", {}, 3, sort="due") == rows


def test_overdue_only__cases_past_their_stage_deadline(env):
    repo, service, clock = env
    clock.now = NOW - timedelta(days=20)
    late = file(repo, service, clock, 1)
    clock.now = NOW
    file(repo, service, clock, 2)
    page = list_cases(repo, REVIEWER, "team", {"overdue": "yes"}, None, 10, now=NOW)
    assert refs(page) == [late["reference"]]
    assert len(list_cases(repo, REVIEWER, "team", {"overdue": "no"}, None, 10, now=NOW).items) == 2
    for bad in ({"overdue": {"$ne": None}}, {"overdue": "maybe"}):
        with pytest.raises(QueryError):
            list_cases(repo, REVIEWER, "team", bad, None, 10, now=NOW)
    with pytest.raises(QueryError):
        list_cases(repo, REVIEWER, "team", {}, None, 10, now=NOW, sort="priority")
