"""A compiled report's data built in memory, for the report tests (no database).

The indicator tables are computed from what the pipelines would return for the
generated cases (`group_like_mongo`), exactly as `indicator_runs` would.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from exports import indicators
from exports.consent import ConsentSummary
from exports.filters import parse_filter
from exports.indicator_runs import IndicatorSet
from exports.redaction import Level
from exports.report_data import AnnexLine, CaseSummary, ReportData, ReportRequest
from forms.mwc import load_taxonomy
from tests.unit.exports.export_factories import generated_cases, group_like_mongo

RAN_AT = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
YEARS = (2023, 2024, 2025)


def cases(count: int = 150, seed: int = 9) -> tuple[list[dict[str, Any]], list[dict]]:
    every = list(generated_cases(count, seed))
    return every, [c for c in every if c["consent"].get("statistics") is True]


def indicator_set(count: int = 150) -> IndicatorSet:
    every, kept = cases(count)
    countable = frozenset(load_taxonomy().violation_codes())
    by_country = group_like_mongo(kept, ("mwc", "destination", "gender"))
    yearly = {y: group_like_mongo([c for c in kept if c["created_at"].year == y],
                                  ("mwc", "gender")) for y in YEARS}
    per_year = indicators.per_year(yearly, countable=countable)
    tables = {
        "by_article_destination": indicators.by_article(by_country, "destination",
                                                        countable=countable),
        "by_article_dest_gender": indicators.by_article_country_and_gender(
            by_country, countable=countable),
        "by_article_gender": indicators.by_article(by_country, "gender", countable=countable),
        "by_perpetrator": indicators.split_by_gender(
            group_like_mongo(kept, ("mwc", "perpetrator", "gender")), "perpetrator",
            countable=countable),
        "by_status": indicators.split_by_gender(
            group_like_mongo(kept, ("mwc", "status", "gender")), "status", countable=countable),
        "by_outcome": indicators.split_by_gender(
            group_like_mongo(kept, ("mwc", "outcome", "gender")), "outcome", unit="cases"),
        "per_year": per_year,
    }
    declined = sum(c["consent"].get("statistics") is False for c in every)
    consent = ConsentSummary("statistics", len(kept), declined,
                             len(every) - len(kept) - declined)
    return IndicatorSet(tables, indicators.trend(per_year), indicators.durations(kept),
                        consent, YEARS)


def report_data(*, threshold: int | None = 5, level: str = "pseudonymised",
                narrative: str = "The agency kept my passport.", ran_at: datetime = RAN_AT,
                count: int = 150) -> ReportData:
    request = ReportRequest("Mission to Malaysia", parse_filter(
        {"country": "MY,SG", "from": "2023-01-01", "to": "2025-12-31"}), level,
        ("MY-2024-000001",), threshold)
    summary = CaseSummary("P-0a1b2c3d4e5f", "2024-05-01", "MY", "MY", "closed", "resolved",
                          ("MWC-21 No confiscation of documents",),
                          (("Tell us what happened", narrative),))
    annex = (AnnexLine("P-0a1b2c3d4e5f", "2024-05-01", "MY", "MY", "closed", "MWC-21"),
             AnnexLine("P-99ffee001122", "2024-06-11", "SG", "SG", "verified", "MWC-25"))
    return ReportData(request, Level(level), ran_at, '{"country": {"$in": ["MY", "SG"]}}',
                      indicator_set(count), annex, (summary,),
                      ("1 case left out: the reporter did not consent to public advocacy.",))
