"""Routing: cases routed per second by real Celery workers against a bare loop.

    python -m bench.bench_routing --cases 10000

On the generated database, `ROUTED` new cases are filed in `submitted` (built as
intake builds them), `route_case` is queued for each on Redis, and `mrvrs worker`
(concurrency 1, then 2) routes them: team, priority, possible duplicates (an
indexed query on the duplicate keys), stage, through the guarded update with its
version claim. The clock runs from the first enqueue until every case has left
`submitted`; worker start-up is not counted. Bare is one Python loop doing the
same reads and the guarded update with pymongo, no Celery. Target at least 0.5.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench.common import app_env, report, row
from bench.dataset import run_standalone
from bench.generate import Generator
from config.settings import load_settings
from workflows.celery_app import make_celery
from workflows.intake import enqueue_routing

ROUTED = int(os.environ.get("MRVRS_BENCH_ROUTED", "100"))
WAIT_SECONDS = int(os.environ.get("MRVRS_BENCH_ROUTING_WAIT", "300"))


def file_submitted(db: Any, count: int, seed: int) -> list[str]:
    generator = Generator(db, seed)
    cases = [generator.case(datetime.now(UTC), stage_walk=False) for _ in range(count)]
    for case in cases:
        case["reference"] = f"{case['country']}-2099-{seed:02d}{cases.index(case):04d}"
    db.cases.insert_many(cases)
    return [c["_id"] for c in cases]


def bare_loop(db: Any, ids: list[str]) -> float:
    """Per case: read it, look for duplicates, claim the version, guarded update, release."""
    started = time.perf_counter()
    for case_id in ids:
        case = db.cases.find_one({"_id": case_id})
        list(db.cases.find({"duplicate_keys": {"$in": case["duplicate_keys"] or ["-"]}},
                           {"reference": 1}).sort("created_at", -1).limit(21))
        claim = f"{case_id}:{case['version']}"
        db.case_claims.insert_one({"_id": claim, "at": datetime.now(UTC)})
        db.cases.find_one_and_update({"_id": case_id, "version": case["version"],
                                      "stage": "submitted"},
                                     {"$set": {"stage": "in_review", "team": "bench"},
                                      "$inc": {"version": 1},
                                      "$push": {"events": {"to": "in_review"}}})
        db.case_claims.delete_one({"_id": claim})
    return len(ids) / (time.perf_counter() - started)


def with_workers(db: Any, ids: list[str], concurrency: int) -> float:
    env = app_env(None, db.name)
    worker = subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--loglevel=WARNING",
                               f"--concurrency={concurrency}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        celery = make_celery(load_settings(env))
        celery.send_task("mrvrs.ping", args=["bench"]).get(timeout=120)
        started = time.perf_counter()
        for case_id in ids:
            enqueue_routing(celery, case_id)
        deadline = started + WAIT_SECONDS
        while db.cases.count_documents({"_id": {"$in": ids}, "stage": "submitted"}):
            if time.perf_counter() > deadline:  # fail loudly rather than hang a CI run
                raise RuntimeError(f"cases still in submitted after {WAIT_SECONDS} s")
            time.sleep(0.2)
        return len(ids) / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(30)


def run(db: Any, cases: int) -> None:
    """Each run routes its own new cases; they are removed after, leaving the data set as it was."""
    filed = [file_submitted(db, ROUTED, 90 + n) for n in (0, 1, 2)]
    try:
        bare = bare_loop(db, filed[0])
        rows = [row(f"routed/s, worker concurrency {n}", with_workers(db, filed[n], n), bare,
                    "cases/s", higher_is_better=True, target=0.5) for n in (1, 2)]
    finally:
        db.cases.delete_many({"_id": {"$in": [i for ids in filed for i in ids]}})
    report("routing", cases, rows, routed_per_run=ROUTED)


def main() -> None:
    run_standalone(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
