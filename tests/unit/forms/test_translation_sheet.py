"""Translation sheets: every text of a form in a language, and filled sheets back into YAML."""

from __future__ import annotations

import pytest

from forms.compiler import compile_text
from forms.errors import ProblemCode
from forms.inheritance import resolve
from forms.loader import parse_definition
from forms.sheet_files import read_sheet, write_sheet
from forms.sheet_problems import SheetCode
from forms.shipped import shipped_sources
from forms.translation_sheet import apply_sheet, header, missing_count, sheet_rows

THAI = """\
# Thailand: a draft. Comments like this one stay when a sheet is imported.
form: th-intake
extends: mwc-base
country: TH
languages: [en, th]
title: {en: "Report a violation in Thailand"}
sections:
  - id: work
    fields:
      - id: th_pass
        type: choice
        label: {en: "Which pass does the person hold?"}   # asked of every worker
        choices:
          - {value: pink_card, label: {en: "Pink card"}}
          - {value: none, label: {en: "None", th: "ไม่มี"}}
"""


def merged_of(text: str):
    sources = {**shipped_sources(), "th-intake": parse_definition(text, "th-intake.yaml")}
    merged, _ = resolve("th-intake", sources)
    return merged


def filled(text: str, fill=lambda row: f"[th] {row.source}"):
    rows = sheet_rows(merged_of(text), "th", "en")
    return [header("en", "th")] + [[r.key, r.context, r.source, r.translation or fill(r)]
                                   for r in rows]


def test_rows__list_own_and_inherited_texts_with_source_and_translation():
    rows = {r.key: r for r in sheet_rows(merged_of(THAI), "th", "en")}
    assert rows["form.title"].source == "Report a violation in Thailand"
    assert rows["field.th_pass.choice.none"].translation == "ไม่มี"
    assert rows["field.passport_held_by.label"].translation == ""  # inherited from mwc-base
    assert rows["field.passport_held_by.choice.employer"].source == "The employer"
    assert "section.consent.title" in rows and "field.mwc_codes.label" in rows
    assert missing_count(merged_of(THAI), "th") == len(rows) - 1


def test_inherited_texts_missing__one_problem_with_the_count_and_the_fix():
    problems = compile_text(THAI, "th-intake.yaml", shipped_sources()).problems
    inherited = [p for p in problems if p.code is ProblemCode.MISSING_INHERITED_TRANSLATIONS]
    assert len(inherited) == 1 and inherited[0].line == 5
    assert inherited[0].params["count"] > 150
    assert "--form th-intake --lang th" in inherited[0].message
    own = [p for p in problems if p.code is ProblemCode.MISSING_TRANSLATION]
    assert {p.line for p in own} == {6, 12, 14}  # title, label, the untranslated choice


def test_import__filled_sheet_makes_the_form_valid_and_keeps_comments():
    result = apply_sheet(THAI, merged_of(THAI), filled(THAI))
    assert result.ok and result.problems == () and result.language == "th"
    assert result.changed == missing_count(merged_of(THAI), "th")
    assert "# Thailand: a draft." in result.text and "# asked of every worker" in result.text
    compiled = compile_text(result.text, "th-intake.yaml", shipped_sources())
    assert compiled.ok, compiled.problems[:3]
    definition = compiled.unwrap()
    assert definition.field("passport_held_by").label["th"].startswith("[th] ")
    assert definition.field("th_pass").choice("pink_card").label == {
        "en": "Pink card", "th": "[th] Pink card"}
    employer = definition.field("passport_held_by").choice("employer")
    assert employer.mwc == (21,) and set(employer.label) == {"en", "th"}
    assert definition.title["th"] == "[th] Report a violation in Thailand"


def test_import__an_inherited_label_becomes_an_override_of_that_language_only():
    rows = [header("en", "th"), ["field.full_name.label", "", "Name", "ชื่อ"]]
    result = apply_sheet(THAI, merged_of(THAI), rows)
    assert result.ok and result.changed == 1
    data = parse_definition(result.text, "x").data
    assert data["override"] == {"full_name": {"label": {"th": "ชื่อ"}}}


def test_import__partial_sheet_counts_rows_left_empty():
    rows = filled(THAI, fill=lambda row: "")
    result = apply_sheet(THAI, merged_of(THAI), rows)
    assert result.ok and result.changed == 0 and result.text == THAI
    assert result.untranslated == missing_count(merged_of(THAI), "th")


@pytest.mark.parametrize("row, code", [
    (["field.nowhere.label", "", "", "x"], SheetCode.UNKNOWN_KEY),
    (["field.th_pass.help", "", "", "x"], SheetCode.NO_SUCH_TEXT),
    (["", "", "", "orphan"], SheetCode.EMPTY_KEY),
    (["field.th_pass.choice.none", "", "None", ""], SheetCode.EMPTY_CELL),
    (["field.th_pass.choice.pink_card", "", "Pink card", "{name} บัตรชมพู"],
     SheetCode.PLACEHOLDERS),
    (["form.title", "", "", "again"], SheetCode.DUPLICATE_KEY),
])
def test_import__each_wrong_row_reported_by_row_and_nothing_written(row, code):
    rows = [r for r in filled(THAI) if r[0] != row[0] or code is SheetCode.DUPLICATE_KEY]
    rows.insert(3, row)
    result = apply_sheet(THAI, merged_of(THAI), rows)
    assert not result.ok and result.text is None
    assert [(p.code, p.sheet, p.row) for p in result.problems] == [(code, "translations", 4)]


def test_import__every_wrong_row_at_once():
    rows = filled(THAI)
    rows[5][0] = "field.nowhere.label"
    rows[9][0] = "term.nothing.label"
    result = apply_sheet(THAI, merged_of(THAI), rows)
    assert [p.row for p in result.problems] == [6, 10]


def test_import__language_not_declared_or_header_changed_refused_at_row_one():
    rows = filled(THAI)
    rows[0] = header("en", "km")
    result = apply_sheet(THAI, merged_of(THAI), rows)
    assert [(p.code, p.row) for p in result.problems] == [(SheetCode.NOT_A_FORM_LANGUAGE, 1)]
    rows[0] = ["id", "text"]
    result = apply_sheet(THAI, merged_of(THAI), rows)
    assert [(p.code, p.row) for p in result.problems] == [(SheetCode.BAD_HEADER, 1)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_files__written_and_read_back_the_same(fmt):
    rows = sheet_rows(merged_of(THAI), "th", "en")
    data = write_sheet(rows, "en", "th", fmt)
    table, problems = read_sheet(data, fmt)
    assert problems == []
    assert [str(c) for c in table[0]] == ["key", "context", "en", "th"]
    assert [(r[0], r[2], r[3] or "") for r in table[1:]] == [
        (r.key, r.source, r.translation) for r in rows]


def test_files__unreadable_upload_is_a_problem_not_an_error():
    _, problems = read_sheet(b"not a zip", "xlsx")
    assert [p.code for p in problems] == [SheetCode.UNREADABLE_XLSX]
    assert problems[0].where == "the file" and "not a zip" not in problems[0].detail
    _, problems = read_sheet(b"\xff\xfe\x00", "csv")
    assert [p.code for p in problems] == [SheetCode.UNREADABLE_CSV]


SABAH = """\
form: sabah-intake
extends: my-intake
country: MY
languages: [en, ms]
"""


def test_import__an_inherited_term_is_copied_whole_into_the_child():
    sources = {**shipped_sources(), "sabah-intake": parse_definition(SABAH, "sabah.yaml")}
    merged, _ = resolve("sabah-intake", sources)
    term = next(r for r in sheet_rows(merged, "ms", "en") if r.key.startswith("term."))
    rows = [header("en", "ms"), [term.key, "", term.source, "Istilah baharu"]]
    result = apply_sheet(SABAH, merged, rows)
    assert result.ok and result.changed == 1
    definition = compile_text(result.text, "sabah.yaml", shipped_sources()).unwrap()
    term_id = term.key.split(".")[1]
    assert definition.term(term_id).label["ms"] == "Istilah baharu"
    assert definition.term(term_id).mwc  # its articles came along
