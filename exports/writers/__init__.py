"""Export writers, registered by format key: ``csv``, ``xlsx``, ``jsonl``.

Each writer is a small class with one `write(rows, headers, out)` method over an
iterator of tagged rows (table name, values by column key), so a format can be
added by registering one class. Writers import no web, queue or database package.
"""

from __future__ import annotations

from typing import Any

from exports.writers.base import (
    FORMULA_TRIGGERS,
    UnknownTableError,
    Writer,
    WriteResult,
    neutralise,
)
from exports.writers.delimited import CsvWriter
from exports.writers.jsonlines import JsonLinesWriter
from exports.writers.workbook import XlsxWriter

__all__ = [
    "FORMULA_TRIGGERS", "WRITERS", "CsvWriter", "JsonLinesWriter", "UnknownFormatError",
    "UnknownTableError", "WriteResult", "Writer", "XlsxWriter", "formats", "get_writer",
    "neutralise", "register",
]

WRITERS: dict[str, type[Any]] = {}


class UnknownFormatError(ValueError):
    """No writer is registered for the requested format."""


def register(writer: type[Any]) -> type[Any]:
    """Register a writer class under its `format` key (usable as a class decorator)."""
    WRITERS[writer.format] = writer
    return writer


def formats() -> tuple[str, ...]:
    return tuple(WRITERS)


def get_writer(key: str, **options: Any) -> Writer:
    """A new writer for `key`; options go to its constructor (e.g. ``bom=True`` for CSV)."""
    try:
        writer_class = WRITERS[key]
    except KeyError:
        raise UnknownFormatError(
            f"unknown export format {key!r}; choose one of {', '.join(WRITERS)}"
        ) from None
    writer: Writer = writer_class(**options)
    return writer


for _writer in (CsvWriter, XlsxWriter, JsonLinesWriter):
    register(_writer)
