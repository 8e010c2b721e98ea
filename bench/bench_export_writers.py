"""Export throughput and peak memory for 10 000 and 100 000 generated cases.

    python -m bench.bench_export_writers [--cases 10000 100000] [--formats csv xlsx jsonl]

Each run streams generated cases (Malaysian and Singaporean forms, sensitive
answers opened, names planted in the narratives) through the consent filter,
pseudonymised redaction, the column layout and a writer into a temporary file,
as an export job does. It prints rows per second (timed without tracing) and the
peak of Python memory traced by `tracemalloc` (a second run): if the writers stream,
the peak stays about the same from 10 000 to 100 000 cases.
"""

from __future__ import annotations

import argparse
import copy
import functools
import os
import random
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from exports.columns import build_layout, export_rows
from exports.consent import consent_filter
from exports.redaction import Redactor
from exports.writers import get_writer
from forms.answers import derive_case_fields, split_sensitive
from forms.compiler import compile_form
from forms.shipped import shipped_sources

NAMES = ["Siti Aminah", "Maria Santos", "Nurul Huda", "Rina Wati", "Joy Dela Cruz",
         "Abdul Karim", "Lakshmi Devi", "Mei Ling"]
STORY = ("{name} came through an agency. The employer kept the passport {passport} and "
         "paid nothing for four months. {first} could only call {phone} on Sundays. ") * 4


@functools.cache
def templates() -> list[tuple[Any, Any, Any]]:
    """A few dozen case shapes; generating from them keeps the benchmark on the export."""
    sources = shipped_sources()
    forms = [(compile_form(f, sources).unwrap(), f[:2].upper()) for f in ("my-intake",
                                                                          "sg-intake")]
    rng = random.Random(3)
    shapes = []
    for i in range(40):
        definition, country = forms[i % 2]
        answers = {
            "destination_country": country, "gender": rng.choice(["woman", "man"]),
            "acts": rng.sample(["unpaid_wages", "documents_taken", "confined", "violence",
                                "deductions", "long_hours"], 3),
            "passport_held_by": rng.choice(["employer", "agency", "self"]),
            "immigration_status": rng.choice(["documented", "undocumented"]),
            "consent_case_work": True, "consent_statistics": rng.random() < 0.9,
        }
        shapes.append((definition, split_sensitive(definition, answers),
                       derive_case_fields(definition, answers)))
    return shapes


def generated(count: int) -> Iterator[dict[str, Any]]:
    derived = templates()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(count):
        definition, (plain, sensitive), fields = derived[i % len(derived)]
        name = NAMES[i % len(NAMES)]
        phone = f"+60 12-{i % 1000:03d} {i % 10000:04d}"
        passport = f"A{i:08d}"
        answers = dict(plain, narrative=STORY.format(name=name, first=name.split()[0],
                                                     phone=phone, passport=passport))
        yield {
            "_id": f"c_{i:08d}", "reference": f"{definition.country}-2025-{i:06d}",
            "country": definition.country, "form": {"id": definition.id, "version": 1},
            "language": "en", "answers": answers, "sensitive": "sealed",
            "sensitive_answers": dict(sensitive, full_name=name, phone=phone,
                                      passport_number=passport),
            **copy.deepcopy(fields), "stage": "submitted", "outcome": None,
            "created_at": start + timedelta(minutes=i),
        }


def export(count: int, fmt: str, layout: Any, path: str) -> dict[str, int]:
    keep = consent_filter("statistics")
    rows = export_rows(keep(generated(count)), layout, Redactor("pseudonymised"))
    with open(path, "wb") as out:
        result = get_writer(fmt).write(rows, layout.tables, out, notes=keep.notes)
    return dict(result.rows)


def measure(count: int, fmt: str) -> None:
    templates()  # compile the forms before the clock starts
    sources = shipped_sources()
    definitions = {(f, 1): compile_form(f, sources).unwrap() for f in ("my-intake",
                                                                       "sg-intake")}
    layout = build_layout(definitions, "en", "pseudonymised")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export")
        started = time.perf_counter()
        rows = export(count, fmt, layout, path)
        seconds = time.perf_counter() - started
        size = os.path.getsize(path)
        tracemalloc.start()
        export(count, fmt, layout, path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    total = sum(rows.values())
    print(f"{fmt:6} {count:>8} cases  {rows['cases']:>8} case rows  {total:>9} rows  "
          f"{total / seconds:>9.0f} rows/s  {count / seconds:>7.0f} cases/s  "
          f"peak {peak / 2**20:6.1f} MiB  file {size / 2**20:7.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx", "jsonl"])
    options = parser.parse_args()
    for fmt in options.formats:
        for count in options.cases:
            measure(count, fmt)


if __name__ == "__main__":
    main()
