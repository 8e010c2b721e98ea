"""XLSX rows written as text are the bytes openpyxl itself writes for them.

`exports.writers.workbook` writes common rows straight into the sheet's stream
instead of through openpyxl's per-cell elements. These tests write the same rows
both ways (openpyxl's own path is what the writer uses when lxml drives openpyxl)
and compare every part of the two workbooks, so a change in openpyxl's output shows
here first.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import io
import zipfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.tabular import Column, Table, TaggedRow
from exports.writers import XlsxWriter, workbook


class Kind(enum.StrEnum):
    A = "plain enum text"


class Count(enum.IntEnum):
    TWO = 2


TABLE = Table("cases", (Column("a", "Reference"), Column("b", " padded header "),
                        Column("c", "=header & <more>")))
TRICKY: list[Any] = [
    "", " ", "  a", "a  ", " a ", "a b", "\ta", "a\n", "x & y <z> \"q\" 'r'", "=1+1", "=",
    "'=already", "+60 12-345 6789", "-5", "@user", "#N/A", "#REF!", "#DIV/0!", "#name?",
    "中文 عربي 🙂 Ω", "line\r\nbreak", "control\x01char\x1f", "\x00=hidden formula",
    "y" * 40_000, 0, -5, 7, 2**53 + 1, 12345678901234567890, 1.5, -0.0, 1e-300, 1e20,
    0.1 + 0.2, float("nan"), float("inf"), True, False, None,
    datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1, 9, 30), decimal.Decimal("1.10"),
    Kind.A, Count.TWO, ["a", "list"],
]


def workbook_parts(rows: list[TaggedRow], *, text_rows: bool, max_rows: int = 1_048_576,
                   monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    with monkeypatch.context() as patch:
        patch.setattr(workbook.openpyxl, "LXML", not text_rows)  # LXML: openpyxl's own path
        out = io.BytesIO()
        XlsxWriter(max_sheet_rows=max_rows).write(rows, [TABLE], out,
                                                  notes=lambda: ["a note & more"])
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as files:
        return {name: files.read(name) for name in files.namelist()
                if name != "docProps/core.xml"}  # holds the time of writing


def assert_same(rows: list[TaggedRow], monkeypatch: pytest.MonkeyPatch, **options: Any) -> None:
    ours = workbook_parts(rows, text_rows=True, monkeypatch=monkeypatch, **options)
    theirs = workbook_parts(rows, text_rows=False, monkeypatch=monkeypatch, **options)
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_tricky_values__same_bytes_as_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[TaggedRow] = [("cases", {"a": v, "b": v, "c": None}) for v in TRICKY]
    rows.append(("cases", {}))  # a row with nothing in it
    assert_same(rows, monkeypatch)


def test_sheet_continued__same_bytes_as_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[TaggedRow] = [("cases", {"a": f"row {i}", "b": i, "c": i % 2 == 0})
                             for i in range(7)]
    assert_same(rows, monkeypatch, max_rows=3)


def test_text_path__taken_for_common_rows() -> None:
    letters = ("A", "B", "C")
    assert workbook._row_xml(["a & b", 3, True], 2, letters) == (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a &amp; b</t></is></c>'
        '<c r="B2" t="n"><v>3</v></c><c r="C2" t="b"><v>1</v></c></row>')
    for declined in ("=SUM(A1)", "#N/A", float("nan"), Kind.A, decimal.Decimal(1)):
        assert workbook._row_xml([declined], 2, letters) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none()),
                min_size=1, max_size=6))
def test_any_values__same_bytes_as_openpyxl(values: list[Any]) -> None:
    rows: list[TaggedRow] = [("cases", {"a": v, "b": str(v), "c": v}) for v in values]
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same(rows, monkeypatch)
