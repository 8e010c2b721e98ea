"""The two views of one form: what reporters are asked, and what staff answer later.

A question written with ``audience: staff`` (such as the MWC articles a caseworker
finds in an account) never reaches a public form or the filing API: those build
their form class from `for_reporters(definition)`. Staff answer those questions on
the case page, with a form class built from `for_staff(definition)`. Stored cases,
exports and the codebook keep using the whole definition, where staff questions are
questions of the form like any other.

Each view is a `FormDefinition` of its own, so its hash (and so the cached WTForms
class, `forms.wtf.build_form_class`) differs from the whole form's whenever the form
has a staff question. Pure, and worked out once per definition object: the form store
hands out one cached object per published version.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable

from forms.schema import Field, FormDefinition

__all__ = ["for_reporters", "for_staff", "has_staff_fields", "staff_fields"]

_LOCK = threading.Lock()
_VIEWS: dict[tuple[int, str], tuple[weakref.ref, FormDefinition]] = {}


def staff_fields(definition: FormDefinition) -> list[Field]:
    """The questions only staff answer, in form order."""
    return [f for f in definition.fields() if f.for_staff]


def has_staff_fields(definition: FormDefinition) -> bool:
    return any(f.for_staff for f in definition.fields())


def for_reporters(definition: FormDefinition) -> FormDefinition:
    """The form without its staff questions, and without sections left empty by that."""
    return _view(definition, "reporters", lambda f: not f.for_staff)


def for_staff(definition: FormDefinition) -> FormDefinition:
    """Only the staff questions, in their sections; other sections are left out."""
    return _view(definition, "staff", lambda f: f.for_staff)


def _view(definition: FormDefinition, name: str,
          keep: Callable[[Field], bool]) -> FormDefinition:
    if name == "reporters" and not has_staff_fields(definition):
        return definition
    key = (id(definition), name)
    with _LOCK:
        entry = _VIEWS.get(key)
        if entry is not None and entry[0]() is definition:
            return entry[1]
    view = _filtered(definition, keep)
    with _LOCK:
        _VIEWS[key] = (weakref.ref(definition, lambda _ref: _VIEWS.pop(key, None)), view)
    return view


def _filtered(definition: FormDefinition, keep: Callable[[Field], bool]) -> FormDefinition:
    sections = []
    for section in definition.sections:
        fields = tuple(f for f in section.fields if keep(f))
        if fields:
            sections.append(dataclasses.replace(section, fields=fields))
    return dataclasses.replace(definition, sections=tuple(sections))
