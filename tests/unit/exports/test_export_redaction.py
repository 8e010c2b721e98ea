"""Redaction: levels by role, pseudonyms, removed fields and values masked in free text."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import openpyxl
import pytest
from export_factories import make_case, shipped

from exports.columns import build_layout, export_rows
from exports.redaction import (
    Level,
    LevelNotAllowed,
    RedactionError,
    Redactor,
    allowed_levels,
    check_level,
    suggested_redaction,
)
from exports.writers import get_writer

FULL_ROLES = {"coordinator", "reviewer"}

PLANTED = {
    "full_name": "Siti Aminah binti Rahman",
    "given_name": "Siti",
    "family_name": "Rahman",
    "phone": "+60 12-345 6789",
    "email": "siti.aminah88@example.org",
    "passport_number": "A12345678",
    "city_area": "Taman Kenanga, Johor Bahru",
    "safe_contact": "Only on Sundays via my cousin Nurul",
    "employer_name": "Tan Mei Ling",
}
NARRATIVE = (
    "My name is SITI AMINAH. Madam Tan Mei Ling took my passport a12345678 and "
    "kept it. She said Siti must not call 012-345 6789 or write to siti.aminah88. "
    "Rahman, my brother, lives in Johor Bahru near Taman Kenanga. Ask only "
    "on Sundays via my cousin Nurul."
)


def planted_case(**answers: Any) -> dict[str, Any]:
    return make_case("my-intake", {
        **PLANTED, "destination_country": "MY", "narrative": NARRATIVE,
        "acts": ["documents_taken", "unpaid_wages"], "agency_name": "Maju Jaya Agency",
        "gender": "woman", "age_band": "30-34", "immigration_status": "undocumented",
        "consent_case_work": True, "consent_statistics": True, **answers,
    }, case_id="c_planted", reference="MY-2026-000042")


def exported_parts(level: str, fmt: str, cases: list[dict[str, Any]]) -> dict[str, str]:
    """Every sheet or file of an export, each as one text to search."""
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, "en", level)
    out = io.BytesIO()
    get_writer(fmt).write(export_rows(cases, layout, Redactor(level)), layout.tables, out)
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
        return {s.title: json.dumps(list(s.values), ensure_ascii=False, default=str)
                for s in book.worksheets}
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as files:
        return {n.split(".")[0]: files.read(n).decode("utf-8-sig") for n in files.namelist()}


def exported_text(level: str, fmt: str) -> str:
    """Everything an export file holds about its cases, as one text to search.

    The codebook is left out: its words ("sensitive") can contain a planted name
    ("Siti"), and `test_codebook__holds_nothing_from_the_cases` shows it is made from
    the form alone.
    """
    parts = exported_parts(level, fmt, [planted_case()])
    return "".join(text for name, text in parts.items() if name != "codebook")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
@pytest.mark.parametrize("level", ["full", "pseudonymised"])
def test_codebook__holds_nothing_from_the_cases(fmt: str, level: str) -> None:
    with_case = exported_parts(level, fmt, [planted_case()])["codebook"]
    assert with_case == exported_parts(level, fmt, [])["codebook"]
    assert "Gender (code)" in with_case


# --- levels by role ----------------------------------------------------------------


@pytest.mark.parametrize(("roles", "expected"), [
    ({"mission"}, {"pseudonymised", "aggregate"}),
    ({"member"}, {"pseudonymised", "aggregate"}),
    ({"coordinator"}, {"full", "pseudonymised", "aggregate"}),
    ({"reviewer", "mission"}, {"full", "pseudonymised", "aggregate"}),
    ({"reporter"}, set()),
    ({"admin"}, set()),
    (set(), set()),
])
def test_allowed_levels__by_role(roles: set[str], expected: set[str]) -> None:
    assert allowed_levels(roles, FULL_ROLES) == expected


def test_allowed_levels__mission_never_full__even_when_configured() -> None:
    assert Level.FULL not in allowed_levels({"mission"}, {"mission", "coordinator"})
    with pytest.raises(LevelNotAllowed, match="aggregate, pseudonymised"):
        check_level("full", {"mission"}, {"mission"})


def test_allowed_levels__only_configured_roles_get_full() -> None:
    assert Level.FULL not in allowed_levels({"coordinator"}, set())
    assert check_level("full", {"coordinator"}, {"coordinator"}) is Level.FULL


def test_allowed_levels__role_string__refused() -> None:
    with pytest.raises(TypeError):
        allowed_levels("coordinator", FULL_ROLES)


def test_check_level__unknown_level__not_allowed() -> None:
    with pytest.raises(LevelNotAllowed):
        check_level("everything", {"coordinator"}, FULL_ROLES)


# --- pseudonyms --------------------------------------------------------------------


def test_pseudonym__stable_within_an_export__different_between_exports() -> None:
    first, second = Redactor("pseudonymised"), Redactor("pseudonymised")
    assert first.pseudonym("c_1") == first.pseudonym("c_1")
    assert first.pseudonym("c_1") != first.pseudonym("c_2")
    assert first.pseudonym("c_1") != second.pseudonym("c_1")
    assert Redactor("pseudonymised", salt=b"s").pseudonym("c_1") == Redactor(
        "pseudonymised", salt=b"s").pseudonym("c_1")


def test_pseudonym__same_in_both_tables_of_one_export() -> None:
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, "en", "pseudonymised")
    rows = [row for row in export_rows([planted_case()], layout, Redactor("pseudonymised"))
            if row[0] != "codebook"]
    assert len({values["pseudonym"] for _, values in rows}) == 1
    assert all(values.get("reference") is None for _, values in rows)


# --- removed fields ----------------------------------------------------------------


def test_pseudonymised__removes_sensitive_and_personal_answers() -> None:
    shown = Redactor("pseudonymised").redact(planted_case(), shipped("my-intake"))
    for field_id in PLANTED:
        assert field_id not in shown["answers"]
    for field_id in ("gender", "age_band", "immigration_status"):  # sensitive choices
        assert field_id not in shown["answers"]
    assert shown["answers"]["agency_name"] == "Maju Jaya Agency"
    assert "reference" not in shown and shown["created_at"].isoformat() == "2026-03-01"
    assert set(shown) >= {"dimensions", "mwc", "pseudonym"}
    assert "reporter" not in shown and "events" not in shown and "sensitive" not in shown


MASKED = ("My name is [name]. Madam [name] took my passport [document] and "
          "kept it. She said [name] must not call [contact] or write to [contact]. "
          "[name], my brother, lives in [location] near [location]. Ask [contact].")


def approved(case: dict[str, Any], text: str) -> dict[str, Any]:
    """The case once a reviewer approved `text` as its narrative."""
    return {**case, "approved_texts": {"narrative": {"text": text, "by": "u_reviewer"}}}


def test_suggested_redaction__the_removed_values_masked_in_the_narrative() -> None:
    assert suggested_redaction(shipped("my-intake"), planted_case()) == {"narrative": MASKED}


def test_pseudonymised__narrative_leaves_only_as_approved_and_masked_again() -> None:
    redactor = Redactor("pseudonymised")
    edited = MASKED.replace("my brother", "a relative")
    shown = redactor.redact(approved(planted_case(), edited), shipped("my-intake"))
    assert shown["answers"]["narrative"] == edited
    careless = redactor.redact(approved(planted_case(), NARRATIVE), shipped("my-intake"))
    assert careless["answers"]["narrative"] == MASKED  # what masking finds, it still masks
    assert redactor.withheld == 0


def test_pseudonymised__unapproved_narrative_withheld_and_counted() -> None:
    redactor = Redactor("pseudonymised")
    shown = redactor.redact(planted_case(), shipped("my-intake"))
    assert "narrative" not in shown["answers"] and redactor.withheld == 1
    assert shown["answers"]["agency_name"] == "Maju Jaya Agency"  # short free text stays
    full = Redactor("full").redact(planted_case(), shipped("my-intake"))
    assert full["answers"]["narrative"] == NARRATIVE


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_pseudonymised_export__holds_no_planted_value(fmt: str) -> None:
    text = exported_text("pseudonymised", fmt).casefold()
    for value in [*PLANTED.values(), "Aminah", "Kenanga", "Nurul", "Mei Ling",
                  "0123456789", "345 6789", "MY-2026-000042"]:
        assert value.casefold() not in text, value
    assert "maju jaya agency" in text  # what is not personal stays


def test_full_export__keeps_everything_for_authorised_roles() -> None:
    text = exported_text("full", "csv")
    for value in PLANTED.values():
        assert value in text
    assert "MY-2026-000042" in text


def test_full__sensitive_answers_not_opened__refused() -> None:
    case = planted_case()
    del case["sensitive_answers"]
    for level in ("full", "pseudonymised"):
        with pytest.raises(RedactionError, match="open its sensitive answers"):
            Redactor(level).redact(case, shipped("my-intake"))


def test_aggregate__gives_no_rows() -> None:
    with pytest.raises(RedactionError, match="indicator tables only"):
        Redactor("aggregate")
    with pytest.raises(RedactionError, match="indicator tables only"):
        build_layout({("my-intake", 1): shipped("my-intake")}, "en", "aggregate")


def test_pseudonymised__removed_choice_values_not_masked_in_text() -> None:
    """Gender is removed as an answer, but the word "woman" in a story is not a secret."""
    case = approved(planted_case(), "The woman was kept indoors.")
    shown = Redactor("pseudonymised").redact(case, shipped("my-intake"))
    assert shown["answers"]["narrative"] == "The woman was kept indoors."
