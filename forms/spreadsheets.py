"""One reader for every spreadsheet a member uploads: CSV or XLSX, as plain rows.

Translation sheets (`forms.sheet_files`), licensed-agency lists
(`workflows.registry.licence_lists`) and case-file imports (`workflows.case_import`)
all read their upload here, so each gets the same rules:

- XLSX when the bytes start as a ZIP archive does (a workbook is one), whatever the
  name says; CSV otherwise, in UTF-8 (a byte-order mark is dropped), its delimiter
  sniffed among comma, semicolon and tab (spreadsheet programs in many locales save
  with semicolons);
- rows are numbered as the spreadsheet program shows them: the first row is 1;
- at most `max_rows` rows and `max_bytes` bytes are read; more is an error, never a
  silent cut;
- a file that cannot be read raises `UnreadableSheet` with a code (`unreadable_csv`,
  `unreadable_xlsx`, `too_large`, `too_many_rows`, `empty`); the reader's own words go
  in `detail`, for the logs only (they are English and name formats we do not take).

Pure: bytes in, lists of cell values out. Cells keep the types openpyxl gives
(numbers, dates, booleans); CSV cells are text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

ZIP_MAGIC = b"PK\x03\x04"
#: Rows read from an upload unless the caller says otherwise.
MAX_ROWS = 100_000
#: Bytes of an upload unless the caller says otherwise.
MAX_BYTES = 20 * 1024 * 1024
#: What is sniffed of a CSV text to find its delimiter.
SNIFF_CHARS = 8192

UNREADABLE_CSV = "unreadable_csv"
UNREADABLE_XLSX = "unreadable_xlsx"
TOO_LARGE = "too_large"
TOO_MANY_ROWS = "too_many_rows"
EMPTY = "empty"


class UnreadableSheet(ValueError):
    """Why an upload gives no rows: `code` picks the sentence shown; `detail` is for logs."""

    def __init__(self, code: str, detail: str = "", **params: Any) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail[:200]
        self.params = params


@dataclass(frozen=True)
class Table:
    """The rows of a sheet, the header (row 1) first; `number(i)` is row i's number."""

    rows: list[list[Any]]
    kind: str  # "csv" | "xlsx"

    @property
    def header(self) -> list[Any]:
        return self.rows[0] if self.rows else []

    def body(self) -> list[tuple[int, list[Any]]]:
        """Each row after the header with its number as the spreadsheet shows it."""
        return [(number, row) for number, row in enumerate(self.rows[1:], start=2)]


def is_xlsx(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def read_table(data: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES,
               sheet: str | None = None, max_col: int | None = None,
               kind: str | None = None) -> Table:
    """The rows of an uploaded sheet (header included), or `UnreadableSheet`.

    `kind` forces "csv" or "xlsx"; by default the content decides. `sheet` names the
    workbook sheet to read (the first one when it is absent). More than `max_rows`
    rows raises `too_many_rows`.
    """
    if len(data) > max_bytes:
        raise UnreadableSheet(TOO_LARGE, max=max_bytes)
    kind = kind or ("xlsx" if is_xlsx(data) else "csv")
    rows = _xlsx_rows(data, max_rows + 1, sheet, max_col) if kind == "xlsx" \
        else _csv_rows(data, max_rows + 1)
    if len(rows) > max_rows:
        raise UnreadableSheet(TOO_MANY_ROWS, max=max_rows)
    return Table(rows, kind)


def cell_text(value: Any) -> str:
    """A cell as one line of text; a whole number typed into a number cell loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def write_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel reads it as UTF-8."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_rows(data: bytes, limit: int) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableSheet(UNREADABLE_CSV, str(exc)) from None
    if "\0" in text:
        raise UnreadableSheet(UNREADABLE_CSV, "NUL in text")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text), dialect)
        return [row for _, row in zip(range(limit), reader)]
    except csv.Error as exc:
        raise UnreadableSheet(UNREADABLE_CSV, str(exc)) from None


def _xlsx_rows(data: bytes, limit: int, sheet: str | None,
               max_col: int | None) -> list[list[Any]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            TypeError) as exc:
        raise UnreadableSheet(UNREADABLE_XLSX, str(exc) or type(exc).__name__) from None
    try:
        if not book.worksheets:
            raise UnreadableSheet(EMPTY)
        chosen = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
        return [list(row) for row in chosen.iter_rows(max_row=limit, max_col=max_col,
                                                      values_only=True)]
    except (KeyError, OSError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise UnreadableSheet(UNREADABLE_XLSX, str(exc) or type(exc).__name__) from None
    finally:
        book.close()
