"""The case-list query: every request value checked and coerced before it reaches a
query, never an operator; cursors that cannot be forged into one; an index behind
every filter."""

from datetime import UTC, datetime, timedelta

import pytest

from workflows.queue import (
    FILTERS,
    QUEUES,
    QueryError,
    _after_clause,
    _cursor,
    filter_clauses,
    list_cases,
    next_width,
)
from workflows.repository import INDEXES

COORDINATOR = {"id": "u_1", "roles": ["coordinator"], "org_id": None, "countries": []}


@pytest.mark.parametrize("name, value, clause", [
    ("country", "my", {"$or": [{"country": "MY"}, {"dimensions.destination_country": "MY"}]}),
    ("stage", "in_review", {"stage": "in_review"}),
    ("mwc", "MWC-11", {"mwc": 11}),
    ("mwc", 21, {"mwc": 21}),
    ("gender", "woman", {"dimensions.gender": "woman"}),
    ("priority", "urgent", {"priority": "urgent"}),
    ("date_from", "2026-03-01", {"created_at": {"$gte": datetime(2026, 3, 1, tzinfo=UTC)}}),
    ("date_to", "2026-03-01", {"created_at": {"$lt": datetime(2026, 3, 2, tzinfo=UTC)}}),
    ("text", "Pasport, majikan!", {"$and": [{"search_terms": {"$regex": "^pasport"}},
                                            {"search_terms": {"$regex": "^majikan"}}]}),
])
def test_filter__coerced_to_its_type(name, value, clause):
    assert filter_clauses({name: value}) == [clause]


@pytest.mark.parametrize("value", [{"$ne": ""}, {"$gt": 0}, ["MY", "SG"], None.__class__,
                                   True, 1.5, b"MY"])
@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filter__anything_but_plain_text_or_number__refused(name, value):
    with pytest.raises(QueryError) as refused:
        filter_clauses({name: value})
    assert refused.value.field == name


@pytest.mark.parametrize("name, value", [
    ("country", "Malaysia"), ("country", "M$"), ("stage", "In Review"), ("stage", "$where"),
    ("mwc", "0"), ("mwc", "94"), ("mwc", "eleven"), ("gender", "female"),
    ("priority", "high"), ("date_from", "01/03/2026"), ("date_to", "2026-13-01"),
    ("text", "a"), ("text", "..."), ("country", "x" * 201),
])
def test_filter__wrong_value__refused_by_name(name, value):
    with pytest.raises(QueryError) as refused:
        filter_clauses({name: value})
    assert refused.value.field == name


def test_filter__unknown_name__refused():
    with pytest.raises(QueryError) as refused:
        filter_clauses({"country": "MY", "$where": "1"})
    assert refused.value.field == "$where"


def test_filter__empty_values__ignored():
    assert filter_clauses({"country": "", "stage": None}) == []


def test_text__regex_characters_never_reach_the_pattern():
    clause = filter_clauses({"text": "^.*(ab+)+$ [x]y| C++"})[0]
    patterns = [c["search_terms"]["$regex"] for c in clause["$and"]]
    assert patterns == ["^ab"]


def test_cursor__round_trip_and_forgeries_refused():
    stamp = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    clause = _after_clause("created_at", -1, _cursor(stamp, "c_abc"))
    assert clause == {"$or": [{"created_at": {"$lt": stamp}},
                              {"created_at": stamp, "_id": {"$lt": "c_abc"}}]}
    for forged in ("nonsense", _cursor(stamp, '{"$gt": ""}'), "x" * 300, 5, {"$gt": ""}):
        with pytest.raises(QueryError):
            _after_clause("created_at", -1, forged)


def leading_fields():
    return {keys[0][0] for _, keys, _ in INDEXES}


@pytest.mark.parametrize("name, value", [
    ("country", "MY"), ("stage", "in_review"), ("mwc", 11), ("gender", "woman"),
    ("priority", "urgent"), ("date_from", "2026-03-01"), ("date_to", "2026-03-01"),
    ("text", "pasport"),
])
def test_every_filter__has_an_index_led_by_its_fields(name, value):
    clause = filter_clauses({name: value})[0]
    branches = clause.get("$or") or clause.get("$and") or [clause]
    for branch in branches:
        assert set(branch) <= leading_fields() | {"_id"}, branch


def test_every_queue_and_sweep_field__indexed():
    assert {"assignee", "stage", "priority", "due_at", "created_at", "reminder_at",
            "escalate_at", "follow_up_due_at", "reporter.user_id", "reporter.org_id",
            "country", "dimensions.destination_country"} <= leading_fields()
    assert set(QUEUES) == {"mine", "team", "unassigned", "urgent", "overdue", "all"}


def test_next_width__as_wide_as_the_density_found_says_a_page_needs():
    hour = timedelta(hours=1)
    assert next_width(hour, 10, 50) == hour * (51 / 10 * 1.5)
    assert next_width(hour, 0, 50) == hour * 64  # nothing to go by: the most at once
    assert next_width(hour, 1, 50) == hour * 64
    assert next_width(hour, 50, 50) == hour * 2  # always wider


class _Recorder:
    """A cases collection answering from a list, recording each window asked for."""

    def __init__(self, created: list[datetime]) -> None:
        self.rows = [{"_id": f"c_{i:06d}", "created_at": at} for i, at in enumerate(created)]
        self.windows: list[datetime] = []
        self.cases = self

    def find(self, query, projection):
        since = [c["created_at"]["$gte"] for c in query["$and"] if "created_at" in c
                 and "$gte" in c["created_at"]]
        self.windows += since
        self._found = [r for r in self.rows if not since or r["created_at"] >= since[0]]
        return self

    def sort(self, _keys):
        self._found.sort(key=lambda r: (r["created_at"], r["_id"]), reverse=True)
        return self

    def limit(self, count):
        return self._found[:count]


@pytest.mark.parametrize(("per_day", "most_queries"), [(24 * 100, 1), (700, 2), (7, 4)])
def test_list__windows_follow_the_density_not_the_total(per_day, most_queries):
    now = datetime(2026, 11, 1, tzinfo=UTC)
    step = timedelta(days=1) / per_day
    repo = _Recorder([now - step * (i + 1) for i in range(min(per_day * 400, 20_000))])
    page = list_cases(repo, COORDINATOR, "all", {}, None, 50, now=now)
    assert len(page.items) == 50 and page.next_after
    assert len(repo.windows) <= most_queries
