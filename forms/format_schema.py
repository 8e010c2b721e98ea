"""The structure of a form-definition file, published as a JSON Schema.

Editors and the ``mrvrs forms schema`` command can hand this to any JSON Schema
tool; the validator uses it for structural checks. Each ``description`` says in
plain words what a value should be, because problem messages quote it.
Semantic rules (ids exist, codes are in the taxonomy...) are checked by hand.
"""

from __future__ import annotations

from typing import Any

from forms.vocabulary import (
    AUDIENCES,
    CHOICE_KEYS,
    CONSENT_PURPOSES,
    COUNTRY_PATTERN,
    FIELD_KEYS,
    FIELD_TYPES,
    FLAGS,
    FORM_ID_PATTERN,
    ITEM_ID_PATTERN,
    LANGUAGE_PATTERN,
    PERSONAL_KINDS,
    SECTION_KEYS,
    TERM_KEYS,
    TOP_LEVEL_KEYS,
)

_ID = {
    "type": "string",
    "pattern": ITEM_ID_PATTERN,
    "description": "an id of lowercase letters, digits and _, starting with a letter",
}
_BOOL = {"type": "boolean", "description": "true or false"}
_MWC_LIST = {
    "type": "array",
    "items": {
        "type": ["integer", "string"],
        "description": 'an MWC article number such as 21 or "MWC-21"',
    },
    "description": 'a list of MWC article numbers, such as [21, 25] or ["MWC-21"]',
}
_BOUND = {
    "type": ["number", "string"],
    "description": "a number (a length or count for text and lists), or an ISO date for dates",
}


def _object(keys: tuple[str, ...], properties: dict[str, Any], required: list[str],
            description: str) -> dict[str, Any]:
    """An object allowing exactly `keys`, listed in the vocabulary's order."""
    return {
        "type": "object",
        "properties": {key: properties[key] for key in keys},
        "required": required,
        "additionalProperties": False,
        "description": description,
    }


def _definitions() -> dict[str, Any]:
    text = {
        "type": "object",
        "minProperties": 1,
        "propertyNames": {
            "pattern": LANGUAGE_PATTERN,
            "description": "a language tag such as en, ms or zh-Hans",
        },
        "additionalProperties": {"type": "string", "description": "a piece of text"},
        "description": "a text in each language, such as {en: ..., ms: ...}",
    }
    show_if = {
        "type": "object",
        "properties": {
            "field": {**_ID, "description": "the id of the field that controls this one"},
            "equals": {"description": "the answer that shows this item"},
            "in": {"type": "array", "minItems": 1,
                   "description": "a list of answers that show this item"},
        },
        "required": ["field"],
        "additionalProperties": False,
        "description": "a condition such as {field: has_passport, equals: true}",
    }
    choice = _object(CHOICE_KEYS, {
        "value": {"type": "string", "minLength": 1,
                  "description": "a text value (put numbers and true/false in quotes)"},
        "label": {"$ref": "#/$defs/text"},
        "mwc": {"$ref": "#/$defs/mwc"},
        "term": {**_ID, "description": "the id of a term of this form"},
        "flag": {"enum": list(FLAGS), "description": "a routing flag"},
    }, ["value", "label"], "a choice such as {value: employer, label: {en: The employer}}")
    field = _object(FIELD_KEYS, {
        "id": _ID,
        "type": {"enum": list(FIELD_TYPES), "description": "a field type"},
        "label": {"$ref": "#/$defs/text"},
        "help": {"$ref": "#/$defs/text"},
        "required": _BOOL,
        "show_if": {"$ref": "#/$defs/show_if"},
        "terms": {"type": "array", "items": {"type": "string"},
                  "description": "a list of term ids"},
        "dimension": {"type": "string", "description": "the id of a standard dimension"},
        "sensitive": _BOOL,
        "personal": {"enum": list(PERSONAL_KINDS), "description": "a kind of personal data"},
        "mwc": {"$ref": "#/$defs/mwc"},
        "audience": {"enum": list(AUDIENCES),
                     "description": "who is asked the question: everyone (the default) or "
                                    "staff, who answer it on the case page"},
        "min": _BOUND,
        "max": _BOUND,
        "pattern": {"type": "string", "description": "a regular expression in quotes"},
        "choices": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/choice"},
                    "description": "a list of choices, each with a value and a label"},
        "flag": {"enum": list(FLAGS), "description": "a routing flag"},
        "consent": {"enum": list(CONSENT_PURPOSES), "description": "a consent purpose"},
        "default": {"type": "string", "pattern": COUNTRY_PATTERN,
                    "description": "the ISO code of the country chosen on a blank form"},
    }, ["id", "type", "label"], "a field with at least an id, a type and a label")
    section = _object(SECTION_KEYS, {
        "id": _ID,
        "title": {"$ref": "#/$defs/text"},
        "help": {"$ref": "#/$defs/text"},
        "show_if": {"$ref": "#/$defs/show_if"},
        "fields": {"type": "array", "items": {"$ref": "#/$defs/field"},
                   "description": "a list of fields"},
    }, ["id"], "a section with an id (a new one also needs a title and fields; a child "
       "form may name an inherited section with only the fields it adds)")
    term = _object(TERM_KEYS, {
        "id": _ID,
        "label": {"$ref": "#/$defs/text"},
        "help": {"$ref": "#/$defs/text"},
        "mwc": {"$ref": "#/$defs/mwc"},
    }, ["id", "label"], "a local term with an id, a label and its MWC articles")
    return {"text": text, "show_if": show_if, "choice": choice, "field": field,
            "section": section, "term": term, "mwc": _MWC_LIST}


def format_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one form-definition file."""
    top = _object(TOP_LEVEL_KEYS, {
        "form": {"type": "string", "pattern": FORM_ID_PATTERN,
                 "description": "a form id of lowercase letters, digits and -"},
        "title": {"$ref": "#/$defs/text"},
        "description": {"$ref": "#/$defs/text"},
        "country": {"type": "string", "pattern": COUNTRY_PATTERN,
                    "description": "a two-letter ISO country code in capitals, such as MY"},
        "extends": {"type": "string", "description": "the id of the parent form"},
        "languages": {"type": "array", "minItems": 1,
                      "items": {"type": "string", "pattern": LANGUAGE_PATTERN,
                                "description": "a language tag such as en, ms or zh-Hans"},
                      "description": "a list of language tags, the default first"},
        "terms": {"type": "array", "items": {"$ref": "#/$defs/term"},
                  "description": "a list of local terms"},
        "sections": {"type": "array", "items": {"$ref": "#/$defs/section"},
                     "description": "a list of sections"},
        "override": {"type": "object", "additionalProperties": {"type": "object"},
                     "description": "a set of field or section ids, each with keys to change"},
        "remove": {"type": "array", "items": {"type": "string"},
                   "description": "a list of field or section ids"},
    }, ["form"], "a form definition")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "MRVRS form definition",
        **top,
        "$defs": _definitions(),
    }
