"""Translation sheets as files: XLSX for spreadsheet programs, CSV for everything else.

Rows in and out are plain lists of cells, the header first, so the sheet logic
(`forms.translation_sheet`) never sees a file format.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, Protection

from forms.sheet_problems import WHOLE_FILE, SheetCode, SheetProblem
from forms.spreadsheets import UnreadableSheet, read_table, write_csv
from forms.translation_sheet import SHEET, TextRow, header

FORMATS = ("xlsx", "csv")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: The most rows read from an uploaded sheet; the base form has about 400 texts.
MAX_ROWS = 20_000


def write_sheet(rows: Sequence[TextRow], source: str, lang: str, fmt: str) -> bytes:
    """The sheet as file bytes: the header, then one row per text."""
    table = [header(source, lang)] + [[r.key, r.context, r.source, r.translation] for r in rows]
    if fmt == "csv":
        return write_csv(table)
    return _xlsx(table)


def _xlsx(table: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for row in table:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCD", (34, 26, 60, 60), strict=True):
        sheet.column_dimensions[column].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
        row[3].protection = Protection(locked=False)
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_sheet(data: bytes, fmt: str) -> tuple[list[list[Any]], list[SheetProblem]]:
    """The rows of an uploaded sheet, or a problem saying why it cannot be read."""
    try:
        table = read_table(data, kind=fmt, max_rows=MAX_ROWS, sheet=SHEET, max_col=4)
    except UnreadableSheet as exc:
        code = SheetCode.UNREADABLE_CSV if fmt == "csv" else SheetCode.UNREADABLE_XLSX
        return [], [_unreadable(code, exc)]
    return table.rows, []


def guess_format(filename: str) -> str:
    return "csv" if filename.lower().endswith((".csv", ".txt")) else "xlsx"


def _unreadable(code: SheetCode, exc: UnreadableSheet) -> SheetProblem:
    """The reader's own words stay in `detail`, for the logs: they are English, and name
    formats the upload does not take, so pages and the command line never show them."""
    return SheetProblem(code, WHOLE_FILE, None, {"detail": exc.detail or exc.code})
