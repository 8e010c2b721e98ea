"""Derive the comparable parts of a case from a definition and clean answers.

Answers are plain data keyed by field id (dates as "YYYY-MM-DD", multichoice as
lists). Answers to fields hidden by ``show_if`` are dropped everywhere, so a value
left behind after the reporter changed an earlier answer never counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from forms.mwc import parse_code
from forms.schema import Choice, Field, FormDefinition, ShowIf
from forms.vocabulary import CHOICE_TYPES, CONSENT_PURPOSES, FLAGS

Answers = Mapping[str, Any]


class _Visibility:
    """Evaluate show_if for sections and fields, following chains of conditions."""

    def __init__(self, definition: FormDefinition, answers: Answers) -> None:
        self._answers = answers
        self._placed = definition.placed_fields
        self._known: dict[str, bool] = {}

    def shown(self, field_id: str) -> bool:
        if field_id not in self._known:
            self._known[field_id] = False  # a loop (rejected by validation) stays hidden
            placed = self._placed.get(field_id)
            self._known[field_id] = placed is not None and (
                self._holds(placed[1].show_if) and self._holds(placed[0].show_if)
            )
        return self._known[field_id]

    def _holds(self, condition: ShowIf | None) -> bool:
        if condition is None:
            return True
        return self.shown(condition.field) and condition.matches(
            self._answers.get(condition.field)
        )


def visible_fields(definition: FormDefinition, answers: Answers) -> list[Field]:
    """The fields the reporter sees given these answers, in form order."""
    visibility = _Visibility(definition, answers)
    return [f for f in definition.fields() if visibility.shown(f.id)]


def visible_answers(definition: FormDefinition, answers: Answers) -> dict[str, Any]:
    """The answers to visible fields only; unknown and hidden keys are dropped."""
    return {f.id: answers[f.id] for f in visible_fields(definition, answers) if f.id in answers}


#: Each visible answered field with its answer and the choices that answer picks.
Answered = list[tuple[Field, Any, list[Choice]]]


def _answered(definition: FormDefinition, answers: Answers) -> Answered:
    """What every derivation reads, worked out once per case by `derive_case_fields`."""
    return [(field, value, _chosen(field, value))
            for field in visible_fields(definition, answers)
            if _implies(field, value := answers.get(field.id))]


def _implies(field: Field, value: Any) -> bool:
    """True, or any non-empty value; false and empty answers imply nothing, and neither
    does "prefer not to say" to a yes/no question."""
    if isinstance(value, bool) or field.type == "yesno":
        return value is True
    return value is not None and value != "" and value != [] and value != {}


def _chosen(field: Field, value: Any) -> list[Choice]:
    if field.type not in CHOICE_TYPES:
        return []
    values = value if isinstance(value, list) else [value]
    return [c for c in (field.choice(v) for v in values) if c is not None]


def chosen_terms(definition: FormDefinition, answers: Answers) -> list[str]:
    """Ids of the local terms attached to the chosen choices, sorted."""
    return _terms_of(definition, _answered(definition, answers))


def _terms_of(definition: FormDefinition, answered: Answered) -> list[str]:
    return sorted({c.term for _, _, chosen in answered for c in chosen if c.term})


def derive_mwc(definition: FormDefinition, answers: Answers) -> list[int]:
    """MWC articles implied by the answers: choices, their terms, mwc fields, flags."""
    return _mwc_of(definition, _answered(definition, answers))


def _mwc_of(definition: FormDefinition, answered: Answered) -> list[int]:
    terms = {t.id: t for t in definition.terms}
    codes: set[int] = set()
    for field, value, chosen in answered:
        for choice in chosen:
            codes.update(choice.mwc)
            if choice.term in terms:
                codes.update(terms[choice.term].mwc)
        if field.type == "mwc":
            values = value if isinstance(value, list) else [value]
            codes.update(c for c in map(parse_code, values) if c is not None)
        else:
            codes.update(field.mwc)
    return sorted(codes)


def derive_dimensions(definition: FormDefinition, answers: Answers) -> dict[str, Any]:
    """Every dimension the form fills, with its answer or None when not answered."""
    return _dimensions_of(definition, _answered(definition, answers))


def _dimensions_of(definition: FormDefinition, answered: Answered) -> dict[str, Any]:
    dimensions: dict[str, Any] = {f.dimension: None for f in definition.fields() if f.dimension}
    for field, value, _ in answered:
        if field.dimension:
            dimensions[field.dimension] = _plain_value(value)
    return dimensions


def _plain_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def derive_flags(definition: FormDefinition, answers: Answers) -> dict[str, bool]:
    """Routing signals: a flagged boolean answered yes, or a flagged choice chosen."""
    return _flags_of(definition, _answered(definition, answers))


def _flags_of(definition: FormDefinition, answered: Answered) -> dict[str, bool]:
    flags = dict.fromkeys(FLAGS, False)
    for field, value, chosen in answered:
        raised = [field.flag] if field.flag and value is True else []
        raised += [c.flag for c in chosen if c.flag]
        flags.update((flag, True) for flag in raised if flag in flags)
    return flags


def derive_consent(definition: FormDefinition, answers: Answers) -> dict[str, bool]:
    """Each purpose is consented only by a visible consent field answered true."""
    return _consent_of(definition, _answered(definition, answers))


def _consent_of(definition: FormDefinition, answered: Answered) -> dict[str, bool]:
    consent = dict.fromkeys(CONSENT_PURPOSES, False)
    for field, value, _ in answered:
        if field.consent in consent and value is True:
            consent[field.consent] = True
    return consent


def split_sensitive(
    definition: FormDefinition, answers: Answers
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split visible answers into (plain, sensitive); the second is encrypted at rest."""
    plain: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    for field in visible_fields(definition, answers):
        if field.id in answers:
            (sensitive if field.sensitive else plain)[field.id] = answers[field.id]
    return plain, sensitive


def derive_case_fields(definition: FormDefinition, answers: Answers) -> dict[str, Any]:
    """The derived keys of a case document: mwc, terms, dimensions, flags, consent."""
    answered = _answered(definition, answers)
    return {
        "mwc": _mwc_of(definition, answered),
        "terms": _terms_of(definition, answered),
        "dimensions": _dimensions_of(definition, answered),
        "flags": _flags_of(definition, answered),
        "consent": _consent_of(definition, answered),
    }
