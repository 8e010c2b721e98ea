"""What a case derives from its answers: visibility, MWC articles, dimensions, flags, consent."""

from __future__ import annotations

import datetime

import pytest
from formspec import GENDER_FIELD, assert_problems, form

from forms.answers import (
    chosen_terms,
    derive_case_fields,
    derive_consent,
    derive_dimensions,
    derive_flags,
    derive_mwc,
    split_sensitive,
    visible_answers,
    visible_fields,
)
from forms.schema import FormDefinition

MALAYSIA = form(
    GENDER_FIELD + """\
- id: status
  type: choice
  label: {en: Your status}
  choices:
    - {value: plks, label: {en: PLKS holder}}
    - {value: pati, label: {en: PATI}, term: pati}
- {id: passport_kept, type: boolean, label: {en: Employer keeps passport}, mwc: [21]}
- {id: arrested, type: boolean, label: {en: Arrested}, flag: detention,
   show_if: {field: status, equals: pati}, mwc: [16]}
""",
    top="country: MY\nterms:\n  - {id: pati, label: {en: PATI}, mwc: [22]}\n",
)

HONG_KONG = form(
    GENDER_FIELD + """\
- id: problems
  type: multichoice
  label: {en: What happened}
  choices:
    - {value: overstay, label: {en: Overstayer}, term: overstayer}
    - {value: passport, label: {en: Passport kept}, term: retention}
    - {value: other, label: {en: Something else}}
- {id: detained, type: boolean, label: {en: Detained}, flag: detention, mwc: ["MWC-16"]}
""",
    top="country: HK\nterms:\n  - {id: overstayer, label: {en: Overstayer}, mwc: [22]}\n"
    "  - {id: retention, label: {en: Document retention}, mwc: [21]}\n",
)

CHAINED = form("""
- {id: worked, type: boolean, label: {en: Worked}}
- {id: paid, type: boolean, label: {en: Paid}, show_if: {field: worked, equals: true}}
- id: amount
  type: integer
  label: {en: Amount owed}
  show_if: {field: paid, equals: false}
  sensitive: true
- {id: note, type: textarea, label: {en: Note}, personal: name, sensitive: true}
""") + """\
  - id: later
    title: {en: Later}
    show_if: {field: worked, equals: true}
    fields:
      - {id: employer, type: text, label: {en: Employer}, mwc: [25]}
      - {id: share, type: boolean, label: {en: Share}, consent: advocacy}
      - {id: stats, type: boolean, label: {en: Statistics}, consent: statistics}
"""


def _compile(text: str) -> FormDefinition:
    definition = assert_problems(text).definition
    assert definition is not None
    return definition


def test_derive_mwc__two_forms_in_different_local_terms__give_the_same_articles() -> None:
    malaysia, hong_kong = _compile(MALAYSIA), _compile(HONG_KONG)
    my_answers = {"gender": "woman", "status": "pati", "passport_kept": True, "arrested": True}
    hk_answers = {"gender": "woman", "problems": ["overstay", "passport"], "detained": True}
    assert derive_mwc(malaysia, my_answers) == derive_mwc(hong_kong, hk_answers) == [16, 21, 22]
    assert chosen_terms(malaysia, my_answers) == ["pati"]
    assert chosen_terms(hong_kong, hk_answers) == ["overstayer", "retention"]
    assert derive_flags(malaysia, my_answers) == derive_flags(hong_kong, hk_answers)


def test_derive_mwc__hidden_answer__implies_nothing() -> None:
    malaysia = _compile(MALAYSIA)
    answers = {"status": "plks", "arrested": True, "passport_kept": False}
    assert derive_mwc(malaysia, answers) == []
    assert derive_flags(malaysia, answers)["detention"] is False
    assert "arrested" not in visible_answers(malaysia, answers)


def test_derive_mwc__mwc_field__normalises_codes() -> None:
    definition = _compile(form("- {id: rights, type: mwc, label: {en: Rights}}"))
    assert derive_mwc(definition, {"rights": ["MWC-25", 21, "MWC-25"]}) == [21, 25]


def test_visible_fields__chain_and_section_conditions() -> None:
    definition = _compile(CHAINED)
    ids = lambda answers: [f.id for f in visible_fields(definition, answers)]  # noqa: E731
    assert ids({}) == ["worked", "note"]
    assert ids({"worked": True}) == ["worked", "paid", "note", "employer", "share", "stats"]
    assert ids({"worked": True, "paid": False}) == [
        "worked", "paid", "amount", "note", "employer", "share", "stats",
    ]
    # amount stays hidden when the field it depends on is itself hidden
    assert ids({"worked": False, "paid": False}) == ["worked", "note"]


def test_split_sensitive__drops_hidden_and_unknown_answers() -> None:
    definition = _compile(CHAINED)
    answers = {"worked": True, "paid": True, "amount": 300, "note": "x", "employer": "Y",
               "stray": 1}
    plain, sensitive = split_sensitive(definition, answers)
    assert plain == {"worked": True, "paid": True, "employer": "Y"}
    assert sensitive == {"note": "x"}


def test_derive_consent__every_purpose_false_unless_answered_true_and_visible() -> None:
    definition = _compile(CHAINED)
    assert derive_consent(definition, {"share": True, "stats": True}) == {
        "case_work": False, "referral": False, "statistics": False, "advocacy": False,
    }
    consent = derive_consent(definition, {"worked": True, "share": True, "stats": False})
    assert consent == {"case_work": False, "referral": False, "statistics": False,
                       "advocacy": True}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, {"gender": None, "violation_date": None, "perpetrator_type": None}),
        ({"gender": "man", "when": datetime.date(2026, 3, 14), "who": ["EMP_IND"]},
         {"gender": "man", "violation_date": "2026-03-14", "perpetrator_type": ["EMP_IND"]}),
    ],
)
def test_derive_dimensions__every_dimension_of_the_form(answers: dict, expected: dict) -> None:
    definition = _compile(form(GENDER_FIELD + """\
- {id: when, type: date, label: {en: When}, dimension: violation_date}
- id: who
  type: multichoice
  label: {en: Who}
  dimension: perpetrator_type
  choices: [{value: EMP_IND, label: {en: Employer}}, {value: EMP_FAM, label: {en: Family}}]
"""))
    assert derive_dimensions(definition, answers) == expected


def test_derive_flags__flagged_choice__raises_the_flag() -> None:
    definition = _compile(form("""
- id: age
  type: choice
  label: {en: Age}
  choices: [{value: under_18, label: {en: Under 18}, flag: minor}, {value: adult, label: {en: A}}]
"""))
    assert derive_flags(definition, {"age": "under_18"}) == {
        "risk_to_life": False, "detention": False, "trafficking": False, "minor": True,
    }
    assert not any(derive_flags(definition, {"age": "adult"}).values())


def test_derive_case_fields__has_the_case_document_keys() -> None:
    derived = derive_case_fields(_compile(MALAYSIA), {"gender": "woman", "status": "pati"})
    assert derived["mwc"] == [22] and derived["terms"] == ["pati"]
    assert derived["dimensions"] == {"gender": "woman"}
    assert set(derived) == {"mwc", "terms", "dimensions", "flags", "consent"}
