"""Fill a benchmark database with realistic cases, reproducibly and fast.

    python -m bench.generate --cases 100000 --seed 1 [--uri mongodb://…] [--db mrvrs_bench]

The cases are those intake and routing store (`bench.cases`: intake's `build_case`,
the route transition, the stage machine), written in bulk instead of one by one:

- the cases are planned in filing order in this process (cheap), and built in
  `PROCESSES` worker processes (answers, derived fields, sealing, the stage walk: the
  CPU-bound part), each of which writes its `BATCH` cases with one
  `insert_many(ordered=False)`, so cases are built while a batch is being written;
- the duplicate-key table (`case_duplicate_keys`) gets what routing puts there, also
  in bulk (`KeyTable`): a key is held until no later case can carry it, so each is
  written once;
- the reference counters are set once, at the end, to where the data ends, so real
  intake goes on from there;
- the unique indexes are made first and the others last, by the stores' own
  `CaseRepository.ensure_indexes`: building an ordinary index over the stored cases
  is several times faster on FerretDB 2 with DocumentDB than keeping it up to date
  through every insert, while a unique index is the other way round (its build
  checks each entry against the others, and cost 10 s at 100 000 cases against
  the 1–2 s an ordinary one takes; kept up to date by the two writing workers it
  costs less, BENCHMARKS.md, "Generating data"). The duplicate-key table's one-off backfill is
  settled before the first case is written (nothing to fill), so it does not read
  the cases again.

Without `--uri` (and in tests, on mongomock) the cases are built and written in this
process; the documents are the same either way.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from multiprocessing import get_context
from typing import Any

from pymongo.database import Database
from pymongo.errors import BulkWriteError

from bench.cases import Builder, Plan, Planner, published_forms
from bench.common import database, mongo_uri
from workflows.duplicate_index import DuplicateKeyIndex, entry, keys_of
from workflows.repository import INDEXES, CaseRepository

#: Cases per `insert_many`, and per task given to a worker process.
BATCH = 2000
#: Worker processes building cases when writing to a server.
PROCESSES = 2
#: How many cases a key is held before it is written: more than the cases of the
#: people the planner may report again (`bench.cases.KNOWN_PEOPLE`).
HOLD_CASES = 3000
#: What the duplicate-key table needs of a written case (routing's `entry` and keys).
SUMMARY_FIELDS = ("_id", "reference", "created_at", "stage", "duplicate_keys")


class Generator:
    """Plans and builds cases one at a time, in this process (used by bench_routing)."""

    def __init__(self, db: Database, seed: int) -> None:
        forms = published_forms(db)
        self.planner, self.builder = Planner(forms, seed), Builder(forms)

    def case(self, now: datetime, *, stage_walk: bool = True) -> dict[str, Any]:
        return self.builder.build(self.planner.plan(now), stage_walk)


@dataclass
class Timings:
    """Where the generation's time went, in seconds (build and insert summed over workers)."""

    build: float = 0.0
    build_cpu: float = 0.0
    insert: float = 0.0
    keys: float = 0.0
    counters: float = 0.0
    indexes: float = 0.0
    total: float = 0.0
    cases: int = 0

    def cases_per_s(self) -> float:
        return self.cases / self.total if self.total else 0.0

    def line(self) -> str:
        return (f"{self.cases} cases in {self.total:.1f} s ({self.cases_per_s():.0f} cases/s): "
                f"build {self.build:.1f} s ({self.build_cpu:.1f} s of CPU), insert "
                f"{self.insert:.1f} s (summed over the processes), duplicate keys "
                f"{self.keys:.1f} s, counters {self.counters:.1f} s, indexes {self.indexes:.1f} s")


class KeyTable:
    """The duplicate-key table of the generated routed cases, written in bulk.

    A key's entries are held until `HOLD_CASES` cases have passed without it (a person
    is reported again only while among the planner's last `KNOWN_PEOPLE`), then written
    with the other ready keys in one `insert_many` (`DuplicateKeyIndex.add_entries`); a
    key stored already, by chance or by an earlier run, is merged under its claim.
    """

    def __init__(self, index: DuplicateKeyIndex) -> None:
        self.index = index
        self.seen = 0
        self.held: dict[str, tuple[int, list[dict[str, Any]]]] = {}

    def add(self, cases: Iterable[dict[str, Any]]) -> None:
        for case in cases:
            self.seen += 1
            item = entry(case)
            if case["stage"] == "submitted" or item is None:
                continue
            for key in keys_of(case):
                self.held[key] = (self.seen, [*self.held.get(key, (0, []))[1], item])
        self.flush(older_than=HOLD_CASES)

    def flush(self, older_than: int = 0) -> None:
        ready = {key: items for key, (last, items) in self.held.items()
                 if last <= self.seen - older_than}
        self.index.add_entries(ready)
        for key in ready:
            del self.held[key]


def chunks(plans: Iterable[Plan], size: int) -> Iterator[list[Plan]]:
    iterator = iter(plans)
    while chunk := list(islice(iterator, size)):
        yield chunk


Written = tuple[list[dict[str, Any]], tuple[float, float, float]]


def write_batch(db: Database, builder: Builder, plans: list[Plan]) -> Written:
    """Build and insert one batch: what the key table needs of its cases, and the
    seconds spent building (elapsed, CPU) and inserting."""
    started, cpu = time.perf_counter(), time.process_time()
    cases = [builder.build(plan) for plan in plans]
    built, cpu = time.perf_counter(), time.process_time() - cpu
    db.cases.insert_many(cases, ordered=False)
    summaries = [{name: case[name] for name in SUMMARY_FIELDS} for case in cases]
    return summaries, (built - started, cpu, time.perf_counter() - built)


_WORKER: dict[str, Any] = {}


def _start_worker(uri: str, db_name: str) -> None:
    db = database(uri, db_name)
    _WORKER.update(db=db, builder=Builder(published_forms(db, publish=False)))


def _worker_batch(plans: list[Plan]) -> Written:
    return write_batch(_WORKER["db"], _WORKER["builder"], plans)


def written(db: Database, plans: Iterable[Plan], uri: str | None,
            processes: int) -> Iterator[Written]:
    """Write the planned cases batch by batch; yields each batch's result in plan order.

    With a `uri` and `processes`, workers (spawned: no client is shared across a fork)
    build and insert; at most two batches per worker are planned ahead.
    """
    batches = chunks(plans, BATCH)
    if not uri or processes < 1:
        builder = Builder(published_forms(db, publish=False))
        yield from (write_batch(db, builder, batch) for batch in batches)
        return
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn"),
                             initializer=_start_worker, initargs=(uri, db.name)) as pool:
        pending: list[Future] = [pool.submit(_worker_batch, batch)
                                 for batch in islice(batches, 2 * processes)]
        while pending:
            result = pending.pop(0).result()
            pending.extend(pool.submit(_worker_batch, batch) for batch in islice(batches, 1))
            yield result


def save_counters(db: Database, sequences: dict[str, int]) -> None:
    """Leave the reference counters where the data ends, so real intake goes on.

    New counters in one `insert_many`; a counter stored already (a database generated
    into again) is raised with `$max`, never lowered.
    """
    documents = [{"_id": key, "seq": seq} for key, seq in sorted(sequences.items())]
    if not documents:
        return
    try:
        db.case_counters.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        for error in exc.details.get("writeErrors") or []:
            if error.get("code") != 11000:
                raise
            stored = documents[error["index"]]
            db.case_counters.update_one({"_id": stored["_id"]}, {"$max": {"seq": stored["seq"]}})


def generate(db: Database, count: int, seed: int, *, uri: str | None = None,
             processes: int = PROCESSES) -> float:
    """Fill `db` with `count` cases; returns cases per second (indexes included).

    With `uri` (the server `db` is on), `processes` workers build and write; without
    it, or for fewer than `2 * BATCH * processes` cases, everything runs here.
    """
    return generate_timed(db, count, seed, uri=uri, processes=processes).cases_per_s()


def generate_timed(db: Database, count: int, seed: int, *, uri: str | None = None,
                   processes: int = PROCESSES) -> Timings:
    """`generate`, returning where the time went."""
    repository = CaseRepository(db)
    repository.duplicate_keys.ensure_backfilled(db.cases)
    for name, keys, options in INDEXES:
        if options.get("unique"):
            db.cases.create_index(keys, name=name, **options)
    timings = Timings(cases=count)
    started = time.perf_counter()
    planner = Planner(published_forms(db), seed)
    table = KeyTable(repository.duplicate_keys)
    if count <= 2 * BATCH * processes:
        processes = 0  # starting workers (a few seconds) would cost more than they save
    for summaries, (build, build_cpu, insert) in written(db, planner.plans(count), uri,
                                                         processes):
        timings.build += build
        timings.build_cpu += build_cpu
        timings.insert += insert
        timings.keys += _timed(lambda s=summaries: table.add(s))
    timings.keys += _timed(table.flush)
    timings.counters = _timed(lambda: save_counters(db, planner.sequences))
    timings.indexes = _timed(repository.ensure_indexes)
    timings.total = time.perf_counter() - started
    return timings


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def bare_rate(db: Database, count: int, sample: list[dict[str, Any]]) -> Timings:
    """The server alone: `count` copies of `sample` (built cases, new ids) inserted with
    `insert_many` by one client in batches of `BATCH`, then the same indexes made; in a
    scratch collection, dropped after. What generation would cost if building were free."""
    scratch = db["bench_bare_insert"]
    scratch.drop()
    timings = Timings(cases=count)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        batch = [{**sample[n % len(sample)], "_id": f"b_{n:09d}", "reference": f"B-{n:09d}"}
                 for n in range(first, min(count, first + BATCH))]
        timings.insert += _timed(lambda b=batch: scratch.insert_many(b, ordered=False))
    timings.indexes = _timed(lambda: [scratch.create_index(keys, name=name, **options)
                                      for name, keys, options in INDEXES])
    timings.total = time.perf_counter() - started
    scratch.drop()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--uri", default=None)
    parser.add_argument("--db", default="mrvrs_bench")
    parser.add_argument("--processes", type=int, default=PROCESSES,
                        help="worker processes building cases (0: all in this process)")
    parser.add_argument("--bare", action="store_true",
                        help="then insert as many copies of generated cases bare, for the ratio")
    options = parser.parse_args()
    uri = mongo_uri(options.uri)
    timings = generate_timed(database(uri, options.db), options.cases, options.seed, uri=uri,
                             processes=options.processes)
    print(f"generated in {options.db}: {timings.line()}")
    if options.bare:
        db = database(uri, options.db)
        bare = bare_rate(db, options.cases, list(db.cases.find().limit(BATCH)))
        print(f"bare insert_many of the same documents: {bare.line()}; "
              f"ratio {timings.cases_per_s() / bare.cases_per_s():.2f}")


if __name__ == "__main__":
    main()
