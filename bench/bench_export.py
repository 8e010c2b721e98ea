"""Export: the export service's rows per second and peak memory against a bare loop.

    python -m bench.bench_export --cases 10000

Ours is `bench.export_bench.export`: `exports.service.run_export` as the page, the
job and the CLI run it (pseudonymised, both tables, consent filter), into a
temporary file, for CSV, XLSX and JSON Lines; its peak traced memory is taken in a
second run. Bare is the same cursor (`CaseRepository.matching`, filing order)
written straight to `csv.writer`, a few plain fields per case: what the server and
the driver cost. Rows per second count case rows; target at least 0.5 of bare
(0.3 for XLSX), with a peak that does not grow with the cases (compare the sizes).

Each format's export is timed between two runs of the bare loop and compared with
their mean, so a change in the machine's load during the run moves both sides.
"""

from __future__ import annotations

import csv
import os
import statistics
import tempfile
import tracemalloc
from typing import Any

from bench.common import report, row, timed
from bench.dataset import run_standalone
from bench.export_bench import export
from workflows.repository import CaseRepository

FORMATS = ("csv", "xlsx", "jsonl")
BARE_FIELDS = ("reference", "country", "stage", "language", "created_at", "outcome")


def bare(db: Any, path: str) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for case in CaseRepository(db).matching({}):
            writer.writerow([case.get(f) for f in BARE_FIELDS] + [case.get("answers")])
            count += 1
    return count


def traced(call: Any) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


#: Target ratio to bare, by format (issue 11: XLSX builds a cell object per value).
TARGETS = {"csv": 0.5, "xlsx": 0.3, "jsonl": 0.5}


def run(db: Any, cases: int) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out")
        written: dict[str, int] = {}
        bare_seconds = [timed(lambda: written.update(n=bare(db, path)))]
        bare_peak = traced(lambda: bare(db, path))
        for fmt in FORMATS:
            result: dict[str, int] = {}
            seconds = timed(lambda fmt=fmt, result=result: result.update(export(db, fmt, path)))
            bare_seconds.append(timed(lambda: bare(db, path)))
            bare_rate = written["n"] / statistics.fmean(bare_seconds[-2:])
            peak = traced(lambda fmt=fmt: export(db, fmt, path))
            rows.append(row(f"{fmt} case rows/s", result["cases"] / seconds, bare_rate,
                            "rows/s", higher_is_better=True, target=TARGETS[fmt],
                            all_rows_per_s=sum(result.values()) / seconds,
                            peak_mib=peak / 2**20, bare_peak_mib=bare_peak / 2**20))
    report("export", cases, rows)
    for r in rows:
        print(f"  {r['what']:<20} peak {r['peak_mib']:.1f} MiB (bare {r['bare_peak_mib']:.1f})")


def main() -> None:
    run_standalone(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
