"""Export: the export service's rows per second and peak memory against a bare loop.

    python -m bench.bench_export --cases 10000

Ours is `bench.export_bench.export`: `exports.service.run_export` as the page, the
job and the CLI run it (pseudonymised, both tables, consent filter), into a
temporary file, for CSV, XLSX, JSON Lines and the documentation formats (whose case
rows are their events). Bare is the same cursor
(`CaseRepository.matching`, filing order) written straight to `csv.writer`, a few
plain fields per case: what the server and the driver cost. Rows per second count
case rows; target at least 0.5 of bare (0.3 for XLSX), with a peak that does not
grow with the cases (compare the sizes).

Each export, ours or bare, runs once in a fresh process (spawned), which reports
its time and its peak resident set: the memory figure is what the operating system
gave the export, read without slowing it down. (Tracing Python's allocations
doubled each export's time, and a second, traced run of every export made the run
at 1 000 000 cases longer than the two hours it has.) The process's resident set
after its imports, before the export, is given beside the peak.

Each format's export is timed between two runs of the bare loop and compared with
their mean, so a change in the machine's load during the run moves both sides.
"""

from __future__ import annotations

import csv
import os
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from bench.common import database, mongo_uri, report, row
from bench.dataset import run_standalone
from bench.export_bench import export
from workflows.repository import CaseRepository

FORMATS = ("csv", "xlsx", "jsonl", "huridocs-json", "huridocs-csv")
BARE_FIELDS = ("reference", "country", "stage", "language", "created_at", "outcome")


def bare(db: Any, path: str) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for case in CaseRepository(db).matching({}):
            writer.writerow([case.get(f) for f in BARE_FIELDS] + [case.get("answers")])
            count += 1
    return count


def _resident_mib() -> float:
    """This process's peak resident set so far, in MiB: Linux's VmHWM, which starts afresh
    when a process is spawned (`ru_maxrss` would carry the parent's peak over)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_here(uri: str, db_name: str, fmt: str | None, path: str) -> dict[str, Any]:
    """In the child: one export (`fmt`) or the bare loop (None), timed."""
    db = database(uri, db_name)
    before = _resident_mib()
    started = time.perf_counter()
    rows = export(db, fmt, path) if fmt else {"cases": bare(db, path)}
    return {"rows": rows, "seconds": time.perf_counter() - started,
            "rss_before_mib": before, "peak_rss_mib": _resident_mib()}


def in_fresh_process(db: Any, fmt: str | None, path: str) -> dict[str, Any]:
    """One export in a process of its own, so its peak resident set is its own."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_export_here, mongo_uri(), db.name, fmt, path).result()


#: Target ratio to bare, by format (issue 11: XLSX builds a cell object per value).
TARGETS = {"csv": 0.5, "xlsx": 0.3, "jsonl": 0.5, "huridocs-json": 0.5, "huridocs-csv": 0.5}


def run(db: Any, cases: int) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out")
        bares = [in_fresh_process(db, None, path)]
        for fmt in FORMATS:
            ours = in_fresh_process(db, fmt, path)
            size = os.path.getsize(path)
            bares.append(in_fresh_process(db, None, path))
            bare_rate = bares[0]["rows"]["cases"] / statistics.fmean(
                b["seconds"] for b in bares[-2:])
            case_rows = ours["rows"].get("cases", ours["rows"].get("events", 0))
            rows.append(row(f"{fmt} case rows/s", case_rows / ours["seconds"],
                            bare_rate, "rows/s", higher_is_better=True, target=TARGETS[fmt],
                            seconds=ours["seconds"], file_mib=size / 2**20,
                            all_rows_per_s=sum(ours["rows"].values()) / ours["seconds"],
                            peak_rss_mib=ours["peak_rss_mib"],
                            rss_before_mib=ours["rss_before_mib"],
                            bare_peak_rss_mib=max(b["peak_rss_mib"] for b in bares)))
    report("export", cases, rows)
    for r in rows:
        print(f"  {r['what']:<20} {r['seconds']:.1f} s, file {r['file_mib']:.1f} MiB, peak "
              f"resident {r['peak_rss_mib']:.0f} MiB (before the export "
              f"{r['rss_before_mib']:.0f}; bare {r['bare_peak_rss_mib']:.0f})")


def main() -> None:
    run_standalone(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
