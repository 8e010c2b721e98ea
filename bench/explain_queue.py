"""How the server answers each case-list query the reviewer and coordinator screens send.

    python -m bench.explain_queue --db mrvrs_bench_10000 [--uri mongodb://...]

For each queue and filter, `workflows.queue.list_cases` asks for the first page (50
rows) while the queries it sends are recorded; the one that filled the page is then
explained on the server (`executionStats`), and its plan is printed: the indexes
scanned and their conditions, whether any part is a collection scan, the counts
the server gives (MongoDB gives keys and documents examined; FerretDB 2 on
DocumentDB gives none), and whether the scan is bounded (`bench.plans.bounded`).
Exits with status 1 when any query is not answered by a bounded index scan.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench.bench_queue import CASES, LIMIT, REVIEWER
from bench.cases import DATA_END
from bench.common import database
from bench.plans import Summary, bounded, summarise
from workflows.queue import list_cases
from workflows.repository import CaseRepository

COORDINATOR = {"id": "u_bench_coordinator", "roles": ["coordinator"], "org_id": None,
               "countries": []}
#: (label, actor, queue, filters): the team queue with every filter, then the other queues.
SCREENS = [
    *[(f"reviewer team {label}", REVIEWER, "team", filters) for label, filters in CASES],
    *[(f"coordinator team {label}", COORDINATOR, "team", filters) for label, filters in CASES],
    *[(f"reviewer {queue}", REVIEWER, queue, {}) for queue in ("mine", "unassigned", "urgent",
                                                              "all")],
]


class Recorder:
    """Stands in for the cases collection and keeps each find the list sends."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.finds: list[dict[str, Any]] = []

    def find(self, query: dict[str, Any], projection: Any = None) -> Any:
        self.finds.append({"filter": query})
        return _Cursor(self.collection.find(query, projection), self.finds[-1])


class _Cursor:
    def __init__(self, cursor: Any, record: dict[str, Any]) -> None:
        self.cursor, self.record = cursor, record

    def sort(self, keys: list[tuple[str, int]]) -> _Cursor:
        self.record["sort"] = dict(keys)
        self.cursor = self.cursor.sort(keys)
        return self

    def hint(self, index: str) -> _Cursor:
        self.record["hint"] = index
        self.cursor = self.cursor.hint(index)
        return self

    def limit(self, count: int) -> _Cursor:
        self.record["limit"] = count
        self.cursor = self.cursor.limit(count)
        return self

    def __iter__(self) -> Any:
        rows = list(self.cursor)
        self.record["returned"] = len(rows)
        return iter(rows)


def explain_screen(db: Any, actor: dict, queue: str, filters: dict,
                   limit: int = LIMIT) -> tuple[dict, Summary, int]:
    """The query that answered the screen's first page, its plan, and how many were sent."""
    repo = CaseRepository(db)
    recorder = Recorder(db.cases)
    repo.cases = recorder
    list_cases(repo, actor, queue, filters, None, limit, now=DATA_END)
    last = recorder.finds[-1]
    command = {"find": "cases", "filter": last["filter"], "sort": last["sort"],
               "limit": last["limit"], **({"hint": last["hint"]} if "hint" in last else {})}
    explain = db.command("explain", command, verbosity="executionStats")
    return last, summarise(explain), len(recorder.finds)


def describe(label: str, query: dict, summary: Summary, probes: int) -> bool:
    sort_key = next(iter(query["sort"]))
    ok = bounded(summary, sort_key)
    kind = "COLLSCAN" if summary.collection_scan else "IXSCAN" if summary.index_scans else "?"
    print(f"-- {label}: {kind}, {'bounded' if ok else 'NOT bounded'}; "
          f"{probes} find(s), returned {query.get('returned')}; keys examined "
          f"{_count(summary.keys_examined)}, docs examined {_count(summary.docs_examined)}")
    print(f"     plan: {summary.shape}")
    for index, condition in summary.index_scans:
        print(f"     {index}: {condition[:400]}")
    return ok


def _count(value: int | None) -> str:
    return "not reported" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a generated database (bench.generate)")
    parser.add_argument("--uri", default=None)
    options = parser.parse_args()
    db = database(options.uri, options.db)
    CaseRepository(db).ensure_indexes()
    print(f"== explain at {db.cases.estimated_document_count()} cases in {db.name}")
    results = [describe(label, *explain_screen(db, actor, queue, filters))
               for label, actor, queue, filters in SCREENS]
    print(f"== {sum(results)} of {len(results)} queries answered by a bounded index scan")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
