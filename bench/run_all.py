"""Run every benchmark at one or more sizes, one size after the other, in one run.

    python -m bench.run_all --cases 1000 10000

For each size the database is generated once (timed), the server's own floor is
measured (one full read of the cases: what every query the server cannot answer
from an index costs), and the benchmarks run one after another, never side by
side, so they do not share the server's cores. Each writes its
`bench/results/<name>.json`; the run also writes `bench/results/summary.json` and
`bench/results/summary.md`, the table BENCHMARKS.md quotes. Any failure stops the
run with a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from bench import bench_export, bench_indicators, bench_intake, bench_queue, bench_routing
from bench.common import RESULTS, git_commit, machine, timed
from bench.dataset import drop, generation_rate, prepared

BENCHMARKS = (bench_queue, bench_indicators, bench_export, bench_routing, bench_intake)


def server_floor(db: Any) -> dict[str, float]:
    """One full read of the cases, ids only: the server decodes every document anyway
    when it cannot use an index, so this is the cost of any unindexed query."""
    count = db.cases.estimated_document_count()
    seconds = timed(lambda: sum(1 for _ in db.cases.find({}, {"_id": 1}, batch_size=1000)))
    return {"full_read_s": seconds, "per_case_ms": seconds * 1000 / max(count, 1)}


def run_size(cases: int, keep: bool) -> dict[str, Any]:
    db = prepared(cases)
    try:
        result: dict[str, Any] = {"cases": cases, "generation_cases_per_s": generation_rate(db),
                                  "server": server_floor(db), "benchmarks": {}}
        print(f"server floor at {cases} cases: {result['server']}")
        for benchmark in BENCHMARKS:
            started = time.perf_counter()
            benchmark.run(db, cases)
            name = benchmark.__name__.removeprefix("bench.bench_")
            payload = json.loads((RESULTS / f"{name}.json").read_text())
            payload["seconds"] = time.perf_counter() - started
            result["benchmarks"][name] = payload
        return result
    finally:
        if not keep:
            drop(db)


def table(sizes: list[dict[str, Any]]) -> str:
    """Markdown: one line per figure and size, ours beside bare, the ratio and the target."""
    lines = ["| benchmark | cases | figure | ours | bare | unit | ratio | target | met |",
             "|---|---:|---|---:|---:|---|---:|---|---|"]
    for size in sizes:
        for name, payload in size["benchmarks"].items():
            for r in payload["rows"]:
                lines.append(f"| {name} | {size['cases']:,} | {r['what']} | {r['ours']:,.1f} "
                             f"| {r['bare']:,.1f} | {r['unit']} | {r['ratio']:.2f} "
                             f"| {r['target']} | {'yes' if r['met'] else 'no'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[1000])
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    options = parser.parse_args()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sizes = [run_size(cases, options.keep) for cases in options.cases]
    RESULTS.mkdir(exist_ok=True)
    summary = {"started": started, "commit": git_commit(), "machine": machine(), "sizes": sizes}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    (RESULTS / "summary.md").write_text(table(sizes))
    print(table(sizes))


if __name__ == "__main__":
    main()
