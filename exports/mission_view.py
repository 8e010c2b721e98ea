"""What a mission reads of one case outside an export: the pseudonymised row, by allow-list.

A mission sees its cases pseudonymised everywhere: pages, exports and the API. So
the API builds a mission's case from the same `Redactor.redact` that builds a
pseudonymised export row, and then keeps only the keys named here. Anything else a
case holds (reference, reporter, assignee, team, events and their notes, follow-ups,
attachments, duplicates, and whatever is added to cases later) never leaves, because
it is not on the list.

Pure core: plain data in and out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from exports.pipelines import with_consent
from exports.redaction import Level, Redactor
from forms.schema import FormDefinition

#: What a mission's reading is for: the purpose its exports and indicators name, so
#: a case whose reporter did not consent to it is not shown to a mission anywhere.
MISSION_PURPOSE = "statistics"
#: The keys of a mission's case, in the order they are sent.
CASE_KEYS = ("pseudonym", "country", "form", "language", "created_at", "stage", "outcome",
             "dimensions", "mwc", "terms", "answers")
#: The keys of a mission's list row: the case without its answers.
ROW_KEYS = tuple(k for k in CASE_KEYS if k != "answers")
#: The keys of a case's form reference (never the stored hash or anything added later).
FORM_KEYS = ("id", "version")
#: The keys a list row is made from (the rest of a case never reaches the redactor).
ROW_PROJECTION = ("_id", "country", "form", "language", "created_at", "stage", "outcome",
                  "dimensions", "mwc", "terms")
#: The form of a case whose own form is unknown: no questions, so no answers leave.
NO_QUESTIONS = FormDefinition(id="", title={}, languages=(), sections=())


def mission_consent() -> dict[str, Any]:
    """The clause of the cases a mission may read beyond its scope: consented ones."""
    return with_consent({}, MISSION_PURPOSE)


def mission_redactor(pseudonym: Callable[[str], str]) -> Redactor:
    """A pseudonymising redactor whose pseudonyms are the reader's case handles."""
    return Redactor(Level.PSEUDONYMISED, pseudonym=pseudonym)


def mission_case(case: Mapping[str, Any], definition: FormDefinition | None,
                 redactor: Redactor) -> dict[str, Any]:
    """One case as a mission reads it; `case` has its sealed answers opened when it has any."""
    shown = redactor.redact(case, definition or NO_QUESTIONS)
    return _allowed(shown, CASE_KEYS)


def mission_row(case: Mapping[str, Any], redactor: Redactor) -> dict[str, Any]:
    """One list row as a mission reads it: no answers, so nothing sealed is opened."""
    bare = {k: case.get(k) for k in ROW_PROJECTION}
    shown = redactor.redact({**bare, "answers": {}, "sensitive": None}, NO_QUESTIONS)
    return _allowed(shown, ROW_KEYS)


def _allowed(shown: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    view = {k: shown.get(k) for k in keys}
    form = shown.get("form")
    view["form"] = {k: form.get(k) for k in FORM_KEYS} if isinstance(form, Mapping) else None
    return view
