"""Aggregation pipelines behind the indicator tables, built as plain data.

These functions only build pipelines; `exports/jobs.py` and the pages run them
and hand the results to `exports.indicators`. They run the same on MongoDB 6+ and on
FerretDB 2 with DocumentDB (the integration tests run them on the latter), and keep
to a small set of stages and operators, checked before each run
(`indicator_runs.run`), so that using another one is a deliberate change tested on a
real server:

- stages `$match`, `$group` and `$project` (inclusion of fields only), with `$sum: 1`
  as the only accumulator and `$in`, `$nin`, `$eq`, `$gte`, `$lt`, `$and`, `$or` in matches.

A case's list of articles (or of perpetrator types) is grouped on as a whole list,
and `indicators` counts each article of each group: one violation per case per
article. (The set was first chosen for FerretDB 1, retired since, which lacked
`$unwind` and date operators; it has been kept because it is enough.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from exports.consent import check_purpose

Stage = dict[str, Any]
Pipeline = list[Stage]

#: What a count can be grouped by, and the case field that holds it.
GROUP_FIELDS = {
    "mwc": "$mwc", "gender": "$dimensions.gender", "age_band": "$dimensions.age_band",
    "nationality": "$dimensions.nationality",
    "destination": "$dimensions.destination_country",
    "occupation": "$dimensions.occupation", "status": "$dimensions.immigration_status",
    "perpetrator": "$dimensions.perpetrator_type", "outcome": "$outcome", "stage": "$stage",
    "country": "$country", "entities": "$entity_links.entity_id",
}
#: Keys whose value is a list on the case: a case counts once under each listed value.
LIST_KEYS = frozenset({"mwc", "perpetrator", "entities"})
ALLOWED_STAGES = frozenset({"$match", "$group", "$unwind", "$sort", "$project"})
ALLOWED_OPERATORS = frozenset({"$sum", "$in", "$nin", "$eq", "$gte", "$lt", "$and", "$or"})
YEAR_BASES = ("filed", "violation")


def all_of(*matches: Mapping[str, Any]) -> dict[str, Any]:
    """Combine `$match` documents; empty ones drop out."""
    present = [dict(m) for m in matches if m]
    if not present:
        return {}
    return present[0] if len(present) == 1 else {"$and": present}


def with_consent(match: Mapping[str, Any], purpose: str) -> dict[str, Any]:
    """Only the cases whose reporter consented to `purpose` (an explicit true)."""
    return all_of(match, {f"consent.{check_purpose(purpose)}": {"$eq": True}})


def count_by(match: Mapping[str, Any], keys: Iterable[str]) -> Pipeline:
    """Cases counted by the values of `keys`: ``{"_id": {key: value}, "n": cases}``.

    A key missing from a case is missing from its group's `_id` (read it as None).
    """
    group_id = {key: GROUP_FIELDS[key] for key in keys}
    return [{"$match": dict(match)}, {"$group": {"_id": group_id, "n": {"$sum": 1}}}]


def violations_by(match: Mapping[str, Any], key: str) -> Pipeline:
    """Groups by article list, `key` and gender: every table can be split by gender."""
    return count_by(match, dict.fromkeys(("mwc", key, "gender")))


def violations_by_article_and_country(match: Mapping[str, Any]) -> Pipeline:
    return violations_by(match, "destination")


def violations_by_perpetrator(match: Mapping[str, Any]) -> Pipeline:
    return violations_by(match, "perpetrator")


def violations_by_status(match: Mapping[str, Any]) -> Pipeline:
    return violations_by(match, "status")


def violations_by_outcome(match: Mapping[str, Any]) -> Pipeline:
    return violations_by(match, "outcome")


def per_year(match: Mapping[str, Any], years: Iterable[int],
             basis: str = "filed") -> dict[int, Pipeline]:
    """One pipeline per year, by filing year or by the year the violation happened.

    A year is a range `$match` (no date operators: the set above is enough); the
    violation date is an ISO text, so its range compares as text. Cases without a
    violation date are in no year on that basis.
    """
    if basis not in YEAR_BASES:
        raise ValueError(f"unknown year basis {basis!r}; use {' or '.join(YEAR_BASES)}")
    return {year: count_by(all_of(match, _year(year, basis)), ("mwc", "gender"))
            for year in sorted(set(years))}


def _year(year: int, basis: str) -> dict[str, Any]:
    if basis == "filed":
        return {"created_at": {"$gte": datetime(year, 1, 1, tzinfo=UTC),
                               "$lt": datetime(year + 1, 1, 1, tzinfo=UTC)}}
    return {"dimensions.violation_date": {"$gte": f"{year:04d}-01-01",
                                          "$lt": f"{year + 1:04d}-01-01"}}


def durations(match: Mapping[str, Any]) -> Pipeline:
    """Filing time, stage and the timeline's stage changes of verified or closed cases.

    Medians cannot be computed with the stages allowed here, so the two times per
    case come back and `indicators.durations` does the arithmetic.
    """
    reached = {"events.to": {"$in": ["verified", "closed"]}}
    return [{"$match": all_of(match, reached)},
            {"$project": {"_id": 0, "created_at": 1, "stage": 1, "events.to": 1,
                          "events.at": 1}}]


def consent_counts(match: Mapping[str, Any], purpose: str) -> Pipeline:
    """Cases by their consent to `purpose`: `_id` true, false, or missing (not recorded)."""
    return [{"$match": dict(match)},
            {"$group": {"_id": f"$consent.{check_purpose(purpose)}", "n": {"$sum": 1}}}]


def form_versions(match: Mapping[str, Any]) -> Pipeline:
    """The (form id, version) pairs the matched cases were filed on: an export's columns."""
    return [{"$match": dict(match)},
            {"$group": {"_id": {"id": "$form.id", "version": "$form.version"},
                        "n": {"$sum": 1}}}]


def operators_used(pipeline: Pipeline) -> set[str]:
    """Every `$` name in a pipeline, stages included: for checking the subset above."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and key.startswith("$"):
                    found.add(key)
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(pipeline)
    return found
