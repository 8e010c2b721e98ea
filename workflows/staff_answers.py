"""Answers to the questions only staff answer (`audience: staff`), given on the case page.

Pure: the case as read, its form version, the answers it holds (sensitive ones opened)
and the staff answers given in, the changes to write out. The staff answers join the
case's answers as if the form had been filled in once: plain ones in `answers`,
sensitive ones in the sealed set, so exports and the codebook read them as any other
question of the form. What the answers imply is worked out again from all of them:
the MWC articles, local terms and dimensions, the event period, and the search words
of a routed case. Flags (routing is done) and consent (the person's alone, and which
they may since have withdrawn) are left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.answers import derive_case_fields
from forms.audience import for_staff, staff_fields
from forms.schema import FormDefinition
from workflows.case_facts import event_period
from workflows.intake import check_answers
from workflows.search_terms import search_terms

#: The derived keys a staff answer may change.
RECOMPUTED = ("mwc", "terms", "dimensions")


class StaffAnswersRefused(ValueError):
    """The answers name a question that is not for staff, or are not plain values."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__(", ".join(fields))


def merged_answers(definition: FormDefinition, plain: Mapping[str, Any],
                   opened: Mapping[str, Any], given: Mapping[str, Any]
                   ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(plain, sensitive, changed ids): the case's answers with every staff question
    answered as `given` says, a staff question left out of `given` now unanswered."""
    problems = check_answers(for_staff(definition), given, definition.default_language)
    if problems:
        raise StaffAnswersRefused([p.field for p in problems])
    plain, sensitive = dict(plain), dict(opened)
    changed = []
    for field in staff_fields(definition):
        before = sensitive.get(field.id, plain.get(field.id))
        plain.pop(field.id, None)
        sensitive.pop(field.id, None)
        if field.id in given:
            (sensitive if field.sensitive else plain)[field.id] = given[field.id]
        if given.get(field.id) != before:
            changed.append(field.id)
    return plain, sensitive, changed


def staff_answer_changes(case: Mapping[str, Any], definition: FormDefinition,
                         plain: dict[str, Any], sensitive: dict[str, Any]) -> dict[str, Any]:
    """The `$set` of the case for these answers (sealing left to the caller)."""
    answers = {**plain, **sensitive}
    derived = derive_case_fields(definition, answers)
    changes: dict[str, Any] = {"answers": plain, **{k: derived[k] for k in RECOMPUTED}}
    period = event_period(answers)
    if period != case.get("event"):
        changes["event"] = period
    if "search_terms" in case:
        changes["search_terms"] = search_terms({**case, "answers": plain,
                                                "terms": derived["terms"]})
    return changes
