"""Field factories for the built questionnaires: one per field type, in one dict.

Each factory turns a definition field into an unbound WTForms field with the
label, help and choices in the form's language, and validators that run the pure
checks of `forms.answer_rules`, translating their messages with the form's
translations. A type without a factory fails when the class is built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import wtforms
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, DateInput, EmailInput, ListWidget, TelInput

from forms import answer_rules as rules
from forms.countries import country_names
from forms.layout import RADIO_LIMIT
from forms.mwc import code, load_taxonomy
from forms.schema import Field, FormDefinition
from forms.vocabulary import PREFER_NOT_TO_SAY, YES_NO_ANSWERS, YES_NO_POSTED


def empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


class _Required:
    """The definition's `required`; stops the chain quietly on an empty optional answer."""

    def __init__(self, required: bool, message: str = rules.REQUIRED) -> None:
        self.required, self.message = required, message

    def __call__(self, form: wtforms.Form, field: wtforms.Field) -> None:
        if field.process_errors:
            raise StopValidation()  # the reading error already says what is wrong
        if empty(field.data):
            raise StopValidation(field.gettext(self.message) if self.required else "")


class _Rule:
    """Run one check of `forms.answer_rules` and translate its refusal."""

    def __init__(self, check: Callable[[Any], None]) -> None:
        self.check = check

    def __call__(self, form: wtforms.Form, field: wtforms.Field) -> None:
        try:
            self.check(field.data)
        except rules.Refusal as refusal:
            raise ValidationError(refusal.text(field.gettext)) from None


class _ParsedField(wtforms.StringField):
    """A text input whose answer a rule reads into a value; the typed text is shown back."""

    def __init__(self, label: str | None = None, validators: Any = None, *,
                 parse: Callable[[Any], Any], show: Callable[[Any], str] = str,
                 **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self._parse, self._show = parse, show

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        raw = valuelist[0] if valuelist else None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return
        try:
            self.data = self._parse(raw.strip() if isinstance(raw, str) else raw)
        except rules.Refusal as refusal:
            raise ValueError(refusal.text(self.gettext)) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else self._show(self.data)


class _CheckboxesField(wtforms.SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _real_files(value: Any) -> list[Any]:
    """Keep uploads that carry a file name: an empty file input sends a nameless part."""
    return [f for f in value or () if getattr(f, "filename", None)]


@dataclass(frozen=True)
class BuildContext:
    definition: FormDefinition
    lang: str

    def text(self, translations: Any) -> str:
        return self.definition.text(translations, self.lang)

    def common(self, field: Field, *checks: Callable[[Any], None], **extra: Any) -> dict:
        """Keyword arguments every factory passes: label, help, name and validators."""
        message = rules.REQUIRED_BOX if field.type == "boolean" else rules.REQUIRED
        validators = [_Required(field.required, message), *(_Rule(c) for c in checks)]
        return {"label": self.text(field.label), "description": self.text(field.help),
                "name": field.id, "validators": validators, **extra}


def _text(widget: Any = None, cls: type = wtforms.StringField) -> Callable[..., Any]:
    def factory(field: Field, ctx: BuildContext) -> Any:
        kwargs = ctx.common(field, functools.partial(rules.check_text, field), filters=[_strip],
                            render_kw={"maxlength": rules.length_cap(field)})
        return cls(widget=widget, **kwargs) if widget else cls(**kwargs)
    return factory


def _number(parse: Callable[[Any], Any], show: Callable[[Any], str], mode: str) -> Any:
    def factory(field: Field, ctx: BuildContext) -> Any:
        return _ParsedField(parse=parse, show=show, render_kw={"inputmode": mode},
                            **ctx.common(field, functools.partial(rules.check_number, field)))
    return factory


def _date(field: Field, ctx: BuildContext) -> Any:
    bounds = {k: str(getattr(field, k)) for k in ("min", "max") if getattr(field, k)}
    return _ParsedField(parse=rules.parse_date, show=lambda d: d.isoformat(),
                        widget=DateInput(), render_kw=bounds,
                        **ctx.common(field, functools.partial(rules.check_date, field)))


def _boolean(field: Field, ctx: BuildContext) -> Any:
    return wtforms.BooleanField(**ctx.common(field))


#: The options of every yes/no question, as English msgids translated when rendered.
YES_NO_LABELS: dict[object, str] = {True: rules.N_("Yes"), False: rules.N_("No"),
                                    PREFER_NOT_TO_SAY: rules.N_("Prefer not to say")}


class _YesNoField(wtforms.RadioField):
    """Yes / No / Prefer not to say, nothing chosen until the reporter chooses: a
    question skipped stays unanswered instead of reading as "No". The labels are
    translated with the page's translations, like the error messages."""

    def iter_choices(self) -> list[Any]:
        return [choice._replace(label=self.gettext(choice.label))
                for choice in super().iter_choices()]


def _yes_no(field: Field, ctx: BuildContext) -> Any:
    choices = [SelectChoice(YES_NO_POSTED[a], YES_NO_LABELS[a]) for a in YES_NO_ANSWERS]
    return _YesNoField(choices=choices, validate_choice=False,
                       **ctx.common(field, rules.check_yes_no))


def _choice(field: Field, ctx: BuildContext) -> Any:
    choices = [SelectChoice(c.value, ctx.text(c.label)) for c in field.choices]
    check = functools.partial(rules.check_choice, {c.value: c for c in field.choices})
    if len(choices) <= RADIO_LIMIT:
        return wtforms.RadioField(choices=choices, validate_choice=False,
                                  **ctx.common(field, check))
    return wtforms.SelectField(choices=[SelectChoice("", "—"), *choices], validate_choice=False,
                               **ctx.common(field, check))


def _multichoice(field: Field, ctx: BuildContext) -> Any:
    choices = [SelectChoice(c.value, ctx.text(c.label)) for c in field.choices]
    allowed = {c.value: c for c in field.choices}
    return _CheckboxesField(choices=choices, validate_choice=False,
                            **ctx.common(field, functools.partial(rules.check_choices, field,
                                                                  allowed)))


def _country(field: Field, ctx: BuildContext) -> Any:
    names = country_names(ctx.lang)
    check = functools.partial(rules.check_choice, dict(names))
    return wtforms.SelectField(choices=[SelectChoice("", "—")] + [SelectChoice(c, n)
                                                                  for c, n in names],
                               validate_choice=False, **ctx.common(field, check))


def _mwc(field: Field, ctx: BuildContext) -> Any:
    taxonomy = load_taxonomy()
    choices = [SelectChoice(code(n), f"{taxonomy.title(n, ctx.lang)} ({code(n)})")
               for n in taxonomy.violation_codes()]
    allowed = {c.value: c for c in choices}
    return _CheckboxesField(choices=choices, validate_choice=False,
                            **ctx.common(field, functools.partial(rules.check_choices, field,
                                                                  allowed)))


def _file(field: Field, ctx: BuildContext) -> Any:
    check = functools.partial(_check_files, field)
    return wtforms.MultipleFileField(filters=[_real_files], **ctx.common(field, check))


def _check_files(field: Field, files: list[Any]) -> None:
    rules.check_count(field, len(files), rules.TOO_FEW_FILES, rules.TOO_MANY_FILES)
    if len(files) > rules.MAX_FILES_PER_FIELD:
        raise rules.Refusal(rules.TOO_MANY_FILES, max=rules.MAX_FILES_PER_FIELD)


FIELD_FACTORIES: dict[str, Callable[[Field, BuildContext], Any]] = {
    "text": _text(),
    "textarea": _text(cls=wtforms.TextAreaField),
    "email": _text(EmailInput()),
    "phone": _text(TelInput()),
    "integer": _number(rules.parse_integer, str, "numeric"),
    "decimal": _number(rules.parse_decimal, rules.decimal_text, "decimal"),
    "date": _date,
    "boolean": _boolean,
    "yesno": _yes_no,
    "choice": _choice,
    "multichoice": _multichoice,
    "country": _country,
    "mwc": _mwc,
    "file": _file,
}


