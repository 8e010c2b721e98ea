"""Intake: `POST /api/v1/cases` through gunicorn against a bare insert endpoint.

    python -m bench.bench_intake --cases 10000

Both run under the same gunicorn command on loopback (`WORKERS` sync workers) and
get the same `REQUESTS` JSON submissions (valid answers to the shipped forms, in
their languages) from `CLIENTS` concurrent keep-alive clients. The API checks the
token, validates with the WTForms class, derives the case, seals, takes a
reference and queues routing on Redis; the bare endpoint inserts the body. Prints
throughput and p50/p95/p99; target at least 0.5 of the bare throughput.

Both servers run at once and the submissions go to them in `ROUNDS` alternating
rounds (ours then bare, then bare then ours...), each side's figures summed over
its rounds: on a shared machine whose load changes from one minute to the next,
measuring one side after the other gave ratios that differed by two times between
runs of the same code.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from app.stores import TokenStore, UserStore
from bench.answers import EMPLOYERS, answers_for
from bench.common import app_env, percentiles, report, row
from bench.dataset import run_standalone
from forms.audience import for_reporters
from forms.store import FormStore

PORT = int(os.environ.get("MRVRS_BENCH_HTTP_PORT", "8391"))  # ours; bare on the next port
WORKERS, CLIENTS, ROUNDS = 2, 8, 4
REQUESTS = int(os.environ.get("MRVRS_BENCH_REQUESTS", "200"))


def bodies(db: Any, count: int) -> list[bytes]:
    store, rng, out = FormStore(db), random.Random(7), []
    forms = [(r, store.definition(r["form_id"], r["version"])) for r in store.list_latest()]
    forms = [(r, d) for r, d in forms if d.country]
    for i in range(count):
        record, definition = rng.choice(forms)
        language = rng.choice(definition.languages)
        person = {"name": f"Siti Aminah {i}", "passport": f"A{i:07d}",
                  "employer": rng.choice(EMPLOYERS)}
        out.append(json.dumps({"form_id": record["form_id"], "version": record["version"],
                               "language": language,
                               # a reporter's answers: questions for staff are refused
                               "answers": answers_for(for_reporters(definition), language,
                                                      rng, person)}
                              ).encode())
    return out


def token(db: Any) -> str:
    user = UserStore(db).create(f"bench{time.time_ns()}@bench.invalid", "bench-password-1",
                                ["member"], countries=["MY"])
    return TokenStore(db).create(user["_id"], "bench")[1]


def serve(db: Any, target: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(WORKERS),
                               "--bind", f"127.0.0.1:{port}", target],
                              env=app_env(None, db.name), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start for {target}")


class Side(NamedTuple):
    """One server under test: where it listens and what a submission is sent to."""

    port: int
    path: str
    headers: dict[str, str]


def load(side: Side, payloads: list[bytes]) -> tuple[float, list[float]]:
    """Send every payload from `CLIENTS` keep-alive connections; (seconds, latencies)."""
    def client(share: list[bytes]) -> list[float]:
        conn, times = http.client.HTTPConnection("127.0.0.1", side.port, timeout=120), []
        for body in share:
            started = time.perf_counter()
            conn.request("POST", side.path, body,
                         {"Content-Type": "application/json", **side.headers})
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                raise RuntimeError(f"{side.path} answered {response.status}")
            times.append(time.perf_counter() - started)
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, [payloads[i::CLIENTS] for i in range(CLIENTS)]))
    return time.perf_counter() - started, [t for r in results for t in r]


def measure(sides: list[Side], payloads: list[bytes]) -> list[tuple[float, dict]]:
    """Each side's (requests/s, percentiles) over `ROUNDS` rounds, taking turns."""
    for side in sides:
        load(side, payloads[:CLIENTS])  # warm each worker's caches
    seconds, times = [0.0] * len(sides), [[] for _ in sides]
    for r in range(ROUNDS):
        batch = payloads[r::ROUNDS]
        order = range(len(sides)) if r % 2 == 0 else reversed(range(len(sides)))
        for i in order:
            spent, latencies = load(sides[i], batch)
            seconds[i] += spent
            times[i] += latencies
    return [(len(t) / s, percentiles(t)) for s, t in zip(seconds, times, strict=True)]


def run(db: Any, cases: int) -> None:
    payloads = bodies(db, REQUESTS)
    auth = {"Authorization": f"Bearer {token(db)}"}
    servers = [serve(db, "app:create_app()", PORT),
               serve(db, "bench.bare_app:create_app()", PORT + 1)]
    try:
        (ours, lat), (bare, bare_lat) = measure(
            [Side(PORT, "/api/v1/cases", auth), Side(PORT + 1, "/bare", {})], payloads)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(30)
    rows = [row("submissions/s", ours, bare, "req/s", higher_is_better=True, target=0.5)]
    rows += [row(f"latency {p}", lat[f"{p}_ms"], bare_lat[f"{p}_ms"], "ms",
                 higher_is_better=False, target=float("inf")) for p in ("p50", "p95", "p99")]
    report("intake", cases, rows, clients=CLIENTS, gunicorn_workers=WORKERS,
           requests=REQUESTS, rounds=ROUNDS)


def main() -> None:
    run_standalone(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
