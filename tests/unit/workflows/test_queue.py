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
    next_width,
)
from workflows.repository import INDEXES


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
