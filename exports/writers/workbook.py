"""XLSX through openpyxl's write-only mode: one sheet per table, constant memory.

Write-only worksheets stream their rows to temporary files and openpyxl 3.1
writes text as inline strings, so memory stays flat however many cases. The
sheets of one workbook can be appended to in turn, which lets cases and
violations come from one pass over the cursor.

openpyxl serialises the sheets with lxml when it is installed (a dependency for
that reason): lxml's incremental writer is the faster of openpyxl's two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from exports.tabular import Table, TaggedRow
from exports.writers.base import (
    Notes,
    Scalar,
    WriteResult,
    collect_notes,
    neutralise,
    plain,
    stream_rows,
    table_index,
)

MAX_SHEET_ROWS = 1_048_576  # Excel's limit, header included
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in one cell
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_FONT = Font(bold=True)


def cell_value(value: Any) -> Scalar:
    """Clean text of characters XML cannot hold, cut it to Excel's limit, then neutralise.

    Cleaning comes first so that removing a control character can never leave a
    formula at the start of the text.
    """
    kind = type(value)  # the common exact types first: this runs for every cell
    if kind is str:
        if value.isprintable() and len(value) < MAX_CELL_TEXT:
            return neutralise(value)  # no control character to clean, nothing to cut
    elif value is None or kind is int or kind is float or kind is bool:
        return value
    scalar = plain(value)
    if not isinstance(scalar, str):
        return scalar
    text: str = ILLEGAL_CHARACTERS_RE.sub("", scalar)[:MAX_CELL_TEXT]
    return neutralise(text)[:MAX_CELL_TEXT]


class XlsxWriter:
    format = "xlsx"

    def __init__(self, *, max_sheet_rows: int = MAX_SHEET_ROWS) -> None:
        if max_sheet_rows < 2:
            raise ValueError("a sheet needs room for its header and one row")
        self.max_sheet_rows = max_sheet_rows

    def media_type(self, tables: Sequence[Table]) -> str:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def suffix(self, tables: Sequence[Table]) -> str:
        return ".xlsx"

    def write(self, rows: Iterable[TaggedRow], headers: Sequence[Table], out: IO[bytes], *,
              notes: Notes | None = None) -> WriteResult:
        """Write every table as a sheet, and the notes on a last sheet when there are any."""
        table_index(headers)
        book = Workbook(write_only=True)
        sheets = {t.name: _Sheet(book, t, self.max_sheet_rows) for t in headers}
        try:
            counts = stream_rows(rows, sheets)
        except BaseException:
            _discard(book)
            raise
        written = collect_notes(notes)
        if written:
            notes_sheet = book.create_sheet(title="notes")
            for line in written:
                notes_sheet.append([cell_value(line)])
        book.save(out)
        return WriteResult(counts, written)


def _discard(book: Workbook) -> None:
    """Finish and delete the temporary files of a workbook that will not be saved.

    Left alone, they would stay on disk until the worker exits and their writers
    would fail noisily when garbage-collected.
    """
    for sheet in book.worksheets:
        if not sheet.closed:
            sheet.close()
        writer = getattr(sheet, "_writer", None)  # where openpyxl keeps the sheet's temp file
        if writer is not None:
            writer.cleanup()


class _Sheet:
    """One table's sheet, continued on a further sheet past Excel's row limit."""

    def __init__(self, book: Workbook, table: Table, max_rows: int) -> None:
        self._book = book
        self._max_rows = max_rows
        self._table = table
        self._part = 0
        self._keys = table.keys
        self._sheet = self._start()

    def _start(self) -> WriteOnlyWorksheet:
        self._part += 1
        name = _SHEET_NAME_FORBIDDEN.sub("_", self._table.name)[:24] or "sheet"
        sheet = self._book.create_sheet(title=name if self._part == 1 else f"{name} ({self._part})")
        header = []
        for label in self._table.labels:
            cell = WriteOnlyCell(sheet, value=cell_value(label))
            cell.font = _HEADER_FONT
            header.append(cell)
        sheet.append(header)
        self._rows = 1
        return sheet

    def row(self, values: Mapping[str, Any]) -> None:
        if self._rows >= self._max_rows:
            self._sheet = self._start()
        self._sheet.append(list(map(cell_value, map(values.get, self._keys))))
        self._rows += 1

