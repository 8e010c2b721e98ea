"""Run every benchmark at one size on one generated database, then drop it.

    python -m bench.run_all --cases 1000

Generation is timed and recorded; the benchmarks then run one after another (never
side by side, so they do not share the server's cores) and each writes its
`bench/results/<name>.json`. Any failure stops the run with a non-zero exit.
"""

from __future__ import annotations

from bench import bench_export, bench_indicators, bench_intake, bench_queue, bench_routing
from bench.dataset import arguments, drop, prepared

BENCHMARKS = (bench_queue, bench_indicators, bench_export, bench_routing, bench_intake)


def main() -> None:
    options = arguments(__doc__.splitlines()[0])
    db = prepared(options.cases)
    try:
        for benchmark in BENCHMARKS:
            benchmark.run(db, options.cases)
    finally:
        if not options.keep:
            drop(db)


if __name__ == "__main__":
    main()
