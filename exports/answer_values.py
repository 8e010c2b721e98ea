"""One answer as one cell: plain values a CSV, a sheet or a JSON line can hold.

Choices are shown by their label in the export's language (or by their stable
value, for programs), and `answer_code` gives the stable value for the code column
beside it; several choices, MWC codes and other lists are joined with "; ". Files
are shown as how many were attached, never by name: a file name can carry a
person's name.
"""

from __future__ import annotations

import datetime
from typing import Any

from forms.dimensions import Dimension
from forms.mwc import code, parse_code
from forms.schema import Field, FormDefinition
from forms.vocabulary import CHOICE_TYPES

JOIN = "; "
Cell = str | int | float | bool | None


def format_answer(field: Field, value: Any, definition: FormDefinition, lang: str, *,
                  labels: bool = True) -> Cell:
    """The cell for one answer of `field`; None when unanswered."""
    if value is None or value == "" or value == []:
        return None
    if field.type == "file":
        return len(value) if isinstance(value, list) else 1
    if field.type in CHOICE_TYPES:
        return _choices(field, value, definition, lang, labels)
    if field.type == "mwc":
        numbers = [parse_code(v) for v in (value if isinstance(value, list) else [value])]
        return JOIN.join(code(n) for n in sorted({n for n in numbers if n is not None}))
    return scalar(value)


def _choices(field: Field, value: Any, definition: FormDefinition, lang: str,
             labels: bool) -> Cell:
    values = value if isinstance(value, list) else [value]
    shown = []
    for item in values:
        choice = field.choice(item)
        if labels and choice is not None:
            shown.append(definition.text(choice.label, lang) or str(item))
        else:
            shown.append(str(item))
    return JOIN.join(shown)


def answer_code(field: Field, value: Any) -> Cell:
    """The stable value(s) of a choice answer, in the order the label cell shows them."""
    if value is None or value == "" or value == []:
        return None
    return JOIN.join(str(v) for v in (value if isinstance(value, list) else [value]))


def dimension_label(dimension: Dimension, value: Any, lang: str) -> Cell:
    """A coded dimension's value(s) by label in `lang` (English, then the code, failing that)."""
    if value is None or value == "" or value == []:
        return None
    shown = []
    for item in value if isinstance(value, (list, tuple)) else [value]:
        labels = dimension.labels.get(str(item)) or {}
        shown.append(labels.get(lang) or labels.get("en") or str(item))
    return JOIN.join(shown)


def scalar(value: Any) -> Cell:
    """A JSON scalar: lists joined, dates as ISO text, anything else as text."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return JOIN.join(str(scalar(v)) for v in value if v is not None)
    return str(value)
