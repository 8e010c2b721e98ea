"""The shared spreadsheet reader: CSV with a sniffed delimiter, XLSX, limits, error codes."""

from __future__ import annotations

import datetime

import pytest

from forms.spreadsheets import UnreadableSheet, cell_text, read_table
from tests.helpers import xlsx_bytes


def test_csv_with_semicolons_and_a_byte_order_mark_reads_as_columns():
    table = read_table("\ufeffname;age\nAyu;31\n".encode())
    assert table.kind == "csv"
    assert table.header == ["name", "age"]
    assert table.body() == [(2, ["Ayu", "31"])]


def test_xlsx_is_recognised_by_its_content_and_keeps_cell_types():
    table = read_table(xlsx_bytes([["when", "n"], [datetime.date(2026, 3, 1), 4]]))
    assert table.kind == "xlsx"
    number, row = table.body()[0]
    assert number == 2 and row[1] == 4 and row[0].year == 2026


@pytest.mark.parametrize(("data", "code"), [
    (b"\xff\xfe\x00bad", "unreadable_csv"),
    (b"PK\x03\x04 not really a workbook", "unreadable_xlsx"),
    (b"a\n" * 5, "too_many_rows"),
    (b"x" * 50, "too_large"),
])
def test_unreadable_uploads_raise_a_code(data, code):
    with pytest.raises(UnreadableSheet) as caught:
        read_table(data, max_rows=3, max_bytes=40 if code == "too_large" else 10_000)
    assert caught.value.code == code


def test_cell_text_drops_the_point_zero_of_whole_numbers():
    assert cell_text(12.0) == "12" and cell_text(None) == "" and cell_text(" a  b ") == "a b"
