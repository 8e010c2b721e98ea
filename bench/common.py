"""What every benchmark shares: the server to run on, timing, percentiles, results.

Benchmarks run against `MRVRS_BENCH_MONGO_URI` (default: FerretDB on loopback) in
a database of their own, so they never touch the app's data; each prints its
figure beside the bare baseline measured in the same run and the ratio, and
writes `bench/results/<name>.json` (git-ignored).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database

DEFAULT_URI = "mongodb://127.0.0.1:27018/"
DEFAULT_BROKER = "redis://127.0.0.1:6390/7"
#: A fixed data key: generated cases and the app/worker under test must open each other's seals.
DATA_KEY = "bXJ2cnMtYmVuY2gtZGF0YS1rZXktMzItYnl0ZXMhISE="
RESULTS = Path(__file__).parent / "results"


def mongo_uri(uri: str | None = None) -> str:
    return uri or os.environ.get("MRVRS_BENCH_MONGO_URI") or DEFAULT_URI


def broker_url() -> str:
    return os.environ.get("MRVRS_BENCH_BROKER_URL") or DEFAULT_BROKER


def database(uri: str | None, name: str) -> Database:
    return MongoClient(mongo_uri(uri), serverSelectionTimeoutMS=5000, tz_aware=True)[name]


def identity_secret() -> bytes:
    """The same derivation as `app.services.Services.identity_secret`."""
    return hashlib.sha256(b"mrvrs duplicate keys|" + DATA_KEY.encode()).digest()


def app_env(uri: str | None, db_name: str) -> dict[str, str]:
    """Environment for a web or worker process under test, on the benchmark's database."""
    return {**os.environ, "MRVRS_ENV": "development", "MRVRS_MONGO_URI": mongo_uri(uri),
            "MRVRS_DB_NAME": db_name, "MRVRS_BROKER_URL": broker_url(),
            "MRVRS_DATA_KEY": DATA_KEY, "MRVRS_SECRET_KEY": "bench-secret-" + "x" * 40,
            "MRVRS_AUDIT_KEY": "bench-audit-" + "x" * 40,
            "MRVRS_RATE_LIMIT_PUBLIC": "1000000 per second",
            "MRVRS_RATE_LIMIT_LOGIN": "1000000 per second"}


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds (nearest rank, so small samples stay honest)."""
    ordered = sorted(seconds)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    return {"p50_ms": rank(50), "p95_ms": rank(95), "p99_ms": rank(99),
            "mean_ms": statistics.fmean(ordered) * 1000, "n": len(ordered)}


def machine() -> dict[str, Any]:
    """Where the figures came from: they mean little without it."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "platform": platform.platform(), "server": server_version()}


def server_version() -> str:
    try:
        info = MongoClient(mongo_uri(), serverSelectionTimeoutMS=3000).server_info()
    except Exception as exc:  # noqa: BLE001  (recorded, not fatal)
        return f"unknown ({type(exc).__name__})"
    ferret = info.get("ferretdbVersion") or (info.get("ferretdbFeatures") and "FerretDB")
    return f"{ferret or 'MongoDB'} (wire {info.get('version')})"


def report(name: str, cases: int, rows: list[dict[str, Any]], **extra: Any) -> None:
    """Print each figure beside its baseline and the ratio; write the JSON results."""
    print(f"== {name} at {cases} cases")
    for row in rows:
        print(f"  {row['what']:<44} ours {row['ours']:>10.2f}  bare {row['bare']:>10.2f}  "
              f"{row['unit']:<10} ratio {row['ratio']:.2f}  target {row.get('target', '-')}")
    RESULTS.mkdir(exist_ok=True)
    payload = {"benchmark": name, "cases": cases, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                      time.gmtime()),
               "machine": machine(), "rows": rows, **extra}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str))


def row(what: str, ours: float, bare: float, unit: str, *, higher_is_better: bool,
        target: float, **extra: Any) -> dict[str, Any]:
    """One figure: ratio = ours/bare; met when ratio >= target (throughput) or <= target."""
    ratio = ours / bare if bare else float("inf")
    met = ratio >= target if higher_is_better else ratio <= target
    sign = ">=" if higher_is_better else "<="
    return {"what": what, "ours": ours, "bare": bare, "unit": unit, "ratio": ratio,
            "target": f"{sign} {target}", "met": met, **extra}


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=False).stdout.strip()
    except OSError:
        return ""
