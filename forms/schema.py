"""Frozen dataclasses for a valid, merged form definition.

`to_dict()` writes the same shape as the YAML format (``form`` for the id, MWC
codes as numbers) and leaves out keys at their default, so adding an optional key
to the format later does not change the hash of definitions that do not use it.
A case stores `definition_hash()` and is always rendered with that version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from forms.mwc import parse_code
from forms.vocabulary import EVERYONE, STAFF, text_direction

__all__ = [
    "Choice", "Field", "FormDefinition", "Section", "ShowIf", "Term", "text_direction",
]

Translations = Mapping[str, str]


def _texts(value: Any) -> dict[str, str]:
    return dict(value) if isinstance(value, Mapping) else {}


def _codes(value: Any) -> tuple[int, ...]:
    codes = (parse_code(v) for v in value or ())
    return tuple(sorted({c for c in codes if c is not None}))


def _plain(value: Any) -> Any:
    """Turn a dataclass value into JSON-able data, or None when it is a default."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value] or None
    if isinstance(value, Mapping):
        return dict(value) or None
    return None if value is False else value


def _to_dict(obj: Any, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    out = {}
    for name in obj.__dataclass_fields__:
        value = _plain(getattr(obj, name))
        if value is not None:
            out[(names or {}).get(name, name)] = value
    return out


@dataclass(frozen=True)
class ShowIf:
    """Show an item only when `field` is answered with one of `values`."""

    field: str
    values: tuple[Any, ...]
    any_of: bool = False  # written with `in:` rather than `equals:`

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShowIf:
        if "in" in data:
            return cls(data["field"], tuple(data["in"]), any_of=True)
        return cls(data["field"], (data.get("equals"),))

    def to_dict(self) -> dict[str, Any]:
        if self.any_of:
            return {"field": self.field, "in": list(self.values)}
        return {"field": self.field, "equals": self.values[0]}

    def matches(self, answer: Any) -> bool:
        """True when the answer is one of the values; for a list, when it contains one."""
        answers = answer if isinstance(answer, list) else [answer]
        return any(_same(a, v) for a in answers for v in self.values)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kind, so that true never matches 1."""
    return (isinstance(a, bool) == isinstance(b, bool)) and a == b


@dataclass(frozen=True)
class Choice:
    value: str
    label: Translations
    mwc: tuple[int, ...] = ()
    term: str | None = None
    flag: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Choice:
        return cls(data["value"], _texts(data.get("label")), _codes(data.get("mwc")),
                   data.get("term"), data.get("flag"))

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)


@dataclass(frozen=True)
class Term:
    """A local legal term, shown with its meaning and mapped to MWC articles."""

    id: str
    label: Translations
    help: Translations = field(default_factory=dict)
    mwc: tuple[int, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Term:
        return cls(data["id"], _texts(data.get("label")), _texts(data.get("help")),
                   _codes(data.get("mwc")))

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: Translations
    help: Translations = field(default_factory=dict)
    required: bool = False
    min: Any = None
    max: Any = None
    pattern: str | None = None
    choices: tuple[Choice, ...] = ()
    terms: tuple[str, ...] = ()
    show_if: ShowIf | None = None
    dimension: str | None = None
    sensitive: bool = False
    personal: str | None = None
    consent: str | None = None
    flag: str | None = None
    mwc: tuple[int, ...] = ()
    default: str | None = None  # a country question's starting answer on a blank form
    #: None for everyone (so definitions without the key keep their hash), else "staff".
    audience: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Field:
        show_if = data.get("show_if")
        return cls(
            id=data["id"], type=data["type"], label=_texts(data.get("label")),
            help=_texts(data.get("help")), required=bool(data.get("required", False)),
            min=data.get("min"), max=data.get("max"), pattern=data.get("pattern"),
            choices=tuple(Choice.from_dict(c) for c in data.get("choices") or ()),
            terms=tuple(data.get("terms") or ()),
            show_if=ShowIf.from_dict(show_if) if show_if else None,
            dimension=data.get("dimension"), sensitive=bool(data.get("sensitive", False)),
            personal=data.get("personal"), consent=data.get("consent"),
            flag=data.get("flag"), mwc=_codes(data.get("mwc")), default=data.get("default"),
            audience=_audience(data.get("audience")),
        )

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    def choice(self, value: Any) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    @property
    def for_staff(self) -> bool:
        """True for a question only staff answer, on the case page."""
        return self.audience == STAFF


def _audience(value: Any) -> str | None:
    """`everyone` is the default, written or not, so writing it changes no hash."""
    return None if value in (None, EVERYONE) else str(value)


@dataclass(frozen=True)
class Section:
    id: str
    title: Translations
    help: Translations = field(default_factory=dict)
    show_if: ShowIf | None = None
    fields: tuple[Field, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Section:
        show_if = data.get("show_if")
        return cls(data["id"], _texts(data.get("title")), _texts(data.get("help")),
                   ShowIf.from_dict(show_if) if show_if else None,
                   tuple(Field.from_dict(f) for f in data.get("fields") or ()))

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)


@dataclass(frozen=True)
class FormDefinition:
    """A merged definition, ready to render, derive from, and store by hash."""

    id: str
    title: Translations
    languages: tuple[str, ...]
    sections: tuple[Section, ...]
    terms: tuple[Term, ...] = ()
    description: Translations = field(default_factory=dict)
    country: str | None = None
    extends: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormDefinition:
        """Build from `to_dict()` output or from a valid merged mapping."""
        return cls(
            id=data["form"], title=_texts(data.get("title")),
            languages=tuple(data.get("languages") or ()),
            sections=tuple(Section.from_dict(s) for s in data.get("sections") or ()),
            terms=tuple(Term.from_dict(t) for t in data.get("terms") or ()),
            description=_texts(data.get("description")),
            country=data.get("country"), extends=data.get("extends"),
        )

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self, {"id": "form"})

    def definition_hash(self) -> str:
        """"sha256:" + hex digest of the canonical JSON of `to_dict()`."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False)
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else "en"

    def fields(self) -> Iterator[Field]:
        """Every field, section by section, in form order."""
        for section in self.sections:
            yield from section.fields

    @cached_property
    def placed_fields(self) -> dict[str, tuple[Field, Section]]:
        """Each field id with its field and section, in form order: worked out once per
        definition, since intake and the generator ask it for every case."""
        return {f.id: (f, s) for s in self.sections for f in s.fields}

    def field(self, field_id: str) -> Field:
        """The field with this id; KeyError when there is none."""
        for candidate in self.fields():
            if candidate.id == field_id:
                return candidate
        raise KeyError(field_id)

    def section_of(self, field_id: str) -> Section:
        for section in self.sections:
            if any(f.id == field_id for f in section.fields):
                return section
        raise KeyError(field_id)

    def term(self, term_id: str) -> Term:
        for candidate in self.terms:
            if candidate.id == term_id:
                return candidate
        raise KeyError(term_id)

    def text(self, translations: Translations, lang: str) -> str:
        """The text in `lang`, else in the form's default language, else any."""
        return (
            translations.get(lang)
            or translations.get(self.default_language)
            or next(iter(translations.values()), "")
        )

    def text_direction(self, lang: str) -> str:
        return text_direction(lang)
