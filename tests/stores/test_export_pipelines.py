"""The indicator pipelines on a real store give the numbers counted case by case.

Runs on mongomock, and marked integration on the real server (FerretDB 2 with
DocumentDB in CI) when `MRVRS_TEST_MONGO_URI` is set: the pipelines keep to what
both run. Expected numbers come from plain loops over the same generated cases.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from exports import indicators, pipelines
from exports.consent import ConsentSummary
from exports.filters import ExportFilter
from tests.unit.exports.export_factories import (
    expected_durations,
    expected_violations,
    generated_cases,
)

CASES = list(generated_cases(600, seed=11))
COUNTABLE = {8, 10, 11, 14, 16, 21, 22, 25, 28, 39, 49, 52, 54, 66, 68}
STATISTICS = pipelines.with_consent({}, "statistics")
CONSENTED = [c for c in CASES if c["consent"].get("statistics") is True]


@pytest.fixture
def cases(any_db):
    any_db.cases.insert_many([dict(c) for c in CASES])
    return any_db.cases


def run(collection, pipeline):
    return list(collection.aggregate(pipeline))


def gender(case, _=0):
    return case["dimensions"].get("gender")


def nonzero(table):
    return {k: v for k, v in table.cells.items() if v}


def test_article_by_country_and_gender(cases):
    groups = run(cases, pipelines.violations_by_article_and_country(STATISTICS))
    by_country = indicators.by_article(groups, "destination", countable=COUNTABLE)
    by_gender = indicators.by_article_country_and_gender(groups, countable=COUNTABLE)
    assert nonzero(by_country) == expected_violations(
        CONSENTED, lambda c, a: a, lambda c, a: c["dimensions"]["destination_country"],
        COUNTABLE)
    assert nonzero(by_gender) == expected_violations(
        CONSENTED, lambda c, a: (a, c["dimensions"]["destination_country"]), gender, COUNTABLE)
    assert by_country.total == by_gender.total > 0


@pytest.mark.parametrize(("build", "key", "dimension"), [
    (pipelines.violations_by_perpetrator, "perpetrator", "perpetrator_type"),
    (pipelines.violations_by_status, "status", "immigration_status"),
])
def test_split_by_gender(cases, build, key, dimension):
    table = indicators.split_by_gender(run(cases, build(STATISTICS)), key, countable=COUNTABLE)
    assert nonzero(table) == expected_violations(
        CONSENTED, lambda c, a: c["dimensions"].get(dimension), gender, COUNTABLE)


def test_outcome_in_cases(cases):
    groups = run(cases, pipelines.violations_by_outcome(STATISTICS))
    table = indicators.split_by_gender(groups, "outcome", unit="cases")
    assert nonzero(table) == dict(Counter((c["outcome"], gender(c)) for c in CONSENTED))


def test_per_year(cases):
    years = [2022, 2023, 2024, 2025, 2026]
    results = {y: run(cases, p) for y, p in pipelines.per_year(STATISTICS, years).items()}
    table = indicators.per_year(results, countable=COUNTABLE)
    assert table.rows == tuple(years)
    assert nonzero(table) == expected_violations(
        CONSENTED, lambda c, a: c["created_at"].year, gender, COUNTABLE)


def test_durations(cases):
    result = indicators.durations(run(cases, pipelines.durations(STATISTICS)))
    assert (result.to_verification.days, result.to_closure.days) == expected_durations(
        CONSENTED)


def test_consent_counts(cases):
    summary = ConsentSummary.from_groups(
        "statistics", run(cases, pipelines.consent_counts({}, "statistics")))
    assert summary.included == len(CONSENTED)
    assert summary.declined == sum(c["consent"].get("statistics") is False for c in CASES)
    assert summary.included + summary.excluded == len(CASES)


def test_filter_and_form_versions(cases, any_db):
    any_db.cases.insert_one({**CASES[0], "_id": "c_sg", "country": "SG",
                             "form": {"id": "sg-intake", "version": 2}})
    match = ExportFilter(countries=("MY", "SG"), forms=(("my-intake", 1), ("sg-intake", None)),
                         filed_from=date(2024, 1, 1), filed_to=date(2024, 12, 31)).match()
    found = {(g["_id"]["id"], g["_id"]["version"]): g["n"]
             for g in run(cases, pipelines.form_versions(match))}
    in_2024 = sum(c["created_at"].year == 2024 for c in CASES)
    assert found.get(("my-intake", 1)) == in_2024
    assert found.get(("sg-intake", 2)) == (1 if CASES[0]["created_at"].year == 2024 else None)
    assert run(cases, pipelines.form_versions({"country": {"$in": ["KR"]}})) == []


def test_cases_per_linked_entity(any_db):
    """The one grouping behind the entity lists of indicators and reports: each case once
    per entity it is linked to (docs/registry.md), whatever else it is linked to."""
    from exports.entity_counts import count_entities
    from tests import registry_links

    linked = registry_links.link([dict(c) for c in CASES[:90]])
    linked[0]["entity_links"] *= 2  # one entity linked twice from one case: one case
    any_db.cases.insert_many(linked)
    counts = count_entities(run(any_db.cases, pipelines.count_by(STATISTICS, ("entities",))))
    consented = [c for c in linked if c["consent"].get("statistics") is True]
    assert counts == {e["_id"]: registry_links.linked_count(consented, e)
                      for e in registry_links.ENTITIES
                      if registry_links.linked_count(consented, e)}
