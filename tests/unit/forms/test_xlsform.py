"""XLSForm import: the Thai test workbook round-trips, and every construct the importer
cannot map is reported with its sheet and row."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from forms.compiler import compile_text
from forms.errors import ProblemCode
from forms.inheritance import resolve
from forms.mwc import load_taxonomy
from forms.sheet_problems import SheetCode
from forms.shipped import shipped_sources
from forms.xlsform import import_xlsform, language_tag

WORKBOOK = Path(__file__).resolve().parents[2] / "data" / "th-xlsform.xlsx"
EN, TH = "label::English (en)", "label::Thai (th)"


def base_ids() -> dict[str, str]:
    merged, _ = resolve("mwc-base", shipped_sources())
    ids = {s["id"]: "section" for s in merged["sections"]}
    ids.update({f["id"]: "field" for s in merged["sections"] for f in s["fields"]})
    return ids


def run(data: bytes, country: str | None = None):
    return import_xlsform(data, taxonomy=load_taxonomy(), parent_ids=base_ids(),
                          country=country)


def workbook(survey, choices=(), settings=(("form_id", "country"), ("zz-intake", "TH"))):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if rows:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEAD = ("type", "name", EN, TH, "required", "relevant", "mwc")
GROUP = ("begin group", "g", "Group", "กลุ่ม")
YES_NO = [("list_name", "name", EN, TH), ("yn", "yes", "Yes", "ใช่"), ("yn", "no", "No", "ไม่")]
YES_NO_MWC = [(*YES_NO[0], "mwc"), *YES_NO[1:], ("yn", "maybe", "M", "M", "5")]


def test_thai_workbook__becomes_a_country_form_extending_the_base():
    result = run(WORKBOOK.read_bytes())
    assert result.ok and result.form_id == "th-intake"
    assert all(not p.fatal for p in result.problems)
    assert {(p.code, p.row) for p in result.problems} == {
        (SheetCode.UNSUPPORTED_TYPE, 2), (SheetCode.UNSUPPORTED_TYPE, 3),
        (SheetCode.UNSUPPORTED_TYPE, 5), (SheetCode.UNSUPPORTED_COLUMN, 8)}
    compiled = compile_text(result.text, "th-intake.yaml", shipped_sources())
    codes = {p.code for p in compiled.problems}
    assert codes == {ProblemCode.MISSING_INHERITED_TRANSLATIONS}  # fixed with a sheet


def test_thai_workbook__types_conditions_choices_and_mwc_mapped():
    from forms.loader import parse_definition

    data = parse_definition(run(WORKBOOK.read_bytes()).text, "x").data
    assert (data["extends"], data["country"], data["languages"]) == ("mwc-base", "TH",
                                                                     ["en", "th"])
    papers, work = data["sections"]
    fields = {f["id"]: f for f in papers["fields"]}
    assert {k: f["type"] for k, f in fields.items()} == {
        "th_route": "choice", "th_problems": "multichoice", "th_fee_months": "integer",
        "th_detained_on": "date", "th_agency_name": "text", "th_document_photo": "file"}
    assert fields["th_route"]["required"] is True
    assert fields["th_fee_months"]["show_if"] == {"field": "th_problems", "equals": "fees"}
    assert fields["th_agency_name"]["show_if"] == {"field": "th_route",
                                                   "in": ["mou", "border_pass"]}
    idc = next(c for c in fields["th_problems"]["choices"] if c["value"] == "idc")
    assert idc["mwc"] == [16, 17, 22] and idc["label"]["th"].startswith("ถูกกักตัว")
    assert papers["title"] == {"en": "Your papers and work in Thailand",
                               "th": "เอกสารและการทำงานของคุณในประเทศไทย"}
    assert work == {"id": "work", "fields": [work["fields"][0]]}  # added to the base section


@pytest.mark.parametrize("rows, choices, code, sheet, row", [
    ([GROUP, ("begin repeat", "r", "R", "R")], (), SheetCode.UNSUPPORTED_TYPE, "survey", 3),
    ([GROUP, ("geopoint", "where", "W", "W")], (), SheetCode.UNSUPPORTED_TYPE, "survey", 3),
    ([GROUP, ("select_one yn", "a", "A", "A"), ("text", "b", "B", "B", "", "${a} = 'yes' and "
      "${a} = 'no'")], YES_NO, SheetCode.UNSUPPORTED_RELEVANT, "survey", 4),
    ([GROUP, ("text", "b", "B", "B", "", "string-length(.) > 3")], (),
     SheetCode.UNSUPPORTED_RELEVANT, "survey", 3),
    ([GROUP, ("text", "b", "B", "B", "", "${later} = 'x'")], (), SheetCode.UNKNOWN_QUESTION,
     "survey", 3),
    ([GROUP, ("select_one nolist", "a", "A", "A")], YES_NO, SheetCode.MISSING_LIST, "survey", 3),
    ([GROUP, ("text", "Bad-Name", "A", "A")], (), SheetCode.BAD_NAME, "survey", 3),
    ([GROUP, ("text", "a", "A", "A"), ("text", "a", "B", "B")], (), SheetCode.DUPLICATE_NAME,
     "survey", 4),
    ([GROUP, ("text", "full_name", "A", "A")], (), SheetCode.NAME_TAKEN, "survey", 3),
    ([GROUP, ("text", "a")], (), SheetCode.NO_LABEL, "survey", 3),
    ([GROUP, ("text", "a", "A", "A", "maybe")], (), SheetCode.BAD_REQUIRED, "survey", 3),
    ([GROUP, ("text", "a", "A", "A", "", "", "99")], (), SheetCode.BAD_MWC, "survey", 3),
    ([GROUP, ("select_one yn", "a", "A", "A")], YES_NO_MWC,
     SheetCode.BAD_MWC, "choices", 4),
    ([GROUP, GROUP], (), SheetCode.NESTED_GROUP, "survey", 3),
    ([GROUP, ("text", "a", "A", "A")], (), SheetCode.UNCLOSED_GROUP, "survey", 2),
    ([("end group",), ("text", "a", "A", "A")], (), SheetCode.UNOPENED_GROUP, "survey", 2),
])
def test_each_fatal_construct__reported_by_sheet_and_row_and_nothing_produced(
        rows, choices, code, sheet, row):
    survey = [HEAD, *rows]
    if code is not SheetCode.UNCLOSED_GROUP and rows[0] == GROUP:
        survey.append(("end group",))
    result = run(workbook(survey, choices))
    assert not result.ok and result.text is None
    fatal = [(p.code, p.sheet, p.row) for p in result.problems if p.fatal]
    assert (code, sheet, row) in fatal, result.problems


def test_every_problem_reported_at_once():
    survey = [HEAD, GROUP, ("calculate", "c"), ("range", "r", "R", "R"),
              ("text", "Bad", "B", "B"), ("text", "x", "X", "X", "", "", "1000"), ("end group",)]
    result = run(workbook(survey))
    assert [(p.code, p.row, p.fatal) for p in result.problems] == [
        (SheetCode.UNSUPPORTED_TYPE, 3, False), (SheetCode.UNSUPPORTED_TYPE, 4, True),
        (SheetCode.BAD_NAME, 5, True), (SheetCode.BAD_MWC, 6, True)]
    assert result.problems[1].message.startswith("survey, row 4: ")


def test_settings__country_required_from_the_sheet_or_the_caller():
    survey = [HEAD, GROUP, ("text", "a", "A", "A"), ("end group",)]
    result = run(workbook(survey, settings=[("form_id",), ("zz-intake",)]))
    assert [(p.code, p.sheet) for p in result.problems] == [(SheetCode.BAD_SETTING, "settings")]
    assert run(workbook(survey, settings=[("form_id",), ("zz-intake",)]), country="th").ok


def test_not_a_workbook__unreadable():
    result = run(b"plain text, not a workbook")
    assert [p.code for p in result.problems] == [SheetCode.UNREADABLE_XLSFORM]


@pytest.mark.parametrize("column, tag", [("English (en)", "en"), ("km", "km"),
                                         ("Chinese (zh-Hans)", "zh-Hans"), ("Khmer", None)])
def test_language_columns__tag_read_from_the_name(column, tag):
    assert language_tag(column) == tag


def test_questions_outside_groups__a_section_titled_like_the_form_and_aliases_read():
    from forms.loader import parse_definition

    settings = [("form_id", "country", "form_title::English (en)", "form_title::Thai (th)"),
                ("zz-intake", "TH", "Zed", "เซด")]
    survey = [HEAD, ("select one yn", "a", "A", "ก")]
    result = run(workbook(survey, YES_NO, settings))
    assert result.ok, result.problems
    [section] = parse_definition(result.text, "x").data["sections"]
    assert section["title"] == {"en": "Zed", "th": "เซด"}
    assert section["fields"][0]["type"] == "choice"
