"""The parser's line map, the dataclasses, the hash and the published JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from formspec import DIMENSIONS, GENDER_FIELD, TAXONOMY, assert_problems, form

from forms.compiler import compile_text
from forms.errors import ProblemCode
from forms.format_schema import format_schema
from forms.loader import parse_definition
from forms.schema import FormDefinition
from forms.validation import validate
from forms.vocabulary import (
    CHOICE_KEYS,
    FIELD_KEYS,
    SECTION_KEYS,
    TERM_KEYS,
    TOP_LEVEL_KEYS,
    text_direction,
)

FULL = form(
    GENDER_FIELD + """\
- id: passport_held_by
  type: choice
  label: {en: "Who holds the passport?"}
  help: {en: Think of the last month}
  required: true
  terms: [pati]
  choices:
    - {value: worker, label: {en: The worker}}
    - {value: employer, label: {en: The employer}, mwc: ["MWC-21"], term: pati}
  show_if: {field: gender, in: [woman, man]}
- {id: hours, type: integer, label: {en: Hours}, min: 0, max: 24, sensitive: true}
- {id: name, type: text, label: {en: Name}, personal: name, pattern: "^[^0-9]+$"}
- {id: locked_in, type: boolean, label: {en: Locked in}, flag: detention, mwc: [39, 16]}
""",
    top="country: MY\ndescription: {en: About the form}\n"
    "terms:\n  - {id: pati, label: {en: PATI}, help: {en: Undocumented}, mwc: [22, 16]}\n",
)


def _definition(text: str = FULL) -> FormDefinition:
    definition = assert_problems(text).definition
    assert definition is not None
    return definition


def test_parse__every_key_path__has_its_line() -> None:
    parsed = parse_definition("form: t\nsections:\n  - id: s\n    fields:\n      - id: a\n", "f")
    assert parsed.lines[("sections", 0, "fields", 0, "id")] == 5
    assert parsed.line_for(("sections", 0, "fields", 0, "id", "deeper")) == 5
    assert parsed.form_id == "t" and parsed.problems == ()


def test_parse__yaml_1_1_words__stay_text() -> None:
    parsed = parse_definition("a: no\nb: on\nc: 2026-03-14\nd: true\nno: x\n", "f")
    assert parsed.data == {"a": "no", "b": "on", "c": "2026-03-14", "d": True, "no": "x"}


def test_parse__python_tags__are_refused_as_problems() -> None:
    parsed = parse_definition("form: !!python/object/apply:os.system [ls]\n", "f")
    assert parsed.problems and parsed.problems[0].line == 1


def test_definition__fields_in_order_and_lookup() -> None:
    definition = _definition()
    assert [f.id for f in definition.fields()] == [
        "gender", "passport_held_by", "hours", "name", "locked_in",
    ]
    field = definition.field("passport_held_by")
    assert field.choice("employer").mwc == (21,)
    assert field.show_if is not None and field.show_if.values == ("woman", "man")
    assert definition.field("locked_in").mwc == (16, 39)
    assert definition.term("pati").mwc == (16, 22)
    assert definition.section_of("hours").id == "s"
    with pytest.raises(KeyError):
        definition.field("nope")


def test_to_dict__round_trips_and_is_json() -> None:
    definition = _definition()
    plain = definition.to_dict()
    assert json.loads(json.dumps(plain)) == plain
    assert FormDefinition.from_dict(plain) == definition
    assert "required" not in plain["sections"][0]["fields"][0]  # defaults are left out
    assert plain["form"] == "t"


def test_to_dict__is_itself_a_valid_definition() -> None:
    assert not list(jsonschema.Draft202012Validator(format_schema()).iter_errors(
        _definition().to_dict()))


def test_hash__same_meaning_different_spelling__is_equal() -> None:
    respelled = FULL.replace('mwc: ["MWC-21"]', "mwc: [21]").replace(
        "mwc: [39, 16]", "mwc: [16, 'MWC-39']")
    assert _definition(respelled).definition_hash() == _definition().definition_hash()


def test_hash__is_stable_and_changes_with_a_label() -> None:
    first = _definition().definition_hash()
    assert first.startswith("sha256:") and len(first) == len("sha256:") + 64
    assert _definition().definition_hash() == first
    relabelled = _definition(FULL.replace("{en: Hours}", "{en: Hours a day}"))
    assert relabelled.definition_hash() != first


def test_text__falls_back_to_the_default_language() -> None:
    definition = _definition()
    assert definition.text({"en": "Hello", "ms": "Helo"}, "ms") == "Helo"
    assert definition.text({"en": "Hello"}, "ar") == "Hello"
    assert definition.text({"tl": "Kumusta"}, "ar") == "Kumusta"


@pytest.mark.parametrize(
    ("lang", "direction"),
    [("ar", "rtl"), ("ur-IN", "rtl"), ("fa", "rtl"), ("he", "rtl"), ("en", "ltr"),
     ("zh-Hant", "ltr"), ("bn", "ltr")],
)
def test_text_direction__by_primary_subtag(lang: str, direction: str) -> None:
    assert text_direction(lang) == direction


def test_format_schema__is_a_valid_json_schema_matching_the_vocabulary() -> None:
    schema = format_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    defs = schema["$defs"]
    assert tuple(schema["properties"]) == TOP_LEVEL_KEYS
    assert tuple(defs["section"]["properties"]) == SECTION_KEYS
    assert tuple(defs["field"]["properties"]) == FIELD_KEYS
    assert tuple(defs["choice"]["properties"]) == CHOICE_KEYS
    assert tuple(defs["term"]["properties"]) == TERM_KEYS
    json.dumps(schema)


def test_compile_text__uploaded_child__takes_parents_from_the_library() -> None:
    library = {"base": parse_definition(form(GENDER_FIELD, form_id="base"), "base.yaml")}
    child = "form: my-form\nextends: base\ncountry: MY\n"
    result = compile_text(child, "upload.yaml", library, taxonomy=TAXONOMY, dimensions=DIMENSIONS)
    assert result.ok and result.unwrap().id == "my-form"
    assert result.unwrap().extends == "base"


def test_validate__plain_mapping__reports_without_lines() -> None:
    problems = validate({"form": "x", "title": {"en": "X"}, "languages": ["en"], "sections": [],
                         "colour": "red"}, taxonomy=TAXONOMY, dimensions=DIMENSIONS)
    assert [(p.code, p.origin, p.line) for p in problems] == [
        (ProblemCode.UNKNOWN_KEY, "<form>", None)
    ]


def test_format_schema__accepts_every_shipped_file_as_written() -> None:
    """Editors validate their files against the published schema, children included."""
    from forms.shipped import shipped_sources

    validator = jsonschema.Draft202012Validator(format_schema())
    for form_id, source in shipped_sources().items():
        errors = [e.message for e in validator.iter_errors(source.data)]
        assert errors == [], form_id
