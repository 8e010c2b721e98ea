"""Pipeline builders: plain data, only the stages and operators both servers run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exports import pipelines
from exports.filters import parse_filter

MATCH = parse_filter({"country": "MY,SG", "form": "my-intake:1,sg-intake",
                      "from": "2025-01-01", "to": "2026-12-31"}).match()

BUILT = {
    "article_country": pipelines.violations_by_article_and_country(MATCH),
    "perpetrator": pipelines.violations_by_perpetrator(MATCH),
    "status": pipelines.violations_by_status(MATCH),
    "outcome": pipelines.violations_by_outcome(MATCH),
    "age_band": pipelines.violations_by(MATCH, "age_band"),
    "durations": pipelines.durations(MATCH),
    "consent": pipelines.consent_counts(MATCH, "statistics"),
    "forms": pipelines.form_versions(MATCH),
    **{f"year_{y}": p for y, p in pipelines.per_year(MATCH, [2025, 2026]).items()},
    **{f"violation_year_{y}": p
       for y, p in pipelines.per_year(MATCH, [2025], basis="violation").items()},
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_only_stages_and_operators_both_servers_run(name: str) -> None:
    pipeline = BUILT[name]
    stages = {next(iter(stage)) for stage in pipeline}
    assert all(len(stage) == 1 for stage in pipeline)
    assert stages <= pipelines.ALLOWED_STAGES - {"$unwind"}
    assert pipelines.operators_used(pipeline) <= pipelines.ALLOWED_OPERATORS | stages


def test_violations_by__groups_whole_article_list_with_gender() -> None:
    assert BUILT["status"] == [
        {"$match": MATCH},
        {"$group": {"_id": {"mwc": "$mwc", "status": "$dimensions.immigration_status",
                            "gender": "$dimensions.gender"}, "n": {"$sum": 1}}},
    ]
    assert pipelines.violations_by({}, "gender")[1]["$group"]["_id"] == {
        "mwc": "$mwc", "gender": "$dimensions.gender"}


def test_with_consent__adds_an_explicit_true() -> None:
    assert pipelines.with_consent({}, "advocacy") == {"consent.advocacy": {"$eq": True}}
    assert pipelines.with_consent({"country": "MY"}, "statistics") == {"$and": [
        {"country": "MY"}, {"consent.statistics": {"$eq": True}}]}


def test_per_year__ranges_by_filing_time_or_violation_date() -> None:
    filed = pipelines.per_year({}, [2026, 2025, 2026])
    assert list(filed) == [2025, 2026]
    assert filed[2026][0] == {"$match": {"created_at": {
        "$gte": datetime(2026, 1, 1, tzinfo=UTC), "$lt": datetime(2027, 1, 1, tzinfo=UTC)}}}
    violation = pipelines.per_year({}, [2025], basis="violation")
    assert violation[2025][0] == {"$match": {"dimensions.violation_date": {
        "$gte": "2025-01-01", "$lt": "2026-01-01"}}}
    with pytest.raises(ValueError, match="filed or violation"):
        pipelines.per_year({}, [2025], basis="reported")


def test_durations__only_the_two_times_leave_the_database() -> None:
    project = BUILT["durations"][1]["$project"]
    assert project == {"_id": 0, "created_at": 1, "stage": 1, "events.to": 1, "events.at": 1}


def test_builders__return_fresh_lists() -> None:
    first = pipelines.consent_counts({}, "statistics")
    first[0]["$match"]["x"] = 1
    assert pipelines.consent_counts({}, "statistics")[0] == {"$match": {}}


def test_unknown_consent_purpose__refused() -> None:
    with pytest.raises(ValueError):
        pipelines.consent_counts({}, "marketing")
