"""Turn answers sent as JSON into what a browser would have posted.

Partner systems send answers as JSON; converting them to the strings of a form
post lets the very same built form check them, so the API applies the
definition's rules and nothing else. JSON types that cannot be an answer of the
field's type (an object where text belongs, such as ``{"$gt": ""}``) and keys
that are not questions of the form are reported, never passed on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from forms import answer_rules as rules
from forms.mwc import code
from forms.schema import Field, FormDefinition
from forms.vocabulary import YES_NO_POSTED

_MULTI = frozenset({"multichoice", "mwc"})
_NUMBERS = {"integer": rules.NOT_INTEGER, "decimal": rules.NOT_DECIMAL}


class FormData(Mapping[str, list[str]]):
    """A read-only multi-dict: what WTForms expects as form data (`getlist`)."""

    def __init__(self, lists: Mapping[str, list[str]]) -> None:
        self._lists = dict(lists)

    def __getitem__(self, key: str) -> list[str]:
        return self._lists[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def getlist(self, key: str) -> list[str]:
        return list(self._lists.get(key, []))


def json_formdata(
    definition: FormDefinition, answers: Any
) -> tuple[FormData, dict[str, rules.Refusal], list[str]]:
    """Return (form data, refusals by field id, keys that are not questions)."""
    if not isinstance(answers, Mapping):
        return FormData({}), {}, ["(answers)"]
    fields = {f.id: f for f in definition.fields()}
    lists: dict[str, list[str]] = {}
    refusals: dict[str, rules.Refusal] = {}
    unknown = [str(key) for key in answers if key not in fields]
    for field_id, value in answers.items():
        field = fields.get(field_id)
        if field is None or value is None:
            continue
        try:
            lists[field_id] = _as_posted(field, value)
        except rules.Refusal as refusal:
            refusals[field_id] = refusal
    return FormData(lists), refusals, unknown


def _as_posted(field: Field, value: Any) -> list[str]:
    """The strings a browser would send for this answer, or a Refusal."""
    if field.type == "file":
        raise rules.Refusal(rules.NOT_FILES)
    if field.type == "boolean":
        if not isinstance(value, bool):
            raise rules.Refusal(rules.NOT_YES_NO)
        return ["y"] if value else []
    if field.type == "yesno":
        if isinstance(value, (bool, str)) and value in YES_NO_POSTED:
            return [YES_NO_POSTED[value]]
        raise rules.Refusal(rules.NOT_YES_NO_ANSWER)
    if field.type in _MULTI:
        return _as_list(field, value)
    if field.type in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise rules.Refusal(_NUMBERS[field.type])
        return [str(value)]
    if not isinstance(value, str):
        raise rules.Refusal(rules.NOT_TEXT)
    return [value]


def _as_list(field: Field, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise rules.Refusal(rules.NOT_LIST)
    items = []
    for item in value:
        if field.type == "mwc" and isinstance(item, int) and not isinstance(item, bool):
            item = code(item)
        if not isinstance(item, str):
            raise rules.Refusal(rules.NOT_CHOICES)
        items.append(item)
    return items
