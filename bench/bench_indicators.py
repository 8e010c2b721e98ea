"""Indicators: one country's tables through `indicator_tables` against the bare pipelines.

    python -m bench.bench_indicators --cases 10000

Ours is `exports.indicator_runs.indicator_tables` for Malaysia (the pipelines, the
filing span, the per-year runs, the counting and the tables). Bare is the same
aggregation pipelines and the two filing-span reads sent straight to the server,
results only listed. The ratio of times is our overhead; target at most 1.5.
"""

from __future__ import annotations

from typing import Any

from bench.common import report, row, timed
from bench.dataset import run_standalone
from exports import pipelines
from exports.indicator_runs import indicator_tables, years_of
from workflows.repository import CaseRepository

MATCH = {"country": "MY"}


def bare(db: Any, repo: CaseRepository) -> None:
    """What the server must do for the tables, and nothing else."""
    kept = pipelines.with_consent(MATCH, "statistics")
    for order in (1, -1):
        db.cases.find_one(kept, {"created_at": 1}, sort=[("created_at", order)])
    years = years_of(repo, kept)
    runs = [pipelines.violations_by_article_and_country(kept),
            pipelines.violations_by_outcome(kept), *pipelines.per_year(kept, years).values(),
            pipelines.violations_by_perpetrator(kept), pipelines.violations_by_status(kept),
            pipelines.consent_counts(MATCH, "statistics"), pipelines.durations(kept)]
    for pipeline in runs:
        list(db.cases.aggregate(pipeline))


def run(db: Any, cases: int) -> None:
    repo = CaseRepository(db)
    ours = timed(lambda: indicator_tables(repo, MATCH))
    base = timed(lambda: bare(db, repo))
    report("indicators", cases, [row("MY indicator tables", ours * 1000, base * 1000, "ms",
                                     higher_is_better=False, target=1.5)])


def main() -> None:
    run_standalone(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
