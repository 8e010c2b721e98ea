"""Routing: cases routed per second by real Celery workers against a bare loop.

    python -m bench.bench_routing --cases 10000

On the generated database, `ROUTED` new cases are filed in `submitted` (built as
intake builds them), `route_case` is queued for each on Redis, and `mrvrs worker`
(concurrency 1, then 2) routes them: team, priority, possible duplicates (the
case's keys registered in the duplicate-key table and the cases already there read
back, by `_id`), stage, through the guarded update. The clock
runs from the first enqueue until every case has left `submitted`, watched by reads
of the remaining cases by `_id` (a query on `stage` would read every case on
FerretDB, competing with the workers); worker start-up is not counted. Bare is one
Python loop doing the same reads and the guarded update with pymongo, no Celery.
Target at least 0.5. The filed cases and their table entries are removed after;
messages an earlier, interrupted run left on the benchmark's broker are purged first.

`MRVRS_BENCH_WORKER_LOG=<file>` keeps the workers' output at INFO in that file.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument

from bench.common import app_env, report, row
from bench.dataset import run_standalone
from bench.generate import Generator
from config.settings import load_settings
from workflows.celery_app import make_celery
from workflows.intake import enqueue_routing
from workflows.repository import CaseRepository

ROUTED = int(os.environ.get("MRVRS_BENCH_ROUTED", "100"))
WAIT_SECONDS = int(os.environ.get("MRVRS_BENCH_ROUTING_WAIT", "300"))
WORKER_LOG = os.environ.get("MRVRS_BENCH_WORKER_LOG")


def file_submitted(db: Any, count: int, seed: int) -> list[dict[str, Any]]:
    generator = Generator(db, seed)
    cases = [generator.case(datetime.now(UTC), stage_walk=False) for _ in range(count)]
    for n, case in enumerate(cases):
        case["reference"] = f"{case['country']}-2099-{seed:02d}{n:04d}"
    db.cases.insert_many(cases)
    return cases


def bare_loop(db: Any, ids: list[str]) -> float:
    """Per case: read it; per duplicate key, add it and read the cases already there in
    one upsert by `_id`; then the guarded update."""
    started = time.perf_counter()
    for case_id in ids:
        case = db.cases.find_one({"_id": case_id})
        entry = {"id": case_id, "reference": case["reference"],
                 "created_at": case["created_at"]}
        for key in case["duplicate_keys"]:
            db.case_duplicate_keys.find_one_and_update(
                {"_id": key}, {"$addToSet": {"cases": entry}}, upsert=True,
                return_document=ReturnDocument.AFTER)
        db.cases.find_one_and_update({"_id": case_id, "version": case["version"],
                                      "stage": "submitted"},
                                     {"$set": {"stage": "in_review", "team": "bench"},
                                      "$inc": {"version": 1},
                                      "$push": {"events": {"to": "in_review"}}})
    return len(ids) / (time.perf_counter() - started)


def with_workers(db: Any, ids: list[str], concurrency: int) -> float:
    with open(WORKER_LOG, "a") if WORKER_LOG else contextlib.nullcontext() as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", f"--concurrency={concurrency}",
             f"--loglevel={'INFO' if log else 'WARNING'}"], env=app_env(None, db.name),
            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            return routed_per_second(db, ids)
        finally:
            worker.terminate()
            worker.wait(30)


def benchmark_celery(db: Any) -> Any:
    return make_celery(load_settings(app_env(None, db.name)))


def purge_queue(db: Any) -> None:
    """Drop messages an earlier run left on the benchmark's broker (a run stopped by its
    time limit leaves its `route_case` tasks queued, and a worker would take those first,
    some for cases of this run: the filed cases' ids come from fixed seeds)."""
    left = benchmark_celery(db).control.purge()
    if left:
        print(f"  discarded {left} messages left on the benchmark broker by an earlier run")


def routed_per_second(db: Any, ids: list[str]) -> float:
    """Queue routing for `ids` once a worker answers, and time until none is submitted."""
    celery = benchmark_celery(db)
    celery.send_task("mrvrs.ping", args=["bench"]).get(timeout=120)
    started = time.perf_counter()
    for case_id in ids:
        enqueue_routing(celery, case_id)
    deadline = started + WAIT_SECONDS
    waiting = list(ids)
    while waiting:
        waiting = [case_id for case_id in waiting
                   if (db.cases.find_one({"_id": case_id}, {"stage": 1}) or {}).get("stage")
                   == "submitted"]
        if waiting and time.perf_counter() > deadline:  # fail loudly, not hang a CI run
            raise RuntimeError(f"{len(waiting)} cases still in submitted after "
                               f"{WAIT_SECONDS} s")
        if waiting:
            time.sleep(0.2)
    return len(ids) / (time.perf_counter() - started)


def run(db: Any, cases: int) -> None:
    """Each run routes its own new cases; they are removed after, leaving the data set as it was."""
    purge_queue(db)
    filed = [file_submitted(db, ROUTED, 90 + n) for n in (0, 1, 2)]
    ids = [[c["_id"] for c in run_cases] for run_cases in filed]
    try:
        bare = bare_loop(db, ids[0])
        rows = [row(f"routed/s, worker concurrency {n}", with_workers(db, ids[n], n), bare,
                    "cases/s", higher_is_better=True, target=0.5) for n in (1, 2)]
    finally:
        remove(db, [c for run_cases in filed for c in run_cases])
    report("routing", cases, rows, routed_per_run=ROUTED)


def remove(db: Any, cases: list[dict[str, Any]]) -> None:
    """Take the filed cases out again, from the cases and the duplicate-key table, by `_id`."""
    index = CaseRepository(db).duplicate_keys
    for case in cases:
        index.forget(case)
        db.cases.delete_one({"_id": case["_id"]})


def main() -> None:
    run_standalone(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
