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
from forms.schema import FormDefinition

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


def step_of(definition: FormDefinition, field_id: str) -> str:
    """The step that asks a question; the evidence input is a step of its own."""
    placed = definition.placed_fields.get(field_id)
    return placed[1].id if placed is not None else EVIDENCE


def first_with(definition: FormDefinition, field_ids: Iterable[str]) -> str | None:
    """The earliest step asking any of these questions (for the first error to fix)."""
    wanted = {step_of(definition, field_id) for field_id in field_ids}
    return next((step for step in all_steps(definition) if step in wanted), None)
