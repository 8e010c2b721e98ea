"""Export filters: checked values, one `$match`, operators in the input refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from exports.filters import ExportFilter, FilterError, forms_match, parse_filter
from exports.service import filter_params


def test_empty_filter__matches_everything() -> None:
    assert ExportFilter().match() == {}
    assert parse_filter({}).match() == {}


def test_one_condition__no_and() -> None:
    assert parse_filter({"country": "my"}).match() == {"country": {"$in": ["MY"]}}


def test_every_condition__combined_with_and() -> None:
    f = parse_filter({"country": "MY,SG", "destination": ["hk"], "origin": "ID",
                      "stage": "closed", "form": "my-intake:3", "from": "2025-01-01",
                      "to": "2025-12-31"})
    assert f.match() == {"$and": [
        {"country": {"$in": ["MY", "SG"]}},
        {"dimensions.destination_country": {"$in": ["HK"]}},
        {"dimensions.nationality": {"$in": ["ID"]}},
        {"stage": {"$in": ["closed"]}},
        {"form.id": "my-intake", "form.version": {"$in": [3]}},
        {"created_at": {"$gte": datetime(2025, 1, 1, tzinfo=UTC),
                        "$lt": datetime(2026, 1, 1, tzinfo=UTC)}},
    ]}


def test_forms__any_version_and_given_versions() -> None:
    assert forms_match([("sg-intake", None), ("my-intake", 2), ("my-intake", 3),
                        ("sg-intake", 4)]) == {"$or": [
        {"form.id": {"$in": ["sg-intake"]}},
        {"form.id": "my-intake", "form.version": {"$in": [2, 3]}},
    ]}
    assert forms_match([]) == {"form.id": {"$in": []}}


@pytest.mark.parametrize(("params", "problem"), [
    ({"country[$ne]": "x"}, "'country[$ne]' is not a filter"),
    ({"country": {"$ne": "x"}}, "country: expected text"),
    ({"country": ["MY", {"$gt": ""}]}, "country: expected text"),
    ({"country": "$ne"}, "is not a two-letter country code"),
    ({"country": "MYS"}, "is not a two-letter country code"),
    ({"stage": "closed; drop"}, "is not a stage name"),
    ({"form": "my-intake:0"}, "is not written as form-id or form-id:version"),
    ({"form": "My Intake"}, "is not written as form-id or form-id:version"),
    ({"from": "2026-02-30"}, "is not a day written YYYY-MM-DD"),
    ({"from": "20260201"}, "is not a day written YYYY-MM-DD"),
    ({"from": "2026-01-01,2026-02-01"}, "give one day"),
    ({"from": "2026-02-01", "to": "2026-01-31"}, "to: 2026-01-31 is before from: 2026-02-01"),
])
def test_bad_input__refused_with_a_reason(params: dict[str, Any], problem: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(params)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_bad_input__every_problem_reported_at_once() -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter({"country": "X", "stage": "A", "nope": "1"})
    assert len(caught.value.problems) == 3


def test_dataclass__checks_values_given_directly() -> None:
    with pytest.raises(FilterError):
        ExportFilter(countries=("$ne",))
    with pytest.raises(FilterError):
        ExportFilter(forms=(("my-intake", True),))  # type: ignore[arg-type]
    with pytest.raises(FilterError):
        ExportFilter(filed_from=datetime(2026, 1, 1))


def test_same_day__both_ends_included() -> None:
    f = ExportFilter(filed_from=date(2026, 3, 1), filed_to=date(2026, 3, 1))
    assert f.match() == {"created_at": {"$gte": datetime(2026, 3, 1, tzinfo=UTC),
                                        "$lt": datetime(2026, 3, 2, tzinfo=UTC)}}


def test_describe__plain_data_for_the_audit_record() -> None:
    f = parse_filter({"country": "MY", "form": "sg-intake,my-intake:2", "from": "2026-01-01"})
    assert f.describe() == {"countries": ["MY"], "destinations": [], "origins": [],
                            "teams": [], "stages": [], "forms": ["sg-intake", "my-intake:2"],
                            "filed_from": "2026-01-01", "filed_to": None,
                            "event_from": None, "event_to": None}


@pytest.mark.parametrize(("start", "end", "first", "after_last"), [
    ("2005", "2005", "2005-01-01", "2006-01-01"),
    ("2005-02", "2005-02", "2005-02-01", "2005-03-01"),
    ("2004-02", "2004-02", "2004-02-01", "2004-03-01"),
    ("2005-03-14", "2006", "2005-03-14", "2007-01-01"),
])
def test_event_period__from_the_first_day_to_the_last_of_what_is_written(start, end, first,
                                                                         after_last) -> None:
    f = parse_filter({"event_from": start, "event_to": end})
    assert f.match() == {"$and": [{"event.end": {"$gte": first}},
                                  {"event.start": {"$lt": after_last}}]}


@pytest.mark.parametrize(("params", "problem"), [
    ({"event_from": "2005-13"}, "event_from: '2005-13' is not a year, month or day"),
    ({"event_from": "March 2005"}, "is not a year, month or day"),
    ({"event_from": "2006", "event_to": "2005"}, "event_to: 2005-12-31 is before event_from"),
    ({"event_to": "2005,2006"}, "event_to: give one period"),
    ({"team": "MY team"}, "team: 'MY team' is not a team id"),
])
def test_event_period_and_team__bad_input_named(params, problem) -> None:
    with pytest.raises(FilterError) as refused:
        parse_filter(params)
    assert problem in str(refused.value)


def test_team_destination_and_event_period__together() -> None:
    f = parse_filter({"destination": "my", "team": "my-team,gulf-team", "event_from": "2005",
                      "event_to": "2005"})
    assert f.match() == {"$and": [
        {"dimensions.destination_country": {"$in": ["MY"]}},
        {"team": {"$in": ["my-team", "gulf-team"]}},
        {"event.end": {"$gte": "2005-01-01"}}, {"event.start": {"$lt": "2006-01-01"}}]}
    assert parse_filter(filter_params(f)) == f
