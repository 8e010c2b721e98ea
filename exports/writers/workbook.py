"""XLSX through openpyxl's write-only mode: one sheet per table, constant memory.

Write-only worksheets stream their rows to temporary files and openpyxl 3.1
writes text as inline strings, so memory stays flat however many cases. The
sheets of one workbook can be appended to in turn, which lets cases and
violations come from one pass over the cursor.

openpyxl builds an XML element for every cell it writes, which made it most of the
cost of an XLSX export. With openpyxl's own serialiser (no lxml), the rows here are
written as text straight into the sheet's stream instead, in exactly the form
openpyxl writes them (`_row_xml`; `tests/unit/exports/test_export_xlsx_rows.py`
holds the two side by side); a row with any value outside the common kinds (text,
whole and finite numbers, booleans, nothing) is still written by openpyxl.
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator, Iterable, Mapping, Sequence
from typing import IO, Any

import openpyxl  # type: ignore[import-untyped]
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
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
        self._letters = tuple(get_column_letter(i) for i in range(1, len(self._keys) + 1))
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
        self._append = sheet.append if openpyxl.LXML else _text_rows(sheet, self._letters).send
        self._append(header)
        self._rows = 1
        return sheet

    def row(self, values: Mapping[str, Any]) -> None:
        if self._rows >= self._max_rows:
            self._sheet = self._start()
        self._append(list(map(cell_value, map(values.get, self._keys))))
        self._rows += 1


def _text_rows(sheet: WriteOnlyWorksheet,
               letters: Sequence[str]) -> Generator[None, list[Any], None]:
    """Take the sheet's rows in place of openpyxl's `WriteOnlyWorksheet._write_rows`.

    The same steps around the rows (the writer's stream, `<sheetData>`, handing the
    stream back when the sheet closes); each row is written as text by `_row_xml`,
    or, when that declines it (a header of styled cells, a value of another kind),
    by openpyxl's own row writer, as `append` would.
    """
    sheet._get_writer()
    rows = _write_rows(sheet, letters)
    next(rows)
    sheet._rows = rows  # closed by sheet.close(), which then writes the sheet's end
    return rows


def _write_rows(sheet: WriteOnlyWorksheet,
                letters: Sequence[str]) -> Generator[None, list[Any], None]:
    writer = sheet._writer
    xf = writer.xf.send(True)
    raw = getattr(xf, "_file", None)  # et_xmlfile's writer: str -> the sheet's stream
    with xf.element("sheetData"):
        row_idx = 1
        try:
            while True:
                values = yield
                text = _row_xml(values, row_idx, letters) if callable(raw) else None
                if text is None:
                    writer.write_row(xf, sheet._values_to_row(values, row_idx), row_idx)
                else:
                    raw(text)
                row_idx += 1
        except GeneratorExit:
            pass
    writer.xf.send(None)


_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def _row_xml(values: Sequence[Any], row_idx: int, letters: Sequence[str]) -> str | None:
    """A row as openpyxl writes it, or None for a row it must write itself.

    Text is an inline string (`xml:space="preserve"` when it has spaces at either end
    around other characters), numbers and booleans are `<v>` values formatted as
    openpyxl's `safe_string` does, and empty cells are left out.
    """
    parts = [f'<row r="{row_idx}">']
    for letter, value in zip(letters, values, strict=False):
        kind = type(value)
        if kind is str:
            if not value:
                parts.append(f'<c r="{letter}{row_idx}" t="inlineStr" />')
                continue
            if (value[0] == "=" and len(value) > 1) or value in ERROR_CODES \
                    or len(value) > MAX_CELL_TEXT:
                return None  # a formula, an error code or text to cut: openpyxl's own way
            text = value
            for char, entity in _ESCAPES:
                if char in text:
                    text = text.replace(char, entity)
            stripped = value.strip()
            space = ' xml:space="preserve"' if stripped and stripped != value else ""
            parts.append(f'<c r="{letter}{row_idx}" t="inlineStr"><is><t{space}>{text}</t>'
                         f'</is></c>')
        elif value is None:
            continue
        elif kind is bool:
            parts.append(f'<c r="{letter}{row_idx}" t="b"><v>{1 if value else 0}</v></c>')
        elif kind is int or (kind is float and math.isfinite(value)):
            number = "%.16g" % value  # noqa: UP031  (openpyxl's safe_string, to the letter)
            parts.append(f'<c r="{letter}{row_idx}" t="n"><v>{number}</v></c>')
        else:
            return None
    if len(values) > len(letters):
        return None
    parts.append("</row>")
    return "".join(parts)
