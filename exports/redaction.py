"""Redaction levels, who may have which, and the redaction of one case for export.

- ``full``: every answer, sensitive ones included; only for roles listed in
  configuration, and never for a mission.
- ``pseudonymised``: the default for missions. Sensitive fields and fields marked
  ``personal`` (name, contact, document, location) are removed; the case reference
  gives way to a pseudonym; removed values are masked inside the free text left. A
  narrative (a `textarea` answer) leaves only as a reviewer approved it
  (`approved_texts`, made from `suggested_redaction`): masking finds the values the form
  removed, never a name the reporter wrote only in the story, so a narrative no
  reviewer approved is withheld, and counted (`Redactor.withheld`).
- ``aggregate``: indicator tables only; no case row ever leaves.

A pseudonym is an HMAC of the case id under a random salt made for one export:
stable within that export (two rows of one case agree), different in the next,
so two exports cannot be joined on it. For the same reason a pseudonymised case
keeps no reference, and its filing time is cut to the day.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Collection, Mapping
from enum import StrEnum
from typing import Any

from exports.consent import ConsentFilter, ConsentSummary, consent_filter
from exports.masking import Masker, Secret
from forms.schema import Field, FormDefinition

__all__ = [
    "EXPORT_ROLES",
    "NEVER_FULL",
    "ConsentFilter",
    "ConsentSummary",
    "Level",
    "LevelNotAllowed",
    "RedactionError",
    "Redactor",
    "allowed_levels",
    "check_level",
    "consent_filter",
    "is_removed",
]

#: Roles that read cases and so may export them (at least pseudonymised).
EXPORT_ROLES = frozenset({"member", "reviewer", "coordinator", "mission"})
#: Roles that never get `full`, whatever the configuration says.
NEVER_FULL = frozenset({"mission", "reporter"})
FREE_TEXT_TYPES = frozenset({"text", "textarea"})
#: Free text long enough to tell a story: it leaves pseudonymised only as approved.
NARRATIVE_TYPES = frozenset({"textarea"})
SECRET_TYPES = frozenset({"text", "textarea", "email", "phone"})
#: The keys of a case an export reads; anything else (events, reporter, duplicates...)
#: never reaches a row.
EXPORTED_KEYS = ("country", "form", "language", "created_at", "stage", "outcome",
                 "dimensions", "mwc", "terms", "consent")


class Level(StrEnum):
    FULL = "full"
    PSEUDONYMISED = "pseudonymised"
    AGGREGATE = "aggregate"


class RedactionError(ValueError):
    """A case cannot be redacted as asked (aggregate level, unopened answers)."""


class LevelNotAllowed(PermissionError):
    """The user's roles do not allow this redaction level."""

    def __init__(self, level: str, allowed: Collection[str]) -> None:
        choices = ", ".join(sorted(allowed)) or "none"
        super().__init__(f"redaction level {level!r} is not allowed; allowed: {choices}")
        self.level = level
        self.allowed = frozenset(allowed)


def allowed_levels(roles: Collection[str], full_roles: Collection[str]) -> set[Level]:
    """The levels a user with `roles` may export at; `full_roles` comes from configuration."""
    if isinstance(roles, str) or isinstance(full_roles, str):
        raise TypeError("pass roles as a collection of role names, not one string")
    held = set(roles)
    levels: set[Level] = set()
    if held & EXPORT_ROLES:
        levels |= {Level.PSEUDONYMISED, Level.AGGREGATE}
    if held & (set(full_roles) - NEVER_FULL):
        levels |= set(Level)
    return levels


def check_level(level: str, roles: Collection[str], full_roles: Collection[str]) -> Level:
    """The level, or `LevelNotAllowed` when these roles may not have it."""
    allowed = allowed_levels(roles, full_roles)
    if level not in {str(a) for a in allowed}:
        raise LevelNotAllowed(level, {str(a) for a in allowed})
    return Level(level)


def is_removed(field: Field, level: Level) -> bool:
    """True when this field's answer is left out at this level."""
    if level is Level.FULL:
        return False
    return field.sensitive or field.personal is not None


class Redactor:
    """Redact cases for one export; make a new one for every export."""

    def __init__(self, level: Level | str, *, salt: bytes | None = None,
                 pseudonym: Callable[[str], str] | None = None) -> None:
        """`pseudonym` replaces the salted HMAC when the reader must come back to a case
        by its pseudonym (the API's sealed case handles); exports leave it out."""
        self.level = Level(level)
        if self.level is Level.AGGREGATE:
            raise RedactionError("an aggregate export has indicator tables only, no case rows")
        self._salt = salt if salt is not None else secrets.token_bytes(32)
        self._pseudonym = pseudonym
        self._fields: dict[int, tuple[FormDefinition, dict[str, Field]]] = {}
        self._rules: dict[int, tuple[FormDefinition, dict[str, tuple[Field, int]]]] = {}
        #: Narratives left out so far because no reviewer approved a version of them.
        self.withheld = 0

    def pseudonym(self, case_id: str) -> str:
        if self._pseudonym is not None:
            return self._pseudonym(str(case_id))
        digest = hmac.new(self._salt, str(case_id).encode("utf-8"), hashlib.sha256)
        return "P-" + digest.hexdigest()[:12]

    def redact(self, case: Mapping[str, Any], definition: FormDefinition) -> dict[str, Any]:
        """The parts of `case` an export may show at this level, as a new dict.

        `case["sensitive_answers"]` must hold the opened sensitive answers whenever the
        case has sealed ones: a full export shows them, and a pseudonymised one needs
        them to mask them inside the narrative.
        """
        answers = _all_answers(case)
        out = {key: case.get(key) for key in EXPORTED_KEYS}
        if self.level is Level.FULL:
            fields = self._fields_of(definition)
            out["reference"] = case.get("reference")
            out["answers"] = {k: v for k, v in answers.items() if k in fields}
            return out
        out["pseudonym"] = self.pseudonym(case["_id"])
        out["created_at"] = _day(case.get("created_at"))
        out["answers"], withheld = _pseudonymised_answers(self._rules_of(definition), answers,
                                                          _approved(case))
        self.withheld += withheld
        return out

    def _fields_of(self, definition: FormDefinition) -> dict[str, Field]:
        """The form's questions by id, worked out once per form for the whole export."""
        known = self._fields.get(id(definition))
        if known is None or known[0] is not definition:
            known = (definition, {f.id: f for f in definition.fields()})
            self._fields[id(definition)] = known  # holding the definition keeps its id unique
        return known[1]

    def _rules_of(self, definition: FormDefinition) -> dict[str, tuple[Field, int]]:
        """What pseudonymising does with each question's answer, once per form."""
        known = self._rules.get(id(definition))
        if known is None or known[0] is not definition:
            known = (definition, {f.id: (f, _rule(f)) for f in definition.fields()})
            self._rules[id(definition)] = known
        return known[1]


# What pseudonymising does with an answer: keep it, keep and mask it (free text),
# keep a reviewer's approved version and mask it (a narrative), remove it and look for
# it in the free text, or just remove it.
_KEEP, _MASK, _APPROVED, _SEARCH, _DROP = range(5)


def _rule(field: Field) -> int:
    if is_removed(field, Level.PSEUDONYMISED):
        searched = field.personal is not None or field.type in SECRET_TYPES
        return _SEARCH if searched else _DROP
    if field.type in NARRATIVE_TYPES:
        return _APPROVED
    return _MASK if field.type in FREE_TEXT_TYPES else _KEEP


def _approved(case: Mapping[str, Any]) -> dict[str, str]:
    """The approved version of each narrative, by question."""
    found = case.get("approved_texts") or {}
    return {k: v["text"] for k, v in found.items()
            if isinstance(v, Mapping) and isinstance(v.get("text"), str)}


def suggested_redaction(definition: FormDefinition, case: Mapping[str, Any]) -> dict[str, str]:
    """Each narrative of the case with the values the form removes masked in it: where a
    reviewer starts the version to approve (`case["sensitive_answers"]` opened)."""
    answers = _all_answers(case)
    rules = {f.id: (f, _MASK if rule == _APPROVED else rule)
             for f, rule in ((f, _rule(f)) for f in definition.fields())}
    narratives = {f.id for f in definition.fields() if f.type in NARRATIVE_TYPES}
    kept, _ = _pseudonymised_answers(rules, answers, {})
    return {k: v for k, v in kept.items() if k in narratives and isinstance(v, str)}


def _all_answers(case: Mapping[str, Any]) -> dict[str, Any]:
    opened = case.get("sensitive_answers")
    if case.get("sensitive") and not isinstance(opened, Mapping):
        raise RedactionError(f"case {case.get('_id')!r}: open its sensitive answers first")
    return {**(case.get("answers") or {}), **(opened or {})}


def _pseudonymised_answers(rules: Mapping[str, tuple[Field, int]],
                           answers: Mapping[str, Any],
                           approved: Mapping[str, str]) -> tuple[dict[str, Any], int]:
    """Answers minus the removed ones, with the removed values masked in the free text,
    and how many narratives were withheld for want of an approved version.

    An answer to no question of the form (a stale key) is dropped: only questions
    the form defines, and so redaction knows about, leave the system.
    """
    kept: dict[str, Any] = {}
    found: list[Secret] = []
    free_text: list[str] = []
    withheld = 0
    for field_id, value in answers.items():
        rule = rules.get(field_id)
        if rule is None:
            continue
        field, what = rule
        if what == _APPROVED:
            if field_id not in approved:
                withheld += value not in (None, "")
                continue
            value = approved[field_id]
        if what == _KEEP:
            kept[field_id] = value
        elif what in (_MASK, _APPROVED):
            kept[field_id] = value
            if isinstance(value, str):
                free_text.append(field_id)
        elif what == _SEARCH:
            found += _secrets(field, value)
    if free_text:
        masker = Masker(found)
        for field_id in free_text:
            kept[field_id] = masker.mask(kept[field_id])
    return kept, withheld


def _secrets(field: Field, value: Any) -> list[Secret]:
    """The removed values worth looking for in free text: names, contacts, numbers, places."""
    if field.personal is None and field.type not in SECRET_TYPES:
        return []  # a removed choice such as gender is not searched for in the narrative
    values = value if isinstance(value, list) else [value]
    split = field.personal in ("name", "location")
    return [Secret(v, field.personal, split) for v in values if isinstance(v, str) and v.strip()]


def _day(value: Any) -> Any:
    """A timestamp cut to its day, so a pseudonymised case cannot be matched on it."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value
