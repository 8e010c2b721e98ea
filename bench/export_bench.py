"""Export throughput and peak memory along the whole export path, read from a database.

    python -m bench.export_bench [--cases 10000 100000] [--formats csv xlsx jsonl] [--uri URI]

`bench.bench_export_writers` times the cores alone on cases made in memory; this one
fills a database with `bench.generate` (cases built by intake's own code, answers
sealed) and runs `exports.service.run_export` as the export page, the export job and
`mrvrs export` do: scope and filter, the form-versions grouping, the sorted cursor,
opening the sealed answers, the consent filter, pseudonymised redaction and masking,
and the writer, into a temporary file. It prints rows per second (cases and
violation rows; timed without tracing) and the peak of Python memory traced by
`tracemalloc` in a second run (`--no-trace` skips it), and the process's peak
resident memory, which on a real server (the data outside this process) shows the
same flatness without tracing's cost.

The store is mongomock unless `--uri` or `MRVRS_BENCH_MONGO_URI` names a server.
mongomock holds the data in this process and its cursor copies every matched
document before the first is read, so its peak grows with the cases; on a real
server the cursor streams in batches and the peak stays flat.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import tracemalloc
from typing import Any

from bench.common import DATA_KEY, database
from bench.generate import generate
from exports.service import ExportRequest, run_export
from forms.store import FormStore
from workflows.registry.store import EntityStore
from workflows.repository import CaseRepository
from workflows.sealing import Sealer

ACTOR = {"id": "bench", "roles": ["coordinator"], "org_id": None, "countries": []}
SEED = 1


def prepared(count: int, uri: str | None) -> Any:
    """A database holding `count` generated cases (kept on a server between runs)."""
    if uri is None:
        import mongomock

        db = mongomock.MongoClient(tz_aware=True)["mrvrs_export_bench"]
    else:
        db = database(uri, f"mrvrs_export_bench_{count}")
        if db.cases.estimated_document_count() == count:
            return db
        db.client.drop_database(db.name)
    rate = generate(db, count, SEED, uri=uri)
    print(f"generated {count} cases: {rate:.0f} cases/s")
    return db


def export(db: Any, fmt: str, path: str) -> dict[str, int]:
    request = ExportRequest(fmt=fmt, level="pseudonymised", purpose="statistics")
    with open(path, "wb") as out:
        result = run_export(CaseRepository(db), FormStore(db), Sealer(DATA_KEY), ACTOR, request,
                            out, full_roles=("coordinator",), entities=EntityStore(db))
    return dict(result.rows)


def measure(db: Any, count: int, fmt: str, trace: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export")
        started = time.perf_counter()
        rows = export(db, fmt, path)
        seconds = time.perf_counter() - started
        size = os.path.getsize(path)
        peak = None
        if trace:
            tracemalloc.start()
            export(db, fmt, path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    total = sum(rows.values())
    shown = f"peak {peak / 2**20:6.1f} MiB" if peak is not None else "peak not traced"
    shown += f"  max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB"
    cases = rows.get("cases", rows.get("events", 0))  # the documentation formats: events
    print(f"{fmt:6} {count:>8} cases  {cases:>8} case rows  {total:>9} rows  "
          f"{total / seconds:>9.0f} rows/s  {cases / seconds:>7.0f} cases/s  {shown}  "
          f"file {size / 2**20:7.1f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx", "jsonl"])
    parser.add_argument("--uri", default=os.environ.get("MRVRS_BENCH_MONGO_URI"))
    parser.add_argument("--no-trace", dest="trace", action="store_false",
                        help="skip the tracemalloc run (it takes about twice as long)")
    options = parser.parse_args()
    store = options.uri or "mongomock"
    print(f"store: {store}")
    for count in options.cases:
        db = prepared(count, options.uri)
        for fmt in options.formats:
            measure(db, count, fmt, options.trace)


if __name__ == "__main__":
    main()
