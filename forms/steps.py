"""The questionnaire as a sequence of steps: one per section, the evidence upload,
and a last step to check every answer and send.

Pure: the public questionnaire asks which steps a reporter sees given the answers
so far, which comes next or before, and which step holds a question. A section
none of whose questions would be shown (its `show_if`, or theirs, says no on the
answers of earlier steps) is skipped, both going forward and going back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from forms.answers import visible_fields
from forms.schema import Field, FormDefinition

#: The step where the reporter attaches files; it comes before consent, as on the
#: one-page form, so the reporter gives consent knowing what they sent.
EVIDENCE = "evidence"
#: The last step: every answer to check, each with a way to change it, and the send button.
CHECK = "check"
CONSENT_SECTION = "consent"


def all_steps(definition: FormDefinition) -> list[str]:
    """Every step id in order, whatever the answers."""
    ids = [section.id for section in definition.sections]
    ids.insert(ids.index(CONSENT_SECTION) if CONSENT_SECTION in ids else len(ids), EVIDENCE)
    return [*ids, CHECK]


def shown_steps(definition: FormDefinition, answers: Mapping[str, Any]) -> list[str]:
    """The steps this reporter goes through, given their answers so far."""
    visible = {f.id for f in visible_fields(definition, answers)}
    sections = {s.id: s for s in definition.sections}
    return [step for step in all_steps(definition)
            if step not in sections or any(f.id in visible for f in sections[step].fields)]


def neighbour(steps: list[str], step: str, offset: int) -> str | None:
    """The step `offset` places from `step` (1 next, -1 back), or None past either end."""
    if step not in steps:
        return steps[0] if steps else None
    position = steps.index(step) + offset
    return steps[position] if 0 <= position < len(steps) else None


def next_needing_answer(definition: FormDefinition, steps: list[str],
                        answers: Mapping[str, Any], after: str) -> str:
    """The first step after `after` that asks a required question still unanswered, or
    the check step when none does: where "skip the optional questions" leads.

    A person short of time, or at risk while filing, can send a minimal report (the
    story, the country, consent) without paging through every optional question; the
    steps in between stay open to them from the list of steps. A question preselected
    by its `default` (a single-country form's own country) counts as answered, as it
    would be had the reporter pressed Next on its page (see `defaults_passed_over`).
    """
    start = steps.index(after) + 1 if after in steps else 0
    visible = {f.id for f in visible_fields(definition, answers)}
    return next((step for step in steps[start:]
                 if _unanswered(fields_of(definition, step), visible, answers)), CHECK)


def fields_of(definition: FormDefinition, step: str) -> list[Field]:
    """The questions a step asks; none for the evidence and check steps."""
    section = next((s for s in definition.sections if s.id == step), None)
    return list(section.fields) if section is not None else []


def needs_answer(definition: FormDefinition, step: str, answers: Mapping[str, Any]) -> bool:
    """Whether a step asks a shown, required question not answered yet."""
    fields = fields_of(definition, step)
    if not fields:
        return False
    return _unanswered(fields, {f.id for f in visible_fields(definition, answers)}, answers)


def _unanswered(fields: list[Field], visible: set[str], answers: Mapping[str, Any]) -> bool:
    return any(f.required and f.id in visible and answers.get(f.id, f.default) in _UNANSWERED
               for f in fields)


def defaults_passed_over(definition: FormDefinition, passed: list[str],
                         answers: Mapping[str, Any]) -> dict[str, Any]:
    """The preselected answers of the steps a reporter skipped, which they would have
    kept by pressing Next there: only questions not answered yet."""
    return {f.id: f.default for step in passed for f in fields_of(definition, step)
            if f.default and f.id not in answers}


#: Values that leave a required question unanswered (an unticked box among them).
_UNANSWERED = (None, "", [], False)


def step_of(definition: FormDefinition, field_id: str) -> str:
    """The step that asks a question; the evidence input is a step of its own."""
    placed = definition.placed_fields.get(field_id)
    return placed[1].id if placed is not None else EVIDENCE


def first_with(definition: FormDefinition, field_ids: Iterable[str]) -> str | None:
    """The earliest step asking any of these questions (for the first error to fix)."""
    wanted = {step_of(definition, field_id) for field_id in field_ids}
    return next((step for step in all_steps(definition) if step in wanted), None)
