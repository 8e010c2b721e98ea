"""Exports a researcher can read: unique titles, labels beside codes, and a codebook."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from typing import Any

import openpyxl
import pytest
from export_factories import make_case, shipped

from exports.column_words import ENGLISH, column_words
from exports.columns import build_layout, export_rows
from exports.redaction import Redactor
from exports.writers import get_writer
from forms.shipped import shipped_sources

EVERY_FORM = {(form_id, 1): shipped(form_id) for form_id in shipped_sources()}
LANGUAGES = sorted({lang for d in EVERY_FORM.values() for lang in d.languages})


@pytest.mark.parametrize("level", ["full", "pseudonymised"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_titles__unique_over_every_shipped_form(lang: str, level: str) -> None:
    layout = build_layout(EVERY_FORM, lang, level)
    for table in layout.tables:
        shared = {t: n for t, n in Counter(table.labels).items() if n > 1}
        assert shared == {}, f"{table.name} ({lang}, {level})"


def test_titles__name_section_and_question_and_the_country_where_words_repeat() -> None:
    titles = {c.key: c.label for c in build_layout(EVERY_FORM, "en", "full").cases.columns}
    assert titles["answer.narrative"] == (
        "What happened: Tell us what happened, in your own words")
    assert titles["answer.bd_situation"] == "What happened: Did any of these happen? (BD)"
    assert titles["answer.ph_situation"] == "What happened: Did any of these happen? (PH)"
    assert titles["answer.pregnancy_health"].endswith(": Did any of these happen?")
    assert titles["answer.acts.code"] == titles["answer.acts"] + " (codes)"


def case(**answers: Any) -> dict[str, Any]:
    return make_case("my-intake", {
        "destination_country": "MY", "narrative": "Majikan simpan pasport.",
        "passport_held_by": "employer", "acts": ["unpaid_wages", "documents_taken"],
        "perpetrator_type": ["EMP_IND", "AGENCY_DEST"], "gender": "non_binary",
        "consent_case_work": True, "consent_statistics": True, **answers,
    })


def export(lang: str = "en", level: str = "full") -> dict[str, list[dict[str, Any]]]:
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, lang, level)
    tables: dict[str, list[dict[str, Any]]] = {t.name: [] for t in layout.tables}
    for name, values in export_rows([case()], layout, Redactor(level)):
        tables[name].append(dict(values))
    return tables


@pytest.mark.parametrize(("lang", "gender", "passport"), [
    ("en", "Non-binary", "The employer"), ("ms", "Bukan binari", "Majikan")])
def test_coded_values__label_in_the_language_and_the_code_beside_it(lang, gender, passport):
    [row] = export(lang)["cases"]
    assert (row["dim.gender"], row["dim.gender.code"]) == (gender, "non_binary")
    assert (row["answer.passport_held_by"], row["answer.passport_held_by.code"]) == (
        passport, "employer")
    assert row["dim.perpetrator_type.code"] == "EMP_IND; AGENCY_DEST"
    assert len(row["dim.perpetrator_type"].split("; ")) == 2
    assert row["answer.acts.code"] == "unpaid_wages; documents_taken"
    assert row["dim.destination_country"] == "MY"  # country codes are ISO codes already


def test_coded_values__violations_rows_carry_both_too() -> None:
    violations = export()["violations"]
    assert violations and {(r["dim.gender"], r["dim.gender.code"]) for r in violations} == {
        ("Non-binary", "non_binary")}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_fixed_words__every_language_translates_every_word(lang: str) -> None:
    words = column_words(lang)
    assert set(words) == set(ENGLISH)
    if lang != "en":
        assert words["stage"] != ENGLISH["stage"] and words["question"] != ENGLISH["question"]


def test_codebook__one_row_per_column_with_question_type_codes_and_sensitivity() -> None:
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, "ms", "full")
    book = export("ms")["codebook"]
    assert [(r["table"], r["key"]) for r in book] == [
        (t.name, k) for t in (layout.cases, layout.violations) for k in t.keys]
    rows = {(r["table"], r["key"]): r for r in book}
    gender = rows[("cases", "dim.gender.code")]
    assert gender["column"] == "Gender (kod)" and gender["type"] == "code"
    assert layout.codebook.labels[:4] == ("Jadual", "Lajur", "Kunci", "Soalan")
    assert "non_binary = Bukan binari" in gender["codes"]
    held = rows[("cases", "answer.passport_held_by")]
    assert held["question"] == layout.cases.columns[layout.cases.keys.index(
        "answer.passport_held_by")].label
    assert "employer = Majikan" in held["codes"] and held["forms"] == "MY"
    assert rows[("cases", "answer.passport_number")]["sensitivity"].startswith(
        ("sensitive", "personal"))
    assert rows[("cases", "answer.narrative")]["sensitivity"].startswith("free text")
    assert rows[("cases", "answer.passport_held_by")]["sensitivity"] == "not sensitive"
    assert "withdrawn = Withdrawn" in rows[("cases", "outcome")]["codes"]
    assert rows[("cases", "reference")]["sensitivity"].startswith("identifies")


def written(fmt: str) -> bytes:
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, "en", "pseudonymised")
    out = io.BytesIO()
    get_writer(fmt).write(export_rows([case()], layout, Redactor("pseudonymised")),
                          layout.tables, out)
    return out.getvalue()


def test_codebook__a_sheet_of_the_workbook() -> None:
    book = openpyxl.load_workbook(io.BytesIO(written("xlsx")), read_only=True)
    assert book.sheetnames[:3] == ["cases", "violations", "codebook"]
    header, *rows = list(book["codebook"].values)
    assert header[:4] == ("Table", "Column", "Key", "Question")
    cases_header = next(book["cases"].values)
    assert [r[1] for r in rows if r[0] == "cases"] == list(cases_header)


@pytest.mark.parametrize(("fmt", "name"), [("csv", "codebook.csv"), ("jsonl", "codebook.jsonl")])
def test_codebook__a_file_of_the_zip(fmt: str, name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(written(fmt))) as archive:
        assert name in archive.namelist()
        text = archive.read(name).decode()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert any(r["Key"] == "dim.gender.code" and "non_binary = Non-binary" in
                   r["Allowed codes"] for r in rows)
    else:
        assert '"key":"dim.gender.code"' in text
