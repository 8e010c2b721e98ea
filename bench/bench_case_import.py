"""Bulk import: rows per second of a dry run (every row checked) and of an import
(every row checked again, then filed), for a generated sheet of `--rows` cases.

    python -m bench.bench_case_import [--rows 1000] [--uri mongodb://…]

Without `--uri` it runs on the embedded store; with one, in a fresh database
`mrvrs_bench_import_<n>` on that server (dropped afterwards). Routing is not queued
(no broker is needed): the figure is the import's own work. Figures are printed,
not checked.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime

from bench.common import app_env

COLUMNS = {"ref": "_reference", "country": "destination_country", "story": "narrative",
           "consent": "consent_case_work", "date": "violation_date", "gender": "gender",
           "employer": "employer_name"}
GENDERS = ("woman", "man", "non_binary", "")


def sheet(rows: int) -> bytes:
    lines = ["ref,country,story,consent,date,gender,employer"]
    for n in range(rows):
        lines.append(f"B-{n:06d},MY,Wages withheld for months (file {n}),yes,"
                     f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d},{GENDERS[n % 4]},"
                     f"Employer {n % 97}")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--uri", default=None)
    args = parser.parse_args()
    from app import create_app
    from config.settings import load_settings
    from tests.intake_helpers import publish_shipped
    from workflows.import_jobs import check_files, run_import_job

    db_name = f"mrvrs_bench_import_{os.getpid()}"
    env = app_env(args.uri, db_name) if args.uri else {"MRVRS_ENV": "development"}
    if not args.uri:
        env.update({k: v for k, v in app_env(None, db_name).items()
                    if k in ("MRVRS_DATA_KEY", "MRVRS_SECRET_KEY", "MRVRS_AUDIT_KEY")})
    svc = create_app(load_settings(env)).extensions["mrvrs"]
    try:
        publish_shipped(svc)
        ctx = svc.import_context()
        ctx.enqueue = None
        data, form = sheet(args.rows), {"id": "my-intake", "version": 1}
        started = time.perf_counter()
        check, _archive = check_files(ctx, form, "org-bench", data, None, COLUMNS)
        dry = time.perf_counter() - started
        assert check.ok, check.all_problems()[:3]
        now = datetime.now(UTC)
        job = svc.import_jobs.create(user_id="bench", org_id="org-bench", form=form,
                                     filename="bench.csv", sheet=data, archive=None,
                                     archive_name="", now=now, columns=COLUMNS)
        svc.import_jobs.queue(job["_id"], COLUMNS, now)
        started = time.perf_counter()
        status = run_import_job(ctx, job["_id"])
        real = time.perf_counter() - started
        summary = svc.import_jobs.get(job["_id"])["summary"]
        where = args.uri or "embedded store"
        print(f"{args.rows} rows on {where}")
        print(f"dry run: {dry:.2f} s, {args.rows / dry:.0f} rows/s")
        print(f"import ({status}, created {summary['created']}): {real:.2f} s, "
              f"{args.rows / real:.0f} rows/s")
    finally:
        if args.uri:
            svc.db.client.drop_database(db_name)


if __name__ == "__main__":
    main()
