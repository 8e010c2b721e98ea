"""Every problem a definition can have, one example each, plus how problems read."""

from __future__ import annotations

import re
import time

import pytest
from formspec import GENDER_FIELD, assert_problems, compile_snippet, form

from forms.errors import WARNING_CODES, DefinitionError, Problem, ProblemCode, format_path
from forms.loader import MAX_DEPTH, MAX_SOURCE_CHARS, parse_definition
from tests.helpers import alias_bomb

BASE = form(form_id="base")

# (code, snippet, parents): each snippet has exactly one problem, of that code.
EXAMPLES: list[tuple[ProblemCode, str, dict[str, str]]] = [
    (ProblemCode.YAML_SYNTAX, "form: t\ntitle: {en: T\n", {}),
    (ProblemCode.YAML_ALIAS, form(top="note: &n x\nnote2: *n\n"), {}),
    (ProblemCode.TOO_DEEP, form(top="deep: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)),
     {}),
    (ProblemCode.TOO_LONG, form(top=f"note: {'x' * MAX_SOURCE_CHARS}\n"), {}),
    (ProblemCode.NOT_A_MAPPING, "- just\n- a list\n", {}),
    (ProblemCode.DUPLICATE_KEY, form(top="languages: [en]\n"), {}),
    (ProblemCode.MISSING_KEY, form("- {id: a, type: text}"), {}),
    (ProblemCode.UNKNOWN_KEY, form("- {id: a, type: text, label: {en: A}, lenght: 3}"), {}),
    (ProblemCode.WRONG_VALUE, form("- {id: a, type: text, label: {en: A}, required: 'yes'}"), {}),
    (ProblemCode.NOT_ONE_OF, form("- {id: a, type: text, label: {en: A}, personal: address}"), {}),
    (ProblemCode.UNKNOWN_TYPE, form("- {id: a, type: dropdown, label: {en: A}}"), {}),
    (ProblemCode.KEY_NOT_FOR_TYPE, form("- {id: a, type: text, label: {en: A}, flag: minor}"), {}),
    (ProblemCode.DUPLICATE_ID, form("""
        - {id: a, type: text, label: {en: A}}
        - {id: a, type: date, label: {en: B}}
     """), {}),
    (ProblemCode.DUPLICATE_LANGUAGE, form().replace("[en]", "[en, en]"), {}),
    (ProblemCode.MISSING_TRANSLATION, form().replace("[en]", "[en, ms]").replace(
        "title: {en: T}", "title: {en: T, ms: T}").replace("{en: S}", "{en: S, ms: S}"), {}),
    (ProblemCode.MISSING_INHERITED_TRANSLATIONS,
     "form: t\nextends: base\nlanguages: [en, ms]\ntitle: {en: T, ms: T}\n",
     {"base.yaml": BASE}),
    (ProblemCode.MIN_ABOVE_MAX, form("- {id: a, type: integer, label: {en: A}, min: 9, max: 1}"),
     {}),
    (ProblemCode.INVALID_PATTERN, form("- {id: a, type: text, label: {en: A}, pattern: '(['}"),
     {}),
    (ProblemCode.SHOW_IF_MISSING_FIELD, form(
        "- {id: a, type: text, label: {en: A}, show_if: {field: nope, equals: x}}"), {}),
    (ProblemCode.SHOW_IF_BAD_VALUE, form("""
        - {id: b, type: boolean, label: {en: B}}
        - {id: a, type: text, label: {en: A}, show_if: {field: b, equals: 'yes'}}
     """), {}),
    (ProblemCode.SHOW_IF_CYCLE, form("""
        - {id: b, type: text, label: {en: B}, show_if: {field: a, equals: x}}
        - {id: a, type: text, label: {en: A}, show_if: {field: b, equals: x}}
     """), {}),
    (ProblemCode.UNKNOWN_MWC, form("- {id: a, type: boolean, label: {en: A}, mwc: [99]}"), {}),
    (ProblemCode.UNKNOWN_TERM, form("- {id: a, type: boolean, label: {en: A}, terms: [pati]}"),
     {}),
    (ProblemCode.UNKNOWN_DIMENSION, form(
        "- {id: a, type: text, label: {en: A}, dimension: religion}"), {}),
    (ProblemCode.DIMENSION_TWICE, form("""
        - {id: a, type: date, label: {en: A}, dimension: violation_date}
        - {id: b, type: date, label: {en: B}, dimension: violation_date}
     """), {}),
    (ProblemCode.DIMENSION_VALUE, form("""
        - id: g
          type: choice
          label: {en: G}
          dimension: gender
          choices: [{value: female, label: {en: F}}]
     """), {}),
    (ProblemCode.DIMENSION_FIELD_TYPE, form(
        "- {id: a, type: text, label: {en: A}, dimension: nationality}"), {}),
    (ProblemCode.CONSENT_TWICE, form("""
        - {id: a, type: boolean, label: {en: A}, consent: referral}
        - {id: b, type: boolean, label: {en: B}, consent: referral}
     """), {}),
    (ProblemCode.GENDER_MISSING, form(top="country: MY\n"), {}),
    (ProblemCode.STAFF_CONDITION, form("""
        - {id: b, type: boolean, label: {en: B}, audience: staff}
        - {id: a, type: text, label: {en: A}, show_if: {field: b, equals: true}}
     """), {}),
    (ProblemCode.STAFF_DEPENDS_ON_REPORTER, form("""
        - {id: b, type: boolean, label: {en: B}}
        - {id: a, type: text, label: {en: A}, audience: staff, show_if: {field: b, equals: true}}
     """), {}),
    (ProblemCode.STAFF_IN_CONDITIONAL_SECTION, form("""
        - {id: a, type: text, label: {en: A}, audience: staff}
     """).replace("title: {en: S}", "title: {en: S}\n    show_if: {field: b, equals: true}")
        .replace("sections:\n", "sections:\n  - id: r\n    title: {en: R}\n    fields:\n"
                 "      - {id: b, type: boolean, label: {en: B}}\n"), {}),
    (ProblemCode.STAFF_FILE, form("- {id: a, type: file, label: {en: A}, audience: staff}"), {}),
    (ProblemCode.STAFF_CONSENT, form(
        "- {id: a, type: boolean, label: {en: A}, audience: staff, consent: advocacy}"), {}),
    (ProblemCode.EXTENDS_CYCLE, "form: t\nextends: u\n", {"u.yaml": "form: u\nextends: t\n"}),
    (ProblemCode.MISSING_PARENT, "form: t\nextends: nowhere\n", {}),
    (ProblemCode.FORM_NOT_FOUND, "", {}),
    (ProblemCode.OVERRIDE_UNKNOWN, "form: t\nextends: base\noverride: {b: {required: true}}\n",
     {"base.yaml": BASE}),
    (ProblemCode.REMOVE_UNKNOWN, "form: t\nextends: base\nremove: [zz]\n", {"base.yaml": BASE}),
]


def test_examples__cover_every_problem_code() -> None:
    assert {code for code, _, _ in EXAMPLES} == set(ProblemCode) - WARNING_CODES


@pytest.mark.parametrize(
    ("code", "text", "parents"), EXAMPLES, ids=[c.name for c, _, _ in EXAMPLES]
)
def test_problem_code__example__reports_exactly_that_code(
    code: ProblemCode, text: str, parents: dict[str, str]
) -> None:
    if code is ProblemCode.FORM_NOT_FOUND:
        from forms.compiler import compile_form

        result = compile_form("missing", {})
        assert [p.code for p in result.problems] == [code]
        return
    result = assert_problems(text, code, parents=parents)
    assert not re.search(r"\{[a-z_]+\}", result.problems[0].detail)  # every slot filled


def test_valid_form__compiles_without_problems() -> None:
    result = assert_problems(form(GENDER_FIELD, top="country: MY\n"))
    assert result.definition is not None and result.definition.country == "MY"


def test_show_if__missing_field__reports_line_and_path() -> None:
    result = assert_problems(
        form("""
            - {id: a, type: text, label: {en: A}}
            - id: b
              type: text
              label: {en: B}
              show_if: {field: aa, equals: x}
        """),
        ProblemCode.SHOW_IF_MISSING_FIELD,
    )
    problem = result.problems[0]
    assert (problem.origin, problem.line) == ("form.yaml", 12)
    assert format_path(problem.path) == "sections[0].fields[1].show_if.field"
    assert problem.message.startswith("form.yaml:12 sections[0].fields[1].show_if.field: ")
    assert 'Did you mean "a"?' in problem.message


def test_unknown_type__message__names_the_value_and_the_allowed_types() -> None:
    problem = assert_problems(
        form("- {id: a, type: dropdown, label: {en: A}}"), ProblemCode.UNKNOWN_TYPE
    ).problems[0]
    assert problem.message == (
        'form.yaml:8 sections[0].fields[0].type: "dropdown" is not a field type. Use one of: '
        "text, textarea, integer, decimal, date, boolean, yesno, choice, multichoice, country, "
        "email, phone, file, mwc."
    )


def test_unknown_key__close_to_a_known_key__suggests_it() -> None:
    problem = assert_problems(form(top="sectons: []\n"), ProblemCode.UNKNOWN_KEY).problems[0]
    assert problem.path == ("sectons",) and 'Did you mean "sections"?' in problem.message


def test_yaml_syntax__reports_the_line_not_an_exception() -> None:
    text = "form: t\nsections:\n  - id: [\n"
    problem = assert_problems(text, ProblemCode.YAML_SYNTAX).problems[0]
    assert problem.line == 4


def test_duplicate_id__message__points_at_the_first_use() -> None:
    problem = assert_problems(
        form("""
            - {id: a, type: text, label: {en: A}}
            - {id: a, type: date, label: {en: B}}
        """),
        ProblemCode.DUPLICATE_ID,
    ).problems[0]
    assert problem.line == 9 and "first at line 8 of form.yaml" in problem.message


def test_show_if__multichoice_in__values_must_be_choices() -> None:
    assert_problems(
        form("""
            - id: m
              type: multichoice
              label: {en: M}
              choices: [{value: x, label: {en: X}}, {value: y, label: {en: Y}}]
            - {id: a, type: text, label: {en: A}, show_if: {field: m, in: [x, z]}}
        """),
        ProblemCode.SHOW_IF_BAD_VALUE,
    )


def test_section_show_if__on_its_own_field__is_a_cycle() -> None:
    text = form("- {id: a, type: boolean, label: {en: A}}").replace(
        "    title: {en: S}\n", "    title: {en: S}\n    show_if: {field: a, equals: true}\n"
    )
    assert_problems(text, ProblemCode.SHOW_IF_CYCLE)


def test_mwc__string_codes__are_accepted() -> None:
    assert_problems(form("- {id: a, type: boolean, label: {en: A}, mwc: ['MWC-21', 25]}"))


def test_bounds__date_field__needs_iso_dates() -> None:
    assert_problems(
        form("- {id: d, type: date, label: {en: D}, min: 2026-01-01, max: 2026-02-30}"),
        ProblemCode.WRONG_VALUE,
    )


def test_dimension__free_choice_dimension__may_be_text() -> None:
    assert_problems(form("- {id: o, type: text, label: {en: O}, dimension: occupation}"))


def test_choice_field__without_choices__reports_missing_key() -> None:
    problem = assert_problems(
        form("- {id: c, type: choice, label: {en: C}}"), ProblemCode.MISSING_KEY
    ).problems[0]
    assert problem.params["key"] == "choices"


def test_every_problem_at_once__one_file__all_reported_in_line_order() -> None:
    result = compile_snippet(
        form("""
            - {id: a, type: dropdown, label: {en: A}}
            - {id: a, type: text, label: {en: B}, pattern: '(['}
            - {id: c, type: text, label: {en: C}, show_if: {field: zz, equals: 1}}
            - {id: d, type: boolean, label: {en: D}, mwc: [999], terms: [nope]}
            - {id: e, type: text, label: {en: E}, dimension: nationality}
        """, top="country: MY\nwhatever: 1\n")
    )
    codes = {p.code for p in result.problems}
    assert codes == {
        ProblemCode.UNKNOWN_TYPE, ProblemCode.DUPLICATE_ID, ProblemCode.INVALID_PATTERN,
        ProblemCode.SHOW_IF_MISSING_FIELD, ProblemCode.UNKNOWN_MWC, ProblemCode.UNKNOWN_TERM,
        ProblemCode.DIMENSION_FIELD_TYPE, ProblemCode.GENDER_MISSING, ProblemCode.UNKNOWN_KEY,
    }
    lines = [p.line for p in result.problems]
    assert lines == sorted(lines)


def test_definition_error__carries_every_problem_and_reads_as_lines() -> None:
    result = compile_snippet(form("- {id: a, type: dropdown, label: {fr: A}}"))
    with pytest.raises(DefinitionError) as caught:
        result.unwrap()
    assert caught.value.problems == result.problems
    assert str(caught.value).count("\n") == len(result.problems) - 1


def test_problem__without_line__still_reads() -> None:
    problem = Problem(ProblemCode.FORM_NOT_FOUND, "library", None, (), {"form": "x"})
    assert problem.message == 'library: There is no form with the id "x".'


def test_alias_bomb__refused_at_the_first_alias_before_anything_is_expanded() -> None:
    """559 bytes of nested aliases once expanded into gigabytes; an alias is now refused
    while the file is read, so the time does not grow with the expansion."""
    timings = {}
    for levels in (3, 9):
        started = time.perf_counter()
        parsed = parse_definition(alias_bomb(levels), "bomb.yaml")
        timings[levels] = time.perf_counter() - started
        assert [p.code for p in parsed.problems] == [ProblemCode.YAML_ALIAS]
        assert parsed.data is None
    problem = parsed.problems[0]
    assert problem.message.startswith("bomb.yaml:3 a1[0]: Anchors and aliases"), problem.message
    assert timings[9] < 1.0, f"9 levels took {timings[9]:.3f} s (3 levels: {timings[3]:.3f} s)"


def test_deep_nesting__refused_with_line_and_path_not_a_recursion_error() -> None:
    text = "form: t\nsections:\n" + "".join(
        "  " * (n + 1) + f"k{n}:\n" for n in range(MAX_DEPTH * 5))
    problem = assert_problems(text, ProblemCode.TOO_DEEP).problems[0]
    assert problem.line == MAX_DEPTH + 2  # the first key nested one level too deep
    assert format_path(problem.path).startswith("sections.k0.k1.k2")


def test_deep_nesting__inside_keys__refused_too() -> None:
    """Mappings used as keys add no key-path step; they count towards the depth all the same."""
    text = "form: t\nk: " + "{" * 600 + "a: 1" + "}: 1" * 600 + "\n"
    problem = assert_problems(text, ProblemCode.TOO_DEEP).problems[0]
    assert problem.line == 2 and problem.path == ("k",)
