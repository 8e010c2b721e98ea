"""Columns and rows: cases from different country forms line up in one table."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from export_factories import make_case, shipped

from exports.answer_values import format_answer
from exports.columns import FormNotInLayoutError, build_layout, export_rows
from exports.redaction import RedactionError, Redactor
from exports.writers import get_writer

FORMS = {("my-intake", 1): shipped("my-intake"), ("sg-intake", 2): shipped("sg-intake")}


def my_case(**answers: Any) -> dict[str, Any]:
    """A Malaysian case in local terms: passport kept (passport_retention), levy deducted."""
    return make_case("my-intake", {
        "destination_country": "MY", "narrative": "Majikan simpan pasport.",
        "passport_held_by": "employer", "my_situation": ["levy_deducted"],
        "gender": "woman", "consent_case_work": True, "consent_statistics": True, **answers,
    }, case_id="c_my", reference="MY-2026-000001")


def sg_case(**answers: Any) -> dict[str, Any]:
    """A Singaporean case in local terms: the security bond used to keep the passport."""
    return make_case("sg-intake", {
        "destination_country": "SG", "narrative": "Employer kept passport, citing the bond.",
        "sg_situation": ["bond_used_to_control"], "gender": "man",
        "consent_case_work": True, **answers,
    }, version=2, case_id="c_sg", reference="SG-2026-000001")


def rows_of(level: str = "full", lang: str = "en", cases: list | None = None,
            **options: Any) -> dict[str, list[dict[str, Any]]]:
    layout = build_layout(FORMS, lang, level, **options)
    tables: dict[str, list[dict[str, Any]]] = {"cases": [], "violations": [], "codebook": []}
    for name, values in export_rows(cases or [my_case(), sg_case()], layout, Redactor(level)):
        tables[name].append({k: values.get(k) for k in getattr(layout, name).keys})
    return tables


def test_cross_country__one_table_same_columns() -> None:
    my, sg = rows_of()["cases"]
    assert list(my) == list(sg)
    assert (my["country"], sg["country"]) == ("MY", "SG")
    assert (my["form_id"], my["form_version"], sg["form_version"]) == ("my-intake", 1, 2)


def test_cross_country__different_local_terms__same_mwc_article() -> None:
    my, sg = rows_of()["cases"]
    assert "MWC-21" in my["mwc_codes"].split(";") and "MWC-21" in sg["mwc_codes"].split(";")
    assert my["local_terms"] == "MY:levy; MY:passport_retention"
    assert sg["local_terms"] == "SG:security_bond"
    title = "No confiscation or destruction of identity and work documents"
    assert title in my["mwc_titles"] and title in sg["mwc_titles"]


def test_cross_country__terms_are_own_columns__empty_for_other_countries() -> None:
    my, sg = rows_of()["cases"]
    assert my["term.MY.passport_retention"] is True and my["term.MY.pati"] is False
    assert sg["term.SG.security_bond"] is True and sg["term.SG.mdw"] is False
    assert my["term.SG.security_bond"] is None and sg["term.MY.passport_retention"] is None


def test_term_headers__name_the_country_and_the_mwc_mapping() -> None:
    layout = build_layout(FORMS, "en", "full")
    labels = {c.key: c.label for c in layout.cases.columns}
    assert labels["term.MY.passport_retention"] == (
        "Local term (MY): Holding someone else's passport [MWC-21]")
    assert labels["term.SG.security_bond"].startswith("Local term (SG): Security bond [")
    assert "MWC-11; MWC-21; MWC-39" in labels["term.SG.security_bond"]


def test_form_questions__union__empty_where_a_form_lacks_them() -> None:
    my, sg = rows_of()["cases"]
    assert my["answer.my_situation"] == "The levy was taken from wages"
    assert my["answer.sg_situation"] is None and sg["answer.my_situation"] is None
    assert sg["answer.sg_situation"].startswith("The employer gave the security bond")
    assert my["answer.narrative"] and sg["answer.narrative"]


def test_violations__one_row_per_case_and_article() -> None:
    tables = rows_of()
    by_case: dict[str, list[str]] = {}
    for row in tables["violations"]:
        by_case.setdefault(row["reference"], []).append(row["mwc_code"])
    for case in tables["cases"]:
        assert by_case[case["reference"]] == case["mwc_codes"].split(";")
    assert {r["dim.destination_country"] for r in tables["violations"]} == {"MY", "SG"}


def test_violations__context_articles_are_not_violations() -> None:
    case = my_case()
    case["mwc"] = [1, 21, 21, 36]  # 1 and 36 describe scope, never a violation
    violations = rows_of(cases=[case])["violations"]
    assert [r["mwc_code"] for r in violations] == ["MWC-21"]
    assert violations[0]["mwc_part"] == "III" and violations[0]["documented_only"] is False


def test_headers__in_the_chosen_language() -> None:
    layout = build_layout(FORMS, "ms", "full")
    labels = {c.key: c.label for c in layout.cases.columns}
    assert labels["answer.narrative"] == (
        "Apa yang berlaku: Ceritakan apa yang berlaku dengan kata-kata anda sendiri")
    assert labels["dim.gender"] == "Gender" and labels["dim.destination_country"] == (
        "Negara tempat bekerja")
    assert labels["term.MY.pati"].startswith(
        "Istilah tempatan (MY): PATI (Pendatang Asing Tanpa Izin)")
    assert labels["created_at"] == "Tarikh difailkan" and labels["dim.gender.code"] == (
        "Gender (kod)")


def test_choice_answers__labels_in_the_language_or_codes() -> None:
    assert rows_of(lang="ms")["cases"][0]["answer.passport_held_by"] == "Majikan"
    assert rows_of(choice_labels=False)["cases"][0]["answer.passport_held_by"] == "employer"


def test_common_headers__can_be_translated_by_the_caller() -> None:
    layout = build_layout(FORMS, "ms", "full", labels={"reference": "Rujukan"})
    assert layout.cases.columns[0].label == "Rujukan"


def test_pseudonymised__no_reference_column__no_removed_questions() -> None:
    keys = build_layout(FORMS, "en", "pseudonymised").cases.keys
    assert keys[0] == "pseudonym" and "reference" not in keys
    for removed in ("full_name", "phone", "passport_number", "employer_name", "city_area",
                    "migration_channel", "sexual_violence"):
        assert f"answer.{removed}" not in keys
    assert "answer.narrative" in keys and "dim.gender" in keys


def test_columns__dimension_and_consent_questions_shown_once() -> None:
    keys = build_layout(FORMS, "en", "full").cases.keys
    assert "answer.consent_statistics" not in keys and "consent.statistics" in keys
    assert "answer.destination_country" not in keys and "dim.destination_country" in keys


def test_zero_cases__a_file_with_the_headers() -> None:
    layout = build_layout(FORMS, "en", "pseudonymised")
    out = io.BytesIO()
    get_writer("csv", bom=True).write(export_rows([], layout, Redactor("pseudonymised")),
                                      layout.tables, out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as files:
        text = files.read("cases.csv").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [list(layout.cases.labels)]


def test_rows__streamed__one_case_read_per_case_row() -> None:
    pulled = []

    def cases() -> Iterator[dict[str, Any]]:
        for case in (my_case(), sg_case()):
            pulled.append(case["_id"])
            yield case

    layout = build_layout(FORMS, "en", "full")
    rows = export_rows(cases(), layout, Redactor("full"))
    assert next(rows)[0] == "cases" and pulled == ["c_my"]


def test_case_on_a_form_outside_the_layout__refused() -> None:
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, "en", "full")
    with pytest.raises(FormNotInLayoutError, match="sg-intake:2"):
        list(export_rows([sg_case()], layout, Redactor("full")))


def test_redactor_and_layout__must_agree_on_the_level() -> None:
    layout = build_layout(FORMS, "en", "full")
    with pytest.raises(RedactionError):
        list(export_rows([my_case()], layout, Redactor("pseudonymised")))


@pytest.mark.parametrize(("field_id", "value", "expected"), [
    ("acts", ["documents_taken", "confined"],
     "Passport or work permit taken or kept by someone else; Locked in or not allowed to go out"),
    ("mwc_codes", [25, "MWC-21", 25], "MWC-21; MWC-25"),
    ("ongoing", True, True),
    ("violation_date", "2026-02-14", "2026-02-14"),
    ("acts", [], None),
    ("passport_held_by", "unlisted", "unlisted"),
])
def test_format_answer(field_id: str, value: Any, expected: Any) -> None:
    definition = shipped("my-intake")
    assert format_answer(definition.field(field_id), value, definition, "en") == expected
