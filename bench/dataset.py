"""One generated database per size, shared by the benchmarks of a run.

`prepared(cases)` fills `mrvrs_bench_<cases>` once (seed 1) and reuses it while it
holds that many cases, so `run_all` generates each size once; `drop` removes it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from pymongo.database import Database

from bench.common import database, mongo_uri
from bench.generate import generate_timed

SEED = 1


def db_name(cases: int) -> str:
    return f"mrvrs_bench_{cases}"


def prepared(cases: int, uri: str | None = None) -> Database:
    db = database(uri, db_name(cases))
    meta = db.bench_meta.find_one({"_id": "generation"}) or {}
    if meta.get("cases") != cases or db.cases.estimated_document_count() != cases:
        db.client.drop_database(db.name)
        timings = generate_timed(db, cases, SEED, uri=mongo_uri(uri))
        print(f"generated {timings.line()}")
        db.bench_meta.replace_one({"_id": "generation"},
                                  {"_id": "generation", "cases": cases,
                                   "cases_per_s": timings.cases_per_s(),
                                   "seconds": asdict(timings)}, upsert=True)
    return db


def generation_rate(db: Database) -> float | None:
    meta = db.bench_meta.find_one({"_id": "generation"})
    return meta and meta.get("cases_per_s")


def drop(db: Database) -> None:
    db.client.drop_database(db.name)


def arguments(description: str) -> argparse.Namespace:
    """The options every benchmark takes: the size, and whether to keep the data."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    return parser.parse_args()


def run_standalone(description: str, run: Callable[[Database, int], Any]) -> None:
    """What each benchmark does when started on its own: parse its arguments, prepare
    the database of that size, run, and drop the database unless `--keep`."""
    options = arguments(description)
    db = prepared(options.cases)
    run(db, options.cases)
    if not options.keep:
        drop(db)
