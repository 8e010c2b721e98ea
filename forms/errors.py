"""Coded, located problems found while reading a form definition.

Each `ProblemCode` carries a message template written for a national member who
edits YAML, not for a programmer; tests assert on codes, never on copied strings.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PathStep = str | int
Path = tuple[PathStep, ...]


class MessageCode(enum.Enum):
    """A kind of problem: its stable key (what tests and translations use) and its English
    template. The codes of definitions, spreadsheets and edits all derive from it."""

    def __init__(self, key: str, template: str) -> None:
        self.key = key
        self.template = template

    def text(self, params: Mapping[str, Any]) -> str:
        """The template filled in; a parameter not given stays visible as its slot."""
        return self.template.format_map(_Slots(params))


class ProblemCode(MessageCode):
    """Every kind of problem a definition can have, with its message template."""

    YAML_SYNTAX = ("yaml_syntax", "The file is not valid YAML: {detail}.")
    YAML_ALIAS = (
        "yaml_alias",
        "Anchors and aliases (&name and *name) are not accepted; "
        "write the value out in full here.",
    )
    TOO_DEEP = (
        "too_deep",
        "Keys and lists are nested more than {max} levels deep here; "
        "no definition needs that many.",
    )
    TOO_LONG = (
        "too_long",
        "The definition has {size} characters; at most {max} are accepted.",
    )
    NOT_A_MAPPING = (
        "not_a_mapping",
        "A form definition must be a set of keys such as form, title and sections; "
        "this file holds {value}.",
    )
    DUPLICATE_KEY = ("duplicate_key", 'The key "{key}" is written twice here; keep only one.')
    MISSING_KEY = ("missing_key", '"{key}" is missing; it is required here.')
    UNKNOWN_KEY = ("unknown_key", '"{key}" is not a known key here.{hint}')
    WRONG_VALUE = ("wrong_value", "{value} is not accepted here: it should be {expected}.")
    NOT_ONE_OF = ("not_one_of", "{value} is not allowed here. Use one of: {allowed}.")
    UNKNOWN_TYPE = ("unknown_type", '"{value}" is not a field type.{hint} Use one of: {allowed}.')
    KEY_NOT_FOR_TYPE = (
        "key_not_for_type",
        '"{key}" cannot be used on a {type} field. It works on: {allowed}.',
    )
    DUPLICATE_ID = (
        "duplicate_id",
        'The {kind} "{id}" is used twice (first at {first}); each must be different.',
    )
    DUPLICATE_LANGUAGE = ("duplicate_language", 'The language "{language}" is listed twice.')
    MISSING_TRANSLATION = (
        "missing_translation",
        "This text has no {missing} translation. Every text needs each of the form's "
        "languages: {languages}.",
    )
    MISSING_INHERITED_TRANSLATIONS = (
        "missing_inherited_translations",
        "{count} texts this form inherits have no {language} translation. You do not "
        "edit the parent form for them: export the translation sheet for {language} "
        "(\"Translations\" in the form editor, or: mrvrs forms translations export "
        "--form {form} --lang {language}), fill in the empty cells of its last column and "
        "import it; the translations are written into this form.",
    )
    MIN_ABOVE_MAX = ("min_above_max", "min ({min}) is larger than max ({max}).")
    INVALID_PATTERN = (
        "invalid_pattern",
        'The pattern "{pattern}" is not a valid regular expression: {detail}.',
    )
    SHOW_IF_MISSING_FIELD = (
        "show_if_missing_field",
        'show_if refers to the field "{field}", but the form has no field with that id.{hint}',
    )
    SHOW_IF_BAD_VALUE = (
        "show_if_bad_value",
        'show_if waits for {value}, but the field "{field}" can never have that value. '
        "Use one of: {allowed}.",
    )
    SHOW_IF_CYCLE = (
        "show_if_cycle",
        "show_if makes these depend on each other in a circle: {cycle}. "
        "One of them must not depend on the others.",
    )
    UNKNOWN_MWC = (
        "unknown_mwc",
        "{value} is not an MWC article in the taxonomy. Write an article number such as "
        '21 or "MWC-21", from: {ranges}.',
    )
    UNKNOWN_TERM = (
        "unknown_term",
        'The term "{term}" is not defined under this form\'s terms.{hint}',
    )
    UNKNOWN_DIMENSION = (
        "unknown_dimension",
        '"{dimension}" is not a standard dimension.{hint} Use one of: {allowed}.',
    )
    DIMENSION_TWICE = (
        "dimension_twice",
        'The {dimension} dimension is already on the field "{other}"; '
        "a dimension can be on one field only.",
    )
    DIMENSION_VALUE = (
        "dimension_value",
        'The choice value "{value}" is not a value of the {dimension} dimension. '
        "Use one of: {allowed}.",
    )
    DIMENSION_FIELD_TYPE = (
        "dimension_field_type",
        "The {dimension} dimension needs a field of type {expected}, not {type}.",
    )
    CONSENT_TWICE = (
        "consent_twice",
        'Consent to {purpose} is already asked by the field "{other}"; ask it once.',
    )
    GENDER_MISSING = (
        "gender_missing",
        'A country form must ask for gender: add a field with "dimension: gender" '
        "(or keep the one the base form has).",
    )
    STAFF_CONDITION = (
        "staff_condition",
        'show_if refers to "{field}", which only staff answer (audience: staff), so people '
        "reporting could never make this appear. Let it depend on a question for everyone, "
        'or mark it "audience: staff" too.',
    )
    STAFF_DEPENDS_ON_REPORTER = (
        "staff_depends_on_reporter",
        'This question is for staff only, but its show_if refers to "{field}", which is '
        "asked of everyone. A question for staff can depend only on another question for "
        "staff.",
    )
    STAFF_IN_CONDITIONAL_SECTION = (
        "staff_in_conditional_section",
        'The question "{field}" is for staff only, but its section appears only on a '
        "condition (show_if). Put questions for staff in a section without show_if.",
    )
    STAFF_CONSENT = (
        "staff_consent",
        "Consent is given by the person reporting, so a question for staff only cannot "
        "ask for it. Remove consent or audience here.",
    )
    STAFF_FILE = (
        "staff_file",
        "A question for staff only cannot be a file question: the case page takes no "
        "files there. Use a file question for everyone, or attach the file as evidence.",
    )
    UNUSED_TERM = (
        "unused_term",
        'No question uses the term "{term}": show it beside a question (terms: [{term}]) '
        "or link it from a choice (term: {term}), or delete it. This is a warning; it does "
        "not stop publishing.",
    )
    NO_INTERFACE_LANGUAGE = (
        "no_interface_language",
        "The app's own pages have no {language} translation: reporters who choose "
        "{language} read this form's questions in it, but the navigation, buttons, error "
        "messages, receipt and status page in English. This is a warning; it does not "
        "stop publishing. To translate those pages, a translator adds a catalogue for "
        "{language} (docs/translations.md).",
    )
    EXTENDS_CYCLE = ("extends_cycle", "The forms extend each other in a circle: {cycle}.")
    MISSING_PARENT = (
        "missing_parent",
        'This form extends "{parent}", but there is no form with that id.{hint}',
    )
    FORM_NOT_FOUND = ("form_not_found", 'There is no form with the id "{form}".')
    OVERRIDE_UNKNOWN = (
        "override_unknown",
        'override names "{target}", but the form has no field or section with that id.{hint}',
    )
    REMOVE_UNKNOWN = (
        "remove_unknown",
        'remove names "{target}", but the form has no field or section with that id.{hint}',
    )


def format_path(path: Sequence[PathStep]) -> str:
    """Write a key path the way it reads in YAML: ``sections[2].fields[0].type``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


@dataclass(frozen=True)
class Problem:
    """One problem, located in the file and at the line where the item was written."""

    code: ProblemCode
    origin: str
    line: int | None
    path: Path
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def detail(self) -> str:
        """The plain sentence without the location."""
        return self.code.text(self.params)

    @property
    def where(self) -> str:
        place = self.origin if self.line is None else f"{self.origin}:{self.line}"
        return f"{place} {format_path(self.path)}" if self.path else place

    @property
    def message(self) -> str:
        return f"{self.where}: {self.detail}"

    def __str__(self) -> str:
        return self.message


class _Slots(dict[str, Any]):
    """Leave a slot visible rather than fail when a parameter was not given."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class DefinitionError(Exception):
    """A definition could not be compiled; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.message for p in self.problems))


def describe_value(value: Any) -> str:
    """Name a YAML value in words, for messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, Mapping):
        return "a set of keys" if value else "an empty set of keys"
    if isinstance(value, (list, tuple)):
        return "a list" if value else "an empty list"
    return str(value)


def did_you_mean(word: Any, candidates: Iterable[str]) -> str:
    """Return ' Did you mean "x"?' when a close candidate exists, else ''."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


#: Codes reported as warnings (`CompileResult.warnings`): never a reason to refuse a form.
WARNING_CODES = frozenset({ProblemCode.UNUSED_TERM, ProblemCode.NO_INTERFACE_LANGUAGE})
