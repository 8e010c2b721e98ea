"""Reviewer queue: `workflows.queue.list_cases` against the bare query it sends.

    python -m bench.bench_queue --cases 10000
    python -m bench.bench_queue --db mrvrs_bench_queue_100000   # generated beforehand

For the team queue of a reviewer and for each filter, the first page (50 rows) is
asked for `REPEATS` times through `list_cases`, and the same query, projection,
sort and limit are sent `REPEATS` times with `find(...).sort(...).limit(...)`.
The ratio of the p95s is our overhead (checking values, building the query,
keyset cursor); target at most 1.5.

The lists are asked for as at `bench.cases.DATA_END`, the moment the last generated
case was filed, as on a live network whose newest cases are the day's: a newest-first
page is looked for in filing windows back from "now" (`workflows.queue.WINDOWS`), and
with the wall clock as "now" the first windows would fall in the weeks between the
end of the generated data and the day of the run, so the window that fills the page
would hold weeks of cases, more the more cases there are (BENCHMARKS.md). The bare
query has no windows and does not depend on it.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bench.cases import DATA_END
from bench.common import database, percentiles, report, row, timed
from bench.dataset import run_standalone
from workflows.queue import ROW_FIELDS, filter_clauses, list_cases
from workflows.repository import CaseRepository
from workflows.scope import case_filter_for

REPEATS = int(os.environ.get("MRVRS_BENCH_REPEATS", "5"))
LIMIT = 50
#: With the teams the edge works out from the shipped routing (`scope.teams_covering`).
REVIEWER = {"id": "u_bench_reviewer", "roles": ["reviewer"], "org_id": None,
            "countries": ["MY", "SG", "HK", "SA"],
            "teams": ["gulf-team", "hk-team", "my-team", "sg-team"]}
OPEN = ["submitted", "in_review", "needs_info", "verified", "follow_up"]
CASES = [("team queue", {}), ("country=MY", {"country": "MY"}),
         ("stage=in_review", {"stage": "in_review"}), ("mwc=21", {"mwc": "21"}),
         ("gender=woman", {"gender": "woman"}), ("priority=urgent", {"priority": "urgent"}),
         ("date_from/date_to", {"date_from": "2024-01-01", "date_to": "2024-06-30"}),
         ("text=passport", {"text": "passport"})]


def bare_query(filters: dict[str, Any]) -> dict[str, Any]:
    """The query the screen needs, as a hand-written find would send it."""
    clauses = [case_filter_for(REVIEWER), {"stage": {"$in": OPEN}}, *filter_clauses(filters)]
    return {"$and": [c for c in clauses if c]}


def measure(repo: CaseRepository, filters: dict[str, Any]) -> tuple[dict, dict]:
    now = DATA_END
    projection = {f: 1 for f in ROW_FIELDS}
    query = bare_query(filters)
    ours = [timed(lambda: list_cases(repo, REVIEWER, "team", filters, None, LIMIT, now=now))
            for _ in range(REPEATS)]
    bare = [timed(lambda: list(repo.cases.find(query, projection).sort(
        [("created_at", -1), ("_id", -1)]).limit(LIMIT + 1))) for _ in range(REPEATS)]
    return percentiles(ours), percentiles(bare)


def run(db: Any, cases: int) -> None:
    repo = CaseRepository(db)
    rows = []
    for label, filters in CASES:
        ours, bare = measure(repo, filters)
        rows.append(row(f"{label} p95", ours["p95_ms"], bare["p95_ms"], "ms",
                        higher_is_better=False, target=1.5, p50_ours=ours["p50_ms"],
                        p50_bare=bare["p50_ms"]))
    report("queue", cases, rows)


def main() -> None:
    """With `--db NAME`, measure an already generated database (never dropped)."""
    if "--db" not in sys.argv:
        run_standalone(__doc__.splitlines()[0], run)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--uri", default=None)
    options = parser.parse_args()
    db = database(options.uri, options.db)
    CaseRepository(db).ensure_indexes()
    run(db, db.cases.estimated_document_count())


if __name__ == "__main__":
    main()
