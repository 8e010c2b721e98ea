"""The base class of every built questionnaire: visibility-aware validation,
clean answers, uploads, and the views templates render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import wtforms
from wtforms.i18n import DummyTranslations
from wtforms.meta import DefaultMeta

from forms import answer_rules as rules
from forms.answers import visible_fields
from forms.json_answers import json_formdata
from forms.layout import FieldText, FormText, SectionText, show_if_attributes
from forms.schema import Field, FormDefinition
from forms.vocabulary import YES_NO_POSTED
from forms.wtf.fields import empty


class _Meta(DefaultMeta):
    """``meta={"translations": t}``: any object with gettext/ngettext, e.g. Flask-Babel's."""

    translations: Any = None

    def get_translations(self, form: wtforms.Form) -> Any:
        return self.translations if self.translations is not None else DummyTranslations()


@dataclass(frozen=True)
class FieldView:
    """One question ready for a template: its texts, its bound field, its condition."""

    text: FieldText
    field: wtforms.Field
    attributes: dict[str, str]  # data-show-if-* for the element wrapping the question


@dataclass(frozen=True)
class SectionView:
    text: SectionText
    attributes: dict[str, str]
    fields: tuple[FieldView, ...]


class DefinitionForm(wtforms.Form):
    """Base of every built questionnaire; the builder sets the class attributes."""

    Meta = _Meta
    definition: ClassVar[FormDefinition]
    lang: ClassVar[str] = ""
    texts: ClassVar[FormText]
    _attr_names: ClassVar[dict[str, str]] = {}

    def by_id(self, field_id: str) -> wtforms.Field:
        """The bound field of a question (its attribute may differ from its id)."""
        return self[self._attr_names[field_id]]

    def plain_values(self) -> dict[str, Any]:
        """Every question's current value as plain JSON data, hidden ones included."""
        return {f.id: _plain(f, self.by_id(f.id).data) for f in self.definition.fields()}

    def visible_ids(self, values: dict[str, Any] | None = None) -> set[str]:
        values = self.plain_values() if values is None else values
        return {f.id for f in visible_fields(self.definition, values)}

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        """Check the visible questions only; a hidden one is neither required nor kept."""
        visible = self.visible_ids()
        valid = not self.form_errors
        for field in self.definition.fields():
            bound = self.by_id(field.id)
            if field.id not in visible:
                bound.errors = []
                continue
            extra = (extra_validators or {}).get(field.id, ())
            valid = bound.validate(self, extra) and valid
        return valid

    def answers(self) -> dict[str, Any]:
        """Answers to visible, non-file questions as JSON values: dates "YYYY-MM-DD",
        decimals as text ("12.50", exact), lists for multichoice and mwc ("MWC-21"),
        a box always given (unticked is false); questions left empty, yes/no questions
        included, are left out."""
        values = self.plain_values()
        visible = self.visible_ids(values)
        return {
            f.id: values[f.id] for f in self.definition.fields()
            if f.id in visible and f.type != "file" and _given(f, values[f.id])
        }

    def files(self) -> dict[str, list[Any]]:
        """The uploads (FileStorage-like objects) of visible file questions."""
        visible = self.visible_ids()
        return {f.id: list(self.by_id(f.id).data) for f in self.definition.fields()
                if f.type == "file" and f.id in visible and self.by_id(f.id).data}

    def sections(self) -> list[SectionView]:
        """Sections and questions in form order, for templates."""
        return [
            SectionView(s, self._condition(s.show_if), tuple(
                FieldView(f, self.by_id(f.id), self._condition(f.show_if)) for f in s.fields))
            for s in self.texts.sections
        ]

    def _condition(self, show_if: Any) -> dict[str, str]:
        if show_if is None:
            return {}
        return show_if_attributes(show_if, self.by_id(show_if.field).name)

    @classmethod
    def blank(cls, **kwargs: Any) -> DefinitionForm:
        """The form as a reporter first sees it: each question with a `default` (a single
        country form's own country) starts at it. Only here: an answer sent without it,
        from a page or the API, stays unanswered."""
        data = {cls._attr_names[f.id]: f.default for f in cls.definition.fields() if f.default}
        return cls(data=data, **kwargs)

    @classmethod
    def from_json(cls, answers: Any, **kwargs: Any) -> DefinitionForm:
        """A form filled from JSON answers; wrong JSON types and unknown keys are errors."""
        formdata, refusals, unknown = json_formdata(cls.definition, answers)
        form = cls(formdata=formdata, **kwargs)
        gettext = form.meta.get_translations(form).gettext
        for field_id, refusal in refusals.items():
            form.by_id(field_id).process_errors.append(refusal.text(gettext))
        form.form_errors = [rules.Refusal(rules.UNKNOWN_QUESTION, field=k).text(gettext)
                            for k in unknown]
        return form


def _given(field: Field, value: Any) -> bool:
    if field.type == "boolean":
        return True
    if field.type == "yesno":
        return value is not None
    return not empty(value)


#: A yes/no question's posted option as its stored answer; anything else is unanswered.
_YES_NO_STORED = {posted: answer for answer, posted in YES_NO_POSTED.items()}


def _unique(data: Any) -> list[Any]:
    return list(dict.fromkeys(data)) if isinstance(data, list) else []


#: How each type's field data becomes a plain JSON value; other types keep their text.
_PLAIN: dict[str, Callable[[Any], Any]] = {
    "boolean": bool,
    "yesno": lambda data: _YES_NO_STORED.get(data) if isinstance(data, str) else None,
    "integer": lambda data: data,
    "decimal": lambda data: None if data is None else rules.decimal_text(data),
    "date": lambda data: None if data is None else data.isoformat(),
    "multichoice": _unique,
    "mwc": _unique,
    "file": lambda data: None,
}


def _plain(field: Field, data: Any) -> Any:
    convert = _PLAIN.get(field.type)
    if convert is not None:
        return convert(data)
    return data if isinstance(data, str) else None
