"""What the case page shows of a case, as plain view data for the templates.

Answers are labelled with the case's own form version, in the VIEWER's language:
each question, section, choice and term label is the form's text in the viewer's
interface language when the form has it, else in the form's default language, else
in the language the reporter filed in. Each shown text carries the language it is
really in, so the page can mark the ones that differ from the page with `lang`.
The reporter's own words (free text) are never translated: they carry the
reporter's language and direction. Templates escape every value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import gettext as _

from app.i18n import babel_name, current_language
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
    label: Text
    help: Text | None
    articles: list[Article]


@dataclass(frozen=True)
class Text:
    """A text with the language it is in and that language's direction."""

    text: str
    lang: str
    dir: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class AnswerRow:
    field_id: str
    label: Text
    values: list[Text]
    sensitive: bool = False
    own_words: bool = False  # the reporter's free text, shown as written


@dataclass
class SectionView:
    title: Text
    rows: list[AnswerRow] = field(default_factory=list)


@dataclass(frozen=True)
class AnswersView:
    """The answers block: the page's language, the reporter's, sections and terms chosen."""

    lang: str
    dir: str
    reporter_lang: str
    reporter_dir: str
    reporter_language_name: str
    sections: list[SectionView]
    terms: list[TermView]
    sensitive_withheld: bool


class LabelLanguages:
    """Which of a form text's translations a viewer reads: theirs, the form's default
    language, then the reporter's, then any (the form's own fallback)."""

    def __init__(self, definition: FormDefinition, viewer: str, reporter: str) -> None:
        self.order = list(dict.fromkeys([viewer, definition.default_language, reporter]))

    def text(self, translations: Mapping[str, str]) -> Text:
        for lang in self.order:
            if translations.get(lang):
                return Text(translations[lang], lang, text_direction(lang))
        lang, text = next(iter(translations.items()), (self.order[0], ""))
        return Text(text, lang, text_direction(lang))


def language_name(tag: str, viewer: str | None = None) -> str:
    """The name of language `tag` in the viewer's language (else its own tag)."""
    try:
        locale = Locale.parse(babel_name(tag))
        name = locale.get_display_name(babel_name(viewer or current_language()))
    except (UnknownLocaleError, ValueError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


#: Field types whose answers are the reporter's own words, shown as written.
OWN_WORDS_TYPES = frozenset({"text", "textarea"})


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
                 sensitive: Mapping[str, Any] | None,
                 viewer: str | None = None) -> AnswersView:
    """The answers in form order; `sensitive` is None when the user may not see them."""
    viewer = viewer or current_language()
    reporter = case.get("language") or definition.default_language
    labels = LabelLanguages(definition, viewer, reporter)
    answers = dict(case.get("answers") or {})
    sealed = set(sensitive or {})
    answers.update(sensitive or {})
    own = Text("", reporter, text_direction(reporter))
    return AnswersView(lang=viewer, dir=text_direction(viewer), reporter_lang=reporter,
                       reporter_dir=own.dir, reporter_language_name=language_name(reporter,
                                                                                  viewer),
                       sections=_sections(definition, answers, sealed, labels, own),
                       terms=_terms(definition, case.get("terms") or [], labels),
                       sensitive_withheld=sensitive is None and bool(case.get("sensitive")))


def _sections(definition: FormDefinition, answers: dict[str, Any], sealed: set[str],
              labels: LabelLanguages, own: Text) -> list[SectionView]:
    sections, known = [], set()
    for section in definition.sections:
        view = SectionView(labels.text(section.title))
        for item in section.fields:
            known.add(item.id)
            if item.id in answers and _answered(answers[item.id]):
                view.rows.append(_row(definition, item, answers[item.id], item.id in sealed,
                                      labels, own))
        if view.rows:
            sections.append(view)
    stray = [k for k in answers if k not in known and _answered(answers[k])]
    if stray:  # an answer the definition no longer names: shown, never dropped silently
        page = _page_text(_("Other answers"), labels)
        sections.append(SectionView(page, [
            AnswerRow(k, _page_text(k, labels), [_own(_plain(answers[k]), own)], k in sealed,
                      True) for k in stray]))
    return sections


def _row(definition: FormDefinition, item: Field, value: Any, sealed: bool,
         labels: LabelLanguages, own: Text) -> AnswerRow:
    values = value if isinstance(value, list) else [value]
    if item.type in OWN_WORDS_TYPES:
        return AnswerRow(item.id, labels.text(item.label),
                         [_own(_plain(v), own) for v in values], sealed, True)
    return AnswerRow(item.id, labels.text(item.label),
                     [_one_value(item, v, labels) for v in values], sealed)


def _own(text: str, own: Text) -> Text:
    return Text(text, own.lang, own.dir)


def _page_text(text: str, labels: LabelLanguages) -> Text:
    lang = labels.order[0]
    return Text(text, lang, text_direction(lang))


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _one_value(item: Field, value: Any, labels: LabelLanguages) -> Text:
    viewer = labels.order[0]
    if item.type in ("boolean", "yesno") and isinstance(value, bool):
        return _page_text(_("Yes") if value else _("No"), labels)
    if item.type == "yesno" and value == PREFER_NOT_TO_SAY:
        return _page_text(_("Prefer not to say"), labels)
    if item.choices:
        choice = item.choice(value)
        return labels.text(choice.label) if choice else _page_text(_plain(value), labels)
    if item.type == "country" and isinstance(value, str):
        return _page_text(country_name(value, viewer), labels)
    if item.type == "mwc":
        number = value if isinstance(value, int) else None
        shown = articles([number if number is not None else value], viewer)[0]
        return _page_text(f"{shown.code} · {shown.title}" if shown.title else shown.code,
                          labels)
    return _page_text(_plain(value), labels)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return "" if value is None else str(value)


def _terms(definition: FormDefinition, term_ids: Iterable[Any],
           labels: LabelLanguages) -> list[TermView]:
    shown = []
    for term_id in term_ids:
        try:
            term = definition.term(str(term_id))
        except KeyError:
            shown.append(TermView(str(term_id), _page_text(str(term_id), labels), None, []))
            continue
        shown.append(TermView(term.id, labels.text(term.label),
                              labels.text(term.help) if term.help else None,
                              articles(term.mwc, labels.order[0])))
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
    rows = []
    for dimension in load_dimensions():
        value = dimensions.get(dimension.id)
        if not _answered(value):
            continue
        values = value if isinstance(value, list) else [value]
        shown = [dimension_value(dimension.id, v) for v in values]
        rows.append((dimension_title(dimension.id), ", ".join(shown)))
    return rows


def dimension_title(dimension_id: str, lang: str | None = None) -> str:
    """A standard dimension's title in `lang` (else the interface language), else in
    English, else its id: the words the case page shows above the value."""
    try:
        dimension = load_dimensions().get(dimension_id)
    except KeyError:
        return dimension_id
    lang = lang or current_language()
    return dimension.title.get(lang) or dimension.title.get("en") or dimension.id


def dimension_value(dimension_id: str, value: Any, lang: str | None = None) -> str:
    """One stored value of a dimension in words (a country by its name), as the case page
    shows it; a value the dimension does not list keeps its code."""
    lang = lang or current_language()
    try:
        dimension = load_dimensions().get(dimension_id)
    except KeyError:
        return _plain(value)
    if dimension.kind == "country" and isinstance(value, str):
        return country_name(value, lang)
    labels = dimension.labels.get(str(value)) or {}
    return labels.get(lang) or labels.get("en") or _plain(value)


def priority_label(priority: str) -> str:
    """A case's priority in words, as the queue and the rules page show it; an unknown
    one keeps its name."""
    return {"urgent": _("Urgent"), "normal": _("Normal")}.get(priority, priority)
