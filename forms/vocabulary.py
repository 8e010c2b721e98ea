"""The fixed words of the form-definition format, shared by every stage.

Kept in one place so the JSON Schema, the validator, the dataclasses and the
answer derivations cannot drift apart.
"""

from __future__ import annotations

FIELD_TYPES: tuple[str, ...] = (
    "text", "textarea", "integer", "decimal", "date", "boolean", "yesno",
    "choice", "multichoice", "country", "email", "phone", "file", "mwc",
)

#: Keys every field may carry, whatever its type.
COMMON_FIELD_KEYS: tuple[str, ...] = (
    "id", "type", "label", "help", "required", "show_if", "terms",
    "dimension", "sensitive", "personal", "mwc", "audience",
)

#: Keys that only make sense for some field types.
TYPED_FIELD_KEYS: dict[str, frozenset[str]] = {
    "min": frozenset(
        {"integer", "decimal", "text", "textarea", "date", "multichoice", "file", "mwc"}
    ),
    "max": frozenset(
        {"integer", "decimal", "text", "textarea", "date", "multichoice", "file", "mwc"}
    ),
    "pattern": frozenset({"text", "phone"}),
    "choices": frozenset({"choice", "multichoice"}),
    "flag": frozenset({"boolean", "yesno"}),
    "consent": frozenset({"boolean"}),
    "default": frozenset({"country"}),
}

FIELD_KEYS: tuple[str, ...] = COMMON_FIELD_KEYS + tuple(TYPED_FIELD_KEYS)

#: `mwc:` on a field means "implied when answered"; an mwc-type field is the answer itself.
MWC_KEY_EXCLUDED_TYPES = frozenset({"mwc"})

NUMBER_TYPES = frozenset({"integer", "decimal"})
LENGTH_TYPES = frozenset({"text", "textarea"})
COUNT_TYPES = frozenset({"multichoice", "file", "mwc"})
CHOICE_TYPES = frozenset({"choice", "multichoice"})

#: A yes/no question's answers besides true and false; unanswered is stored as absent.
#: A `boolean` field is a box to tick (consent), whose unticked state is an answer.
PREFER_NOT_TO_SAY = "prefer_not_to_say"
YES_NO_ANSWERS: tuple[object, ...] = (True, False, PREFER_NOT_TO_SAY)
#: How each answer is posted by a browser (show_if conditions compare these strings).
YES_NO_POSTED: dict[object, str] = {True: "true", False: "false",
                                    PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY}

FLAGS: tuple[str, ...] = ("risk_to_life", "detention", "trafficking", "minor")
CONSENT_PURPOSES: tuple[str, ...] = ("case_work", "referral", "statistics", "advocacy")
PERSONAL_KINDS: tuple[str, ...] = ("name", "contact", "document", "location")
#: Who is asked a question: `everyone` (the default: the reporter on the public form,
#: staff filing for someone) or `staff` only (answered on the case page, never on a
#: public form or through the filing API).
EVERYONE, STAFF = "everyone", "staff"
AUDIENCES: tuple[str, ...] = (EVERYONE, STAFF)

TOP_LEVEL_KEYS: tuple[str, ...] = (
    "form", "title", "description", "country", "extends", "languages",
    "terms", "sections", "override", "remove",
)
SECTION_KEYS: tuple[str, ...] = ("id", "title", "help", "show_if", "fields")
TERM_KEYS: tuple[str, ...] = ("id", "label", "help", "mwc")
CHOICE_KEYS: tuple[str, ...] = ("value", "label", "mwc", "term", "flag")

#: Which field types can carry a dimension of each kind.
DIMENSION_KIND_TYPES: dict[str, frozenset[str]] = {
    "choice": frozenset({"choice"}),
    "multichoice": frozenset({"multichoice", "choice"}),
    "country": frozenset({"country"}),
    "date": frozenset({"date"}),
}
#: A choice-kind dimension without a fixed list of values may also be free text.
FREE_CHOICE_DIMENSION_TYPES = frozenset({"choice", "text"})

FORM_ID_PATTERN = r"^[a-z0-9-]+$"
ITEM_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"

RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "he", "ps", "dv", "yi"})


def text_direction(lang: str) -> str:
    """Return "rtl" or "ltr" for a language tag, judged by its primary subtag."""
    primary = lang.split("-", 1)[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"
