"""What the case page shows of a case, as plain view data for the templates.

Answers are labelled with the case's own form version and shown in the language
the reporter filed in, so a reviewer reads exactly the questions that were asked.
Words that do not come from the definition (yes, no, country names) are given in
that language too when the interface has it. Templates escape every value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale
from flask_babel import gettext as _

from app.i18n import babel_name, current_language
from config.settings import SUPPORTED_UI_LANGUAGES
from forms.dimensions import load_dimensions
from forms.mwc import code, load_taxonomy
from forms.schema import Field, FormDefinition, text_direction
from forms.vocabulary import PREFER_NOT_TO_SAY


@dataclass(frozen=True)
class Article:
    code: str
    title: str


@dataclass(frozen=True)
class TermView:
    id: str
    label: str
    help: str
    articles: list[Article]


@dataclass(frozen=True)
class AnswerRow:
    field_id: str
    label: str
    values: list[str]
    sensitive: bool = False


@dataclass
class SectionView:
    title: str
    rows: list[AnswerRow] = field(default_factory=list)


@dataclass(frozen=True)
class AnswersView:
    """The answers block: its language and direction, sections, and the terms chosen."""

    lang: str
    dir: str
    sections: list[SectionView]
    terms: list[TermView]
    sensitive_withheld: bool


def articles(numbers: Iterable[Any], lang: str | None = None) -> list[Article]:
    """MWC articles as code and title; a number outside the taxonomy keeps its code."""
    taxonomy = load_taxonomy()
    lang = lang or current_language()
    shown = []
    for number in numbers:
        if isinstance(number, int) and number in taxonomy:
            shown.append(Article(code(number), taxonomy.title(number, lang)))
        else:
            shown.append(Article(str(number), ""))
    return shown


def answers_view(definition: FormDefinition, case: Mapping[str, Any],
                 sensitive: Mapping[str, Any] | None) -> AnswersView:
    """The answers in form order; `sensitive` is None when the user may not see them."""
    lang = case.get("language") or definition.default_language
    answers = dict(case.get("answers") or {})
    sealed = set(sensitive or {})
    answers.update(sensitive or {})
    with force_locale(babel_name(lang if lang in SUPPORTED_UI_LANGUAGES else current_language())):
        sections = _sections(definition, answers, sealed, lang)
    return AnswersView(lang=lang, dir=text_direction(lang), sections=sections,
                       terms=_terms(definition, case.get("terms") or [], lang),
                       sensitive_withheld=sensitive is None and bool(case.get("sensitive")))


def _sections(definition: FormDefinition, answers: dict[str, Any], sealed: set[str],
              lang: str) -> list[SectionView]:
    sections, known = [], set()
    for section in definition.sections:
        view = SectionView(definition.text(section.title, lang))
        for item in section.fields:
            known.add(item.id)
            if item.id in answers and _answered(answers[item.id]):
                view.rows.append(AnswerRow(item.id, definition.text(item.label, lang),
                                           _values(definition, item, answers[item.id], lang),
                                           item.id in sealed))
        if view.rows:
            sections.append(view)
    stray = [k for k in answers if k not in known and _answered(answers[k])]
    if stray:  # an answer the definition no longer names: shown, never dropped silently
        sections.append(SectionView(_("Other answers"), [
            AnswerRow(k, k, [_plain(answers[k])], k in sealed) for k in stray]))
    return sections


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _values(definition: FormDefinition, item: Field, value: Any, lang: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [_one_value(definition, item, v, lang) for v in values]


def _one_value(definition: FormDefinition, item: Field, value: Any, lang: str) -> str:
    if item.type in ("boolean", "yesno") and isinstance(value, bool):
        return _("Yes") if value else _("No")
    if item.type == "yesno" and value == PREFER_NOT_TO_SAY:
        return _("Prefer not to say")
    if item.choices:
        choice = item.choice(value)
        return definition.text(choice.label, lang) if choice else _plain(value)
    if item.type == "country" and isinstance(value, str):
        return country_name(value, lang)
    if item.type == "mwc":
        number = value if isinstance(value, int) else None
        shown = articles([number if number is not None else value], lang)[0]
        return f"{shown.code} · {shown.title}" if shown.title else shown.code
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return "" if value is None else str(value)


def _terms(definition: FormDefinition, term_ids: Iterable[Any], lang: str) -> list[TermView]:
    shown = []
    for term_id in term_ids:
        try:
            term = definition.term(str(term_id))
        except KeyError:
            shown.append(TermView(str(term_id), str(term_id), "", []))
            continue
        shown.append(TermView(term.id, definition.text(term.label, lang),
                              definition.text(term.help, lang) if term.help else "",
                              articles(term.mwc)))
    return shown


def country_name(value: str, lang: str | None = None) -> str:
    """The country's name in `lang` (else the interface language), with its code."""
    try:
        locale = Locale.parse(babel_name(lang or current_language()))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse(babel_name(current_language()))
    name = locale.territories.get(value)
    return f"{name} ({value})" if name else value


def dimension_rows(dimensions: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, value) of every filled dimension, in the interface language."""
    lang = current_language()
    rows = []
    for dimension in load_dimensions():
        value = dimensions.get(dimension.id)
        if not _answered(value):
            continue
        values = value if isinstance(value, list) else [value]
        shown = [_dimension_value(dimension, v, lang) for v in values]
        title = dimension.title.get(lang) or dimension.title.get("en") or dimension.id
        rows.append((title, ", ".join(shown)))
    return rows


def _dimension_value(dimension: Any, value: Any, lang: str) -> str:
    if dimension.kind == "country" and isinstance(value, str):
        return country_name(value)
    labels = dimension.labels.get(str(value)) or {}
    return labels.get(lang) or labels.get("en") or _plain(value)
