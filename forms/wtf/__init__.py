"""Build a WTForms class from a merged form definition at run time, cached per version.

This is the runtime-composition recipe of the WTForms documentation (fields set
on a fresh subclass), without two faults of builders seen elsewhere: nothing here
reads a database (the caller passes the definition it loaded), and field types
map to factories through a dict, so a type without a factory fails at build time.

The checks are the definition's (`forms.answer_rules`) and nothing else; a field
hidden by ``show_if`` on the submitted answers is not validated and its value is
dropped. Messages are translated by the translations passed at instantiation::

    FormClass = build_form_class(definition, "ms")
    form = FormClass(CombinedMultiDict((request.files, request.form)),
                     meta={"translations": flask_babel.get_translations()})
    if form.validate(): form.answers(), form.files()

or ``FormClass.from_json(answers, meta=...)`` for answers sent as JSON.
"""

from __future__ import annotations

import collections
import threading
import weakref
from typing import Any

from forms.layout import describe
from forms.schema import FormDefinition
from forms.wtf.fields import FIELD_FACTORIES, BuildContext, country_names
from forms.wtf.form import DefinitionForm, FieldView, SectionView

__all__ = ["CACHE_SIZE", "FIELD_FACTORIES", "DefinitionForm", "FieldView", "SectionView",
           "build_form_class", "country_names"]

#: Built classes kept in memory: forms x versions x languages in use.
CACHE_SIZE = 256

_RESERVED = frozenset(dir(DefinitionForm))
_LOCK = threading.Lock()
_CLASSES: collections.OrderedDict[tuple[str, str], type[DefinitionForm]] = \
    collections.OrderedDict()
_HASHES: dict[int, tuple[weakref.ref, str]] = {}


def _hash_of(definition: FormDefinition) -> str:
    """The definition's hash, remembered per object: hashing a large form takes
    milliseconds, and a request builds its form from an object the store caches."""
    key = id(definition)
    entry = _HASHES.get(key)
    if entry is not None and entry[0]() is definition:
        return entry[1]
    digest = definition.definition_hash()
    _HASHES[key] = (weakref.ref(definition, lambda _ref: _HASHES.pop(key, None)), digest)
    return digest


def build_form_class(definition: FormDefinition, lang: str) -> type[DefinitionForm]:
    """The WTForms class of `definition` in `lang`, cached by (definition hash, lang)."""
    key = (_hash_of(definition), lang)
    with _LOCK:
        built = _CLASSES.get(key)
        if built is not None:
            _CLASSES.move_to_end(key)
            return built
    built = _build(definition, lang)
    with _LOCK:
        _CLASSES[key] = built
        while len(_CLASSES) > CACHE_SIZE:
            _CLASSES.popitem(last=False)
    return built


def _build(definition: FormDefinition, lang: str) -> type[DefinitionForm]:
    ctx = BuildContext(definition, lang)
    attrs: dict[str, Any] = {}
    names: dict[str, str] = {}
    for field in definition.fields():
        factory = FIELD_FACTORIES.get(field.type)
        if factory is None:
            raise ValueError(f"no field factory for the type {field.type!r} of {field.id!r}")
        # An id such as "data" or "validate" would hide the form's own attribute;
        # ids are lowercase, so a capitalised attribute name cannot clash with another.
        name = f"Q_{field.id}" if field.id in _RESERVED else field.id
        attrs[name] = factory(field, ctx)
        names[field.id] = name
    attrs.update(definition=definition, lang=lang, texts=describe(definition, lang),
                 _attr_names=names)
    class_name = "".join(p.title() for p in definition.id.split("-")) + "Form"
    return type(class_name, (DefinitionForm,), attrs)
