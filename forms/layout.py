"""What a questionnaire page needs besides the inputs: texts in one language,
sections, local terms with their meaning, and show_if conditions as data.

Pure, so the same description serves the public questionnaire, the editor's
preview and tests. Conditions are written as the strings a browser sends, so a
small static script can compare them with the inputs and reveal fields as the
reporter answers; without the script every field is shown and the server drops
answers to hidden ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from forms.schema import Field, FormDefinition, ShowIf
from forms.vocabulary import text_direction

#: A choice question with at most this many options shows radio buttons, else a list.
RADIO_LIMIT = 8

_KINDS = {"textarea": "textarea", "boolean": "checkbox", "yesno": "radios",
          "multichoice": "checkboxes",
          "mwc": "checkboxes", "file": "file", "country": "select"}


@dataclass(frozen=True)
class TermText:
    """A local legal term as shown beside a question: the word and what it means."""

    id: str
    label: str
    meaning: str


@dataclass(frozen=True)
class FieldText:
    id: str
    type: str
    label: str
    help: str
    required: bool
    terms: tuple[TermText, ...]
    show_if: ShowIf | None
    sensitive: bool
    kind: str  # how it renders: input textarea checkbox checkboxes radios select file


@dataclass(frozen=True)
class SectionText:
    id: str
    title: str
    help: str
    show_if: ShowIf | None
    fields: tuple[FieldText, ...]


@dataclass(frozen=True)
class FormText:
    """The texts of a whole form in one language."""

    lang: str
    direction: str
    title: str
    description: str
    sections: tuple[SectionText, ...]


def describe(definition: FormDefinition, lang: str) -> FormText:
    """Every text of the form in `lang` (falling back to the form's default language)."""
    sections = tuple(
        SectionText(s.id, definition.text(s.title, lang), definition.text(s.help, lang),
                    s.show_if, tuple(_field_text(definition, f, lang) for f in s.fields))
        for s in definition.sections
    )
    return FormText(lang, text_direction(lang), definition.text(definition.title, lang),
                    definition.text(definition.description, lang), sections)


def _field_text(definition: FormDefinition, field: Field, lang: str) -> FieldText:
    return FieldText(field.id, field.type, definition.text(field.label, lang),
                     definition.text(field.help, lang), field.required,
                     field_terms(definition, field, lang), field.show_if, field.sensitive,
                     widget_kind(field))


def widget_kind(field: Field) -> str:
    """How a field renders; templates choose their markup by this."""
    if field.type == "choice":
        return "radios" if len(field.choices) <= RADIO_LIMIT else "select"
    return _KINDS.get(field.type, "input")


def field_terms(definition: FormDefinition, field: Field, lang: str) -> tuple[TermText, ...]:
    """Terms shown beside the question, then those its choices link, each once."""
    ids = list(field.terms) + [c.term for c in field.choices if c.term]
    known = {t.id: t for t in definition.terms}
    seen: list[str] = []
    for term_id in ids:
        if term_id in known and term_id not in seen:
            seen.append(term_id)
    return tuple(
        TermText(t, definition.text(known[t].label, lang), definition.text(known[t].help, lang))
        for t in seen
    )


def form_value(value: Any) -> str:
    """A definition value written as a browser sends it: true/false, numbers as digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def show_if_attributes(show_if: ShowIf | None, input_name: str) -> dict[str, str]:
    """Data attributes for the element a condition shows; `input_name` is the
    controlling input's name in the page (it carries the form's prefix)."""
    if show_if is None:
        return {}
    values = [form_value(v) for v in show_if.values]
    return {"data-show-if-field": input_name,
            "data-show-if-values": json.dumps(values, ensure_ascii=False)}
