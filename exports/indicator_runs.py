"""Run the indicator pipelines on the case repository, checked for portability.

The pipelines (`exports.pipelines`) and the arithmetic (`exports.indicators`) are
pure; this module runs them through `CaseRepository.aggregate`, checking first that
each keeps to the stages and operators both MongoDB and FerretDB run. The indicators
page, aggregate exports and the mission report all read their numbers from
`indicator_tables`, so they agree; `exports.indicator_grids` gives them words.
They count by the rule of `exports.counting` (no duplicate or rejected case; cases in
review only on request), then by consent, and carry how many were left out and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from exports import counting, indicators, pipelines
from exports.consent import ConsentSummary
from exports.counting import StageSummary
from exports.entity_counts import count_entities
from exports.indicators import Durations, IndicatorTable, YearChange
from forms.mwc import load_taxonomy

MAX_YEARS = 30


class PipelineNotPortable(ValueError):
    """A pipeline uses a stage or operator outside the subset FerretDB runs."""


class CaseAggregator(Protocol):
    def aggregate(self, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def filing_span(self, match: Mapping[str, Any]) -> tuple[Any, Any]: ...


@dataclass(frozen=True)
class IndicatorSet:
    """Every indicator table of one selection of cases, from counted, consented cases only.

    `consent.included` is the number of cases counted; `stages` says how many the
    counting rule left out before consent was asked.
    """

    tables: Mapping[str, IndicatorTable]
    trend: tuple[YearChange, ...]
    durations: Durations
    consent: ConsentSummary
    years: tuple[int, ...]
    stages: StageSummary = field(default_factory=StageSummary)
    #: Counted, consented cases per linked registry entity (`exports.entity_counts`).
    entity_counts: Mapping[str, int] = field(default_factory=dict)

    def table(self, key: str) -> IndicatorTable:
        return self.tables[key]

    def left_out_notes(self) -> list[str]:
        """Every case left out and why: by the counting rule, then for want of consent."""
        return [*self.stages.notes(), *self.consent.notes()]


def run(repo: CaseAggregator, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run one pipeline after checking it keeps to the portable stages and operators."""
    outside = pipelines.operators_used(pipeline) - (
        pipelines.ALLOWED_STAGES | pipelines.ALLOWED_OPERATORS)
    if outside:
        raise PipelineNotPortable(f"not portable to FerretDB: {', '.join(sorted(outside))}")
    return repo.aggregate(pipeline)


def years_of(repo: CaseAggregator, match: Mapping[str, Any]) -> tuple[int, ...]:
    """Every year from the first filing to the last (the last `MAX_YEARS` at most)."""
    first, last = repo.filing_span(match)
    if first is None or last is None:
        return ()
    return tuple(range(max(first.year, last.year - MAX_YEARS + 1), last.year + 1))


def indicator_tables(repo: CaseAggregator, match: Mapping[str, Any], *,
                     years: Iterable[int] | None = None,
                     purpose: str = "statistics",
                     include_unverified: bool = False) -> IndicatorSet:
    """The indicator tables of the matched cases the counting rule counts and that
    consented to `purpose`."""
    countable = frozenset(load_taxonomy().violation_codes())
    stages = StageSummary.from_groups(run(repo, pipelines.count_by(match, ("stage",))),
                                      include_unverified)
    counted = pipelines.all_of(match, counting.counted_match(include_unverified))
    kept = pipelines.with_consent(counted, purpose)
    wanted = tuple(sorted(set(years))) if years is not None else years_of(repo, kept)
    by_country = run(repo, pipelines.violations_by_article_and_country(kept))
    outcome = run(repo, pipelines.violations_by_outcome(kept))
    yearly = {y: run(repo, p) for y, p in pipelines.per_year(kept, wanted).items()}
    per_year = indicators.per_year(yearly, countable=countable)
    tables = {
        "by_article_destination": indicators.by_article(by_country, "destination",
                                                        countable=countable),
        "by_article_dest_gender": indicators.by_article_country_and_gender(
            by_country, countable=countable),
        "by_article_gender": indicators.by_article(by_country, "gender", countable=countable),
        "by_perpetrator": indicators.split_by_gender(
            run(repo, pipelines.violations_by_perpetrator(kept)), "perpetrator",
            countable=countable),
        "by_status": indicators.split_by_gender(
            run(repo, pipelines.violations_by_status(kept)), "status", countable=countable),
        "by_outcome": indicators.split_by_gender(outcome, "outcome", unit="cases"),
        "per_year": per_year,
        # each case is in one group of `by_country`: its cases by destination and gender
        "cases_by_destination": indicators.split_by_gender(by_country, "destination",
                                                           unit="cases"),
    }
    consent = ConsentSummary.from_groups(purpose,
                                         run(repo, pipelines.consent_counts(counted, purpose)))
    return IndicatorSet(tables, indicators.trend(per_year),
                        indicators.durations(run(repo, pipelines.durations(kept))),
                        consent, wanted, stages,
                        count_entities(run(repo, pipelines.count_by(kept, ("entities",)))))
