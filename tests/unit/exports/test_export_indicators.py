"""Indicator arithmetic against an independent count over a generated dataset.

The grouping results are made here the way `$group` makes them; the expected numbers
are counted case by case with plain loops. The same pipelines run on a real store in
`tests/stores/test_export_pipelines.py`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from export_factories import (
    GENDERS,
    expected_durations,
    expected_violations,
    generated_cases,
    group_like_mongo,
)

from exports.indicators import (
    IndicatorTable,
    by_article,
    by_article_country_and_gender,
    durations,
    per_year,
    split_by_gender,
    trend,
)
from exports.pipelines import YEAR_BASES

CASES = list(generated_cases(1500))
CONSENTED = [c for c in CASES if c["consent"].get("statistics") is True]
COUNTABLE = {8, 10, 11, 14, 16, 21, 22, 25, 28, 39, 49, 52, 54, 66, 68}  # not 1


def gender(case: dict[str, Any], _: int = 0) -> Any:
    return case["dimensions"].get("gender")


def dim(name: str) -> Any:
    return lambda case, _=0: case["dimensions"].get(name)


def cells(table: IndicatorTable) -> dict[tuple[Any, Any], int]:
    return {k: v for k, v in table.cells.items() if v}


def test_dataset__covers_the_awkward_cases() -> None:
    assert any(not c["mwc"] for c in CASES) and any(1 in c["mwc"] for c in CASES)
    assert any("gender" not in c["dimensions"] for c in CASES)
    assert any(c["dimensions"]["gender"] is None for c in CASES if "gender" in c["dimensions"])
    assert any(not c["dimensions"]["perpetrator_type"] for c in CASES)
    assert len(CONSENTED) < len(CASES)


def test_article_by_country__matches_a_case_by_case_count() -> None:
    groups = group_like_mongo(CONSENTED, ("mwc", "destination", "gender"))
    table = by_article(groups, "destination", countable=COUNTABLE)
    expected = expected_violations(CONSENTED, lambda c, a: a, dim("destination_country"),
                                   COUNTABLE)
    assert cells(table) == expected
    assert table.total == sum(expected.values())
    assert set(table.rows) <= COUNTABLE and 1 not in table.rows


def test_article_by_gender__every_gender_column_even_empty() -> None:
    groups = group_like_mongo(CONSENTED, ("mwc", "destination", "gender"))
    table = by_article(groups, "gender", countable=COUNTABLE)
    assert table.columns == tuple(GENDERS)
    assert cells(table) == expected_violations(CONSENTED, lambda c, a: a, gender, COUNTABLE)
    for column in table.columns:
        assert table.column_totals.get(column, 0) == sum(
            table.cell(r, column) for r in table.rows)


def test_article_country_and_gender() -> None:
    groups = group_like_mongo(CONSENTED, ("mwc", "destination", "gender"))
    table = by_article_country_and_gender(groups, countable=COUNTABLE)
    expected = expected_violations(
        CONSENTED, lambda c, a: [(a, c["dimensions"]["destination_country"])], gender,
        COUNTABLE)
    assert cells(table) == expected


@pytest.mark.parametrize(("key", "dimension"), [
    ("status", "immigration_status"), ("destination", "destination_country"),
    ("nationality", "nationality"),
])
def test_split_by_gender__one_valued_keys(key: str, dimension: str) -> None:
    groups = group_like_mongo(CONSENTED, ("mwc", key, "gender"))
    table = split_by_gender(groups, key, countable=COUNTABLE)
    expected = expected_violations(CONSENTED, dim(dimension), gender, COUNTABLE)
    assert cells(table) == expected
    assert table.total == sum(expected.values()) == sum(table.row_totals.values())


def test_split_by_gender__perpetrators__each_counted_totals_once() -> None:
    groups = group_like_mongo(CONSENTED, ("mwc", "perpetrator", "gender"))
    table = split_by_gender(groups, "perpetrator", countable=COUNTABLE)
    expected = expected_violations(CONSENTED, dim("perpetrator_type"), gender, COUNTABLE)
    assert cells(table) == expected
    violations = sum(len(set(c["mwc"]) & COUNTABLE) for c in CONSENTED)
    assert table.total == violations < sum(table.row_totals.values())
    assert None in table.rows  # cases naming no perpetrator
    assert "counted under each" in table.notes[0]


def test_split_by_gender__outcome_in_cases() -> None:
    groups = group_like_mongo(CONSENTED, ("mwc", "outcome", "gender"))
    table = split_by_gender(groups, "outcome", unit="cases")
    expected = Counter((c["outcome"], gender(c)) for c in CONSENTED)
    assert cells(table) == dict(expected)
    assert table.total == len(CONSENTED)


def test_per_year__filed_year_with_empty_years_and_trend() -> None:
    years = [2022, 2023, 2024, 2025, 2026]
    results = {y: group_like_mongo([c for c in CONSENTED if c["created_at"].year == y],
                                   ("mwc", "gender")) for y in years}
    table = per_year(results, countable=COUNTABLE)
    expected = expected_violations(CONSENTED, lambda c, a: c["created_at"].year, gender,
                                   COUNTABLE)
    assert table.rows == tuple(years) and table.row_totals.get(2022, 0) == 0
    assert cells(table) == expected
    changes = trend(table)
    assert changes[0].change is None and changes[1].percent is None  # 2022 had none
    assert changes[2].change == table.row_totals[2024] - table.row_totals[2023]
    assert changes[2].percent == round(100 * changes[2].change / table.row_totals[2023], 1)


def test_durations__medians_match_a_sorted_middle() -> None:
    rows = [{"created_at": c["created_at"], "stage": c["stage"],
             "events": [{"to": e["to"], "at": e["at"]} for e in c["events"]]}
            for c in CONSENTED if any(e["to"] in ("verified", "closed") for e in c["events"])]
    result = durations(rows)
    verification, closure = expected_durations(CONSENTED)
    assert (result.to_verification.days, result.to_closure.days) == (verification, closure)
    assert result.to_closure.cases == sum(1 for c in CONSENTED if c["stage"] == "closed")


def test_durations__reopened_and_naive_times() -> None:
    filed = datetime(2026, 1, 1)
    rows = [
        {"created_at": filed, "stage": "closed",
         "events": [{"to": "verified", "at": filed + timedelta(days=2)},
                    {"to": "closed", "at": filed + timedelta(days=4)},
                    {"to": "in_review", "at": filed + timedelta(days=5)},
                    {"to": "verified", "at": filed + timedelta(days=6)},
                    {"to": "closed", "at": filed + timedelta(days=10)}]},
        {"created_at": filed.replace(tzinfo=UTC), "stage": "in_review",
         "events": [{"to": "closed", "at": datetime(2026, 1, 3, tzinfo=UTC)}]},
    ]
    result = durations(rows)
    assert (result.to_verification.days, result.to_verification.cases) == (2.0, 1)
    assert (result.to_closure.days, result.to_closure.cases) == (10.0, 1)
    assert durations([]).to_closure.days is None


def test_same_data__same_numbers__whatever_the_order() -> None:
    groups = group_like_mongo(CONSENTED, ("mwc", "destination", "gender"))
    first = by_article(groups, "destination", countable=COUNTABLE)
    second = by_article(list(reversed(groups)), "destination", countable=COUNTABLE)
    assert first == second and first.as_rows() == second.as_rows()


def test_counting_rule__an_article_twice_in_one_case_is_one_violation() -> None:
    groups = [{"_id": {"mwc": [21, 21, 25], "gender": "woman"}, "n": 3}]
    table = by_article(groups, "gender")
    assert table.cell(21, "woman") == 3 and table.total == 6


def test_empty_results__zero_tables() -> None:
    assert by_article([], "destination").total == 0
    table = per_year({2025: [{"_id": None, "n": 0}]})
    assert table.rows == (2025,) and table.total == 0


def test_year_bases__known() -> None:
    assert YEAR_BASES == ("filed", "violation")
