"""Reading a published licensed-agency list: rows as plain records, every problem by
row and column, and nothing at all from a list with a problem."""

from __future__ import annotations

import pytest

from tests.helpers import xlsx_bytes
from workflows.registry.licence_lists import ListProblem, read_list
from workflows.registry.licences import licence_key, normalise_licence

COLUMNS = {"name": "Nama Perusahaan", "licence": "No. Izin", "address": "Alamat",
           "status": "Status"}
WORDS = {"Aktif": "licensed", "Dicabut": "revoked"}
HEADER = "No,Nama Perusahaan,No. Izin,Alamat,Status\n"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode("utf-8")


def test_csv__rows_with_our_statuses_and_spreadsheet_row_numbers():
    data = csv_bytes('1,PT Contoh Abadi,KEP.1/2019,"Jl. Raya 1, Jakarta",Aktif',
                     "2,PT Contoh Jaya,KEP.2/2019,,Dicabut")
    reading = read_list(data, "p3mi.csv", COLUMNS, WORDS)
    assert reading.ok
    assert [(r.row, r.name, r.licence, r.address, r.status) for r in reading.rows] == [
        (2, "PT Contoh Abadi", "KEP.1/2019", "Jl. Raya 1, Jakarta", "licensed"),
        (3, "PT Contoh Jaya", "KEP.2/2019", None, "revoked")]


def test_csv__semicolons_a_byte_order_mark_and_headers_in_another_case():
    data = "\ufeffNAMA PERUSAHAAN;no. izin\nPT Contoh Abadi;KEP.1/2019\n".encode()
    reading = read_list(data, "p3mi.csv", {"name": "Nama Perusahaan", "licence": "No. Izin"})
    assert reading.ok
    assert [(r.name, r.licence, r.status) for r in reading.rows] == [
        ("PT Contoh Abadi", "KEP.1/2019", "licensed")]


def test_xlsx__a_licence_typed_as_a_number_and_blank_lines_skipped():
    data = xlsx_bytes([["Nama Perusahaan", "No. Izin"], ["PT Contoh Abadi", 20200417],
                       [None, None], ["PT Contoh Jaya", 20200418.0]])
    reading = read_list(data, "p3mi.xlsx", {"name": "Nama Perusahaan", "licence": "No. Izin"})
    assert reading.ok
    assert [(r.row, r.licence) for r in reading.rows] == [(2, "20200417"), (4, "20200418")]


def test_every_problem_by_row_and_column__and_no_rows():
    data = csv_bytes("1,PT Contoh Abadi,KEP.1/2019,,Aktif",
                     "2,,KEP.2/2019,,Aktif",
                     "3,PT Contoh Jaya,KEP.3/2019,,Dibekukan",
                     "4,PT Contoh Lagi,kep. 1/2019,,Aktif",
                     "5,PT Contoh Tanpa Izin,,,")
    reading = read_list(data, "p3mi.csv", COLUMNS, WORDS)
    assert reading.rows == []
    assert [(p.row, p.column) for p in reading.problems] == [
        (3, "Nama Perusahaan"), (4, "Status"), (5, "No. Izin"), (6, "No. Izin"), (6, "Status")]
    messages = [str(p) for p in reading.problems]
    assert "row 4, column 'Status': the status 'Dibekukan' is not one the import knows; " \
           "map it with --status-word" in messages
    assert "row 5, column 'No. Izin': licence kep. 1/2019 is already on row 2" in messages


def test_missing_columns__named_with_the_columns_the_list_has():
    reading = read_list(csv_bytes("1,PT Contoh,KEP.1,,Aktif"), "p3mi.csv",
                        {**COLUMNS, "licence": "Nomor Izin", "address": "Kota"}, WORDS)
    assert reading.rows == []
    assert [(p.row, p.column) for p in reading.problems] == [(1, "Nomor Izin"), (1, "Kota")]
    assert "'Nama Perusahaan'" in reading.problems[0].message


@pytest.mark.parametrize("columns, words, expected", [
    ({"name": "Nama Perusahaan"}, {}, "say which column holds the licence"),
    ({**COLUMNS, "phone": "Telepon"}, {}, "'phone' is not something the registry reads"),
    (COLUMNS, {"Dicabut": "cancelled"}, "mapped to 'cancelled', which is not one of"),
])
def test_a_wrong_mapping__refused_before_the_file_is_read(columns, words, expected):
    reading = read_list(b"not even read", "p3mi.csv", columns, words)
    assert reading.rows == [] and any(expected in p.message for p in reading.problems)


@pytest.mark.parametrize("data, expected", [
    (b"", "the list is empty"),
    ("Nama;Izin\nPT Ümit;1\n".encode("utf-16"), "neither an XLSX workbook nor UTF-8 text"),
    (b"PK\x03\x04" + b"\0" * 40, "the workbook cannot be read"),
    (b"Nama,Izin\0\0\0", "neither an XLSX workbook nor UTF-8 text"),
])
def test_an_unreadable_file__one_problem_for_the_whole_list(data, expected):
    reading = read_list(data, "p3mi.csv", {"name": "Nama", "licence": "Izin"})
    assert reading.rows == [] and len(reading.problems) == 1
    assert reading.problems[0].row == 0 and expected in reading.problems[0].message


def test_a_damaged_workbook__one_problem():
    data = xlsx_bytes([["Nama", "Izin"]])[:300]
    reading = read_list(data, "p3mi.xlsx", {"name": "Nama", "licence": "Izin"})
    assert reading.rows == [] and len(reading.problems) == 1


def test_problem_text__whole_list_problems_have_no_place():
    assert str(ListProblem(0, "", "the list is empty")) == "the list is empty"
    assert str(ListProblem(7, "Alamat", "x")) == "row 7, column 'Alamat': x"


@pytest.mark.parametrize("written", ["kep. 123/2019", "KEP.123 / 2019", " KEP.123/2019\t",
                                     "ＫＥＰ.123/2019"])
def test_licence_numbers__case_spaces_and_width_forgotten(written):
    assert normalise_licence(written) == "KEP.123/2019"


def test_licence_numbers__dashes_one_kind_dots_and_zeros_kept():
    assert normalise_licence("POEA\u2013123") == normalise_licence("POEA-123") == "POEA-123"
    assert normalise_licence("0123") != normalise_licence("123")
    assert normalise_licence("1.23") != normalise_licence("123")
    assert licence_key("DoFE", "ab 12") == "DoFE:AB12"
