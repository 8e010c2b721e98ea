"""The columns of an export and the rows of each case, across forms and countries.

The column set comes from the form versions an export covers, known before the
first case is read (the filter's form list, or a grouping query), so cases are
read once, as a stream. Cases filed on different country forms line up:

- common columns (reference or pseudonym, countries, dates, stage, outcome, the
  standard dimensions, MWC articles as codes and titles, consent) are the same for
  every form;
- each form's own questions are further columns keyed by field id, the union over
  the forms, empty where a form lacks the question;
- each local term is a column of its own, headed with its country and the MWC
  articles it maps to, so a Malaysian "PATI" and a Singaporean "Work Permit" case
  meet in the MWC columns while keeping their own words.

A second table, "violations", has one row per case and MWC article: the counting
rule of the indicators (one violation per case per article), ready for pivot tables.
A third, the codebook (`exports.codebook`), says what every column holds.

Titles are unique and in the export's language: a question is titled "Section:
Question". A coded value (a choice, a dimension with fixed values) fills two columns,
its label and, beside it, its code (`<key>.code`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from exports.answer_values import JOIN, answer_code, dimension_label, format_answer, scalar
from exports.codebook import (
    ANSWER_KINDS,
    CODE_KIND,
    COMMON_NOTES,
    DIMENSION_KINDS,
    DIMENSION_SENSITIVITY,
    FREE_TEXT_SENSITIVITY,
    LABEL_KIND,
    NOT_SENSITIVE,
    TERM_KIND,
    ColumnNote,
    codebook_rows,
    codebook_table,
)
from exports.column_words import ENGLISH, column_words
from exports.redaction import FREE_TEXT_TYPES, Level, RedactionError, Redactor, is_removed
from exports.tabular import Column, Table, TaggedRow
from forms.dimensions import Dimensions, load_dimensions
from forms.mwc import Taxonomy, code, load_taxonomy
from forms.schema import Field, FormDefinition
from forms.vocabulary import CHOICE_TYPES, CONSENT_PURPOSES

FormKey = tuple[str, int]

#: English headers of the common columns; `build_layout` uses the export's language
#: (`exports.column_words`), and `labels=` can override any of them.
LABELS = {k: v for k, v in ENGLISH.items() if k in (
    "reference", "pseudonym", "country", "form_id", "form_version", "language", "created_at",
    "stage", "outcome", "mwc_codes", "mwc_titles", "local_terms", "mwc_code", "mwc_article",
    "mwc_title", "mwc_part", "documented_only") or k.startswith("consent.")}
CASE_COLUMNS = ("country", "form_id", "form_version", "language", "created_at", "stage",
                "outcome")
_CONSENT_KEYS = tuple((p, f"consent.{p}") for p in CONSENT_PURPOSES)
VIOLATION_COLUMNS = ("country", "form_id", "created_at", "stage", "outcome")
ARTICLE_COLUMNS = ("mwc_code", "mwc_article", "mwc_title", "mwc_part", "documented_only")
#: The key of the codes column beside a coded column: `dim.gender.code`, `answer.acts.code`.
CODE_SUFFIX = ".code"


class FormNotInLayoutError(KeyError):
    """A case filed on a form version the layout was not built for."""


@dataclass(frozen=True)
class FormPlan:
    """What a row needs from one form, worked out once per export rather than per case."""

    definition: FormDefinition
    fields: Mapping[str, Field]
    term_ids: frozenset[str]
    scope: str
    term_keys: tuple[tuple[str, str], ...] = ()  # (term id, its column key)

    @classmethod
    def of(cls, definition: FormDefinition) -> FormPlan:
        scope = term_scope(definition)
        return cls(definition, {f.id: f for f in definition.fields()},
                   frozenset(t.id for t in definition.terms), scope,
                   tuple((t.id, f"term.{scope}.{t.id}") for t in definition.terms))


@dataclass(frozen=True)
class ExportLayout:
    """The two tables of an export and what their cells are made from."""

    level: Level
    lang: str
    cases: Table
    violations: Table
    definitions: Mapping[FormKey, FormDefinition] = field(repr=False)
    answer_fields: tuple[str, ...]
    terms: tuple[tuple[str, str], ...]  # (scope, term id)
    dimension_ids: tuple[str, ...]
    countable: frozenset[int]
    taxonomy: Taxonomy = field(repr=False, compare=False)
    choice_labels: bool = True
    plans: Mapping[FormKey, FormPlan] = field(default_factory=dict, repr=False, compare=False)
    #: The cells of each article in the violations table, filled as the export meets them.
    article_cells: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False,
                                                     compare=False)
    dimensions: Dimensions | None = field(default=None, repr=False, compare=False)
    #: What the codebook says of each column, by column key.
    notes: Mapping[str, ColumnNote] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def dimension_keys(self) -> tuple[tuple[str, str], ...]:
        """(dimension id, its column key) for every standard dimension."""
        return tuple((d, f"dim.{d}") for d in self.dimension_ids)

    @functools.cached_property
    def coded_dimensions(self) -> tuple[tuple[Any, str], ...]:
        """(dimension, its column key) for the dimensions with fixed values (and codes)."""
        dimensions = self.dimensions or load_dimensions()
        return tuple((d, f"dim.{d.id}") for d in dimensions if d.values is not None)

    @functools.cached_property
    def codebook(self) -> Table:
        return codebook_table(column_words(self.lang))

    @property
    def tables(self) -> tuple[Table, Table, Table]:
        """Cases, violations and the codebook that explains their columns."""
        return (self.cases, self.violations, self.codebook)

    def codebook_rows(self) -> Iterator[TaggedRow]:
        """The codebook's rows, one per column of the cases and violations tables."""
        return codebook_rows((self.cases, self.violations), self.notes)

    def plan_for(self, case: Mapping[str, Any]) -> FormPlan:
        """The form the case was filed on; `FormNotInLayoutError` for any other."""
        form = case.get("form") or {}
        key = (form.get("id"), form.get("version"))
        try:
            return self.plans[key]  # type: ignore[index]
        except KeyError:
            raise FormNotInLayoutError(
                f"case filed on {key[0]}:{key[1]}, which this export's columns do not cover; "
                f"restrict the query to the layout's forms") from None


def build_layout(definitions: Mapping[FormKey, FormDefinition], lang: str = "en",
                 level: Level | str = Level.PSEUDONYMISED, *, taxonomy: Taxonomy | None = None,
                 dimensions: Dimensions | None = None, labels: Mapping[str, str] | None = None,
                 choice_labels: bool = True) -> ExportLayout:
    """The columns for cases filed on `definitions`, keyed by (form id, version).

    Every column title is unique (`_distinct`), so a researcher can tell the columns
    apart in any program, and each coded column (a choice question, a dimension with
    fixed values) shows labels with its codes in the column beside it.
    """
    level = Level(level)
    if level is Level.AGGREGATE:
        raise RedactionError("an aggregate export has indicator tables only, no case rows")
    taxonomy = taxonomy or load_taxonomy()
    dimensions = dimensions or load_dimensions()
    text = {**column_words(lang), **(labels or {})}
    ordered = [definitions[k] for k in sorted(definitions, key=lambda k: (k[0], -k[1]))]
    case_key = "reference" if level is Level.FULL else "pseudonym"
    notes: dict[str, ColumnNote] = dict(COMMON_NOTES)
    dim_columns = _dimension_columns(dimensions, lang, text, notes)
    answers = _answer_columns(ordered, lang, level, text, notes)
    term_columns = _term_columns(ordered, lang, text, notes)
    terms = list(term_columns.values())
    cases = Table("cases", _distinct((
        Column(case_key, text[case_key]), *(Column(k, text[k]) for k in CASE_COLUMNS),
        *dim_columns, *(Column(k, text[k]) for k in ("mwc_codes", "mwc_titles", "local_terms")),
        *(Column(f"consent.{p}", text[f"consent.{p}"]) for p in CONSENT_PURPOSES),
        *answers, *terms)))
    violations = Table("violations", _distinct((
        Column(case_key, text[case_key]), *(Column(k, text[k]) for k in VIOLATION_COLUMNS),
        *dim_columns, *(Column(k, text[k]) for k in ARTICLE_COLUMNS))))
    return ExportLayout(
        level=level, lang=lang, cases=cases, violations=violations,
        definitions=dict(definitions),
        answer_fields=tuple(c.key[7:] for c in answers if not c.key.endswith(CODE_SUFFIX)),
        terms=tuple(term_columns),
        dimension_ids=dimensions.ids(), countable=frozenset(taxonomy.violation_codes()),
        taxonomy=taxonomy, choice_labels=choice_labels,
        plans={key: FormPlan.of(d) for key, d in definitions.items()},
        dimensions=dimensions, notes=notes)


def _text(translations: Mapping[str, str], lang: str) -> str:
    return translations.get(lang) or translations.get("en") or next(iter(translations.values()),
                                                                     "")


def _code_column(column: Column, many: bool, words: Mapping[str, str]) -> Column:
    """The column beside a coded one: the same question, its stable codes."""
    return Column(column.key + CODE_SUFFIX,
                  f"{column.label} ({words['codes' if many else 'code']})")


def _dimension_columns(dimensions: Dimensions, lang: str, words: Mapping[str, str],
                       notes: dict[str, ColumnNote]) -> tuple[Column, ...]:
    """A column per standard dimension; one with fixed values also gets its code column."""
    columns: list[Column] = []
    for d in dimensions:
        column = Column(f"dim.{d.id}", _text(d.title, lang) or d.id)
        columns.append(column)
        question = f"{column.label} (standard dimension)"
        if d.values is None:
            notes[column.key] = ColumnNote(question, DIMENSION_KINDS.get(d.kind, d.kind),
                                           sensitivity=DIMENSION_SENSITIVITY)
            continue
        codes = tuple((v, _text(d.labels.get(v) or {}, lang) or v) for v in d.values)
        many = d.kind == "multichoice"
        coded = _code_column(column, many, words)
        columns.append(coded)
        notes[column.key] = ColumnNote(question, LABEL_KIND[many].format(coded.label), codes,
                                       DIMENSION_SENSITIVITY)
        notes[coded.key] = ColumnNote(question, CODE_KIND[many], codes, DIMENSION_SENSITIVITY)
    return tuple(columns)


def _answer_columns(ordered: list[FormDefinition], lang: str, level: Level,
                    words: Mapping[str, str], notes: dict[str, ColumnNote]) -> list[Column]:
    """The union of the forms' questions, in the order they first appear.

    Each is titled "Section: Question" in the export's language. Forms of several
    countries ask differently meant questions in the same words ("Did any of these
    happen?"); such titles name the forms' countries too. A choice question's column
    of labels is followed by its column of codes.

    Left out: answers redaction removes at this level, consent questions (the consent
    columns show them) and questions that fill a dimension (the dimension columns do).
    """
    found: dict[str, tuple[Field, FormDefinition, str]] = {}
    scopes: dict[str, list[str]] = {}
    for definition in ordered:
        for section in definition.sections:
            for f in section.fields:
                if is_removed(f, level) or f.consent or f.dimension:
                    continue
                scope = term_scope(definition)
                if scope not in scopes.setdefault(f.id, []):
                    scopes[f.id].append(scope)
                if f.id not in found:
                    title = definition.text(section.title, lang) or section.id
                    label = definition.text(f.label, lang) or f.id
                    found[f.id] = (f, definition, f"{title}: {label}")
    shared = Counter(title for _, _, title in found.values())
    columns: list[Column] = []
    for field_id, (f, definition, title) in found.items():
        if shared[title] > 1:
            title = f"{title} ({', '.join(scopes[field_id])})"
        column = Column(f"answer.{field_id}", title)
        columns.append(column)
        note = _answer_note(f, definition, lang, title, tuple(scopes[field_id]))
        notes[column.key] = note
        if f.type in CHOICE_TYPES:
            many = f.type == "multichoice"
            coded = _code_column(column, many, words)
            columns.append(coded)
            notes[column.key] = replace(note, kind=LABEL_KIND[many].format(coded.label))
            notes[coded.key] = replace(note, kind=CODE_KIND[many])
    return columns


def _answer_note(f: Field, definition: FormDefinition, lang: str, title: str,
                 forms: tuple[str, ...]) -> ColumnNote:
    if f.sensitive:
        sensitivity = "sensitive: only in full exports"
    elif f.personal:
        sensitivity = f"personal ({f.personal}): only in full exports"
    elif f.type in FREE_TEXT_TYPES:
        sensitivity = FREE_TEXT_SENSITIVITY
    else:
        sensitivity = NOT_SENSITIVE
    codes = tuple((c.value, definition.text(c.label, lang) or c.value) for c in f.choices)
    return ColumnNote(title, ANSWER_KINDS.get(f.type, f.type), codes, sensitivity, forms)


def _distinct(columns: Iterable[Column]) -> tuple[Column, ...]:
    """The columns, any title still shared by two of them followed by its key: the last
    guard, for forms whose sections and questions read alike in every word."""
    columns = tuple(columns)
    shared = Counter(c.label for c in columns)
    return tuple(c if shared[c.label] == 1 else Column(c.key, f"{c.label} [{c.key}]")
                 for c in columns)


def term_scope(definition: FormDefinition) -> str:
    """Terms belong to a country's law; a form without a country scopes them by its id."""
    return definition.country or definition.id


def _term_columns(ordered: list[FormDefinition], lang: str, words: Mapping[str, str],
                  notes: dict[str, ColumnNote]) -> dict[tuple[str, str], Column]:
    """A column per (scope, term id), headed with the term's MWC articles."""
    columns: dict[tuple[str, str], Column] = {}
    for definition in ordered:
        scope = term_scope(definition)
        for term in definition.terms:
            if (scope, term.id) not in columns:
                mapping = JOIN.join(code(n) for n in term.mwc) or "no MWC mapping"
                label = definition.text(term.label, lang) or term.id
                key = f"term.{scope}.{term.id}"
                columns[(scope, term.id)] = Column(
                    key, f"{words['local_term']} ({scope}): {label} [{mapping}]")
                notes[key] = ColumnNote(f"Local term of {scope}: {label}", TERM_KIND,
                                        forms=(scope,))
    return columns


def export_rows(cases: Iterable[Mapping[str, Any]], layout: ExportLayout,
                redactor: Redactor) -> Iterator[TaggedRow]:
    """For each case, its row in "cases" and then its rows in "violations"; one pass.
    The codebook's rows come last.

    A "cases" row holds the columns that apply to the case's form (`case_cells`);
    writers read every column with `.get`, so the others are empty.
    """
    if redactor.level is not layout.level:
        raise RedactionError(f"the layout is for {layout.level}, the redactor for "
                             f"{redactor.level}")
    for case in cases:
        plan = layout.plan_for(case)
        shown = redactor.redact(case, plan.definition)
        cells = case_cells(shown, plan, layout)
        yield "cases", cells
        for row in violation_cells(cells, countable_articles(shown, layout), layout):
            yield "violations", row
    yield from layout.codebook_rows()


def _common(shown: Mapping[str, Any], layout: ExportLayout) -> dict[str, Any]:
    form = shown.get("form") or {}
    dims = shown.get("dimensions") or {}
    row = {"reference": shown.get("reference"), "pseudonym": shown.get("pseudonym"),
           "country": shown.get("country"), "form_id": form.get("id"),
           "form_version": form.get("version"), "language": shown.get("language"),
           "created_at": scalar(shown.get("created_at")), "stage": shown.get("stage"),
           "outcome": shown.get("outcome")}
    for d, key in layout.dimension_keys:
        row[key] = scalar(dims.get(d))
    lang = layout.lang
    for dimension, key in layout.coded_dimensions:
        value = dims.get(dimension.id)
        row[key + CODE_SUFFIX] = row[key]
        row[key] = dimension_label(dimension, value, lang)
    return row


def case_cells(shown: Mapping[str, Any], plan: FormPlan,
               layout: ExportLayout) -> dict[str, Any]:
    """The cells of a redacted case's "cases" row that its own form fills.

    They do not depend on which other forms the export covers: an answer column of a
    question the form lacks, and a term column of another country, are simply absent
    (empty), as `case_row` shows them. So the cells can be made before the export's
    columns are known (`layout` only lends the language, the dimensions and the
    taxonomy here, which are the same for every form).
    """
    row = _common(shown, layout)
    articles = articles_of(shown)
    scope = plan.scope
    chosen = set(shown.get("terms") or ())
    consent = shown.get("consent") or {}
    row["mwc_codes"] = ";".join(code(n) for n in articles)
    row["mwc_titles"] = JOIN.join(_article(layout, n)["mwc_title"] for n in articles)
    row["local_terms"] = JOIN.join(f"{scope}:{t}" for t in sorted(chosen))
    for p, key in _CONSENT_KEYS:
        row[key] = consent.get(p)
    answers = shown.get("answers") or {}
    fields = plan.fields
    for field_id, value in answers.items():
        f = fields.get(field_id)
        if f is not None:
            row[f"answer.{field_id}"] = format_answer(f, value, plan.definition, layout.lang,
                                                      labels=layout.choice_labels)
            if f.type in CHOICE_TYPES:
                row[f"answer.{field_id}{CODE_SUFFIX}"] = answer_code(f, value)
    for term_id, key in plan.term_keys:
        row[key] = term_id in chosen
    return row


def case_row(shown: Mapping[str, Any], plan: FormPlan, layout: ExportLayout) -> dict[str, Any]:
    """The "cases" row of a redacted case (see `Redactor.redact`), every column present."""
    row: dict[str, Any] = dict.fromkeys(layout.cases.keys)
    row.update(case_cells(shown, plan, layout))
    return row


def violation_rows(shown: Mapping[str, Any], layout: ExportLayout) -> Iterator[dict[str, Any]]:
    """One row per MWC article a case cites as violated (context articles left out)."""
    return violation_cells(_common(shown, layout), countable_articles(shown, layout), layout)


def violation_cells(common: Mapping[str, Any], articles: Iterable[int],
                    layout: ExportLayout) -> Iterator[dict[str, Any]]:
    """The "violations" rows: the case's common cells (`common` may hold more, such as
    its whole "cases" row) and each article's own."""
    for number in articles:
        yield {**common, **_article(layout, number)}


def countable_articles(shown: Mapping[str, Any], layout: ExportLayout) -> tuple[int, ...]:
    """The articles a case counts as violations: its own, less the scope articles."""
    countable = layout.countable
    return tuple(n for n in articles_of(shown) if n in countable)


def articles_of(case: Mapping[str, Any]) -> list[int]:
    """The case's MWC articles, each once, in order: the counting rule's unit."""
    return sorted({n for n in case.get("mwc") or () if isinstance(n, int)
                   and not isinstance(n, bool)})


def _article(layout: ExportLayout, number: int) -> dict[str, Any]:
    """An article's cells in the violations table, worked out once per export."""
    cells = layout.article_cells.get(number)
    if cells is None:
        known = number in layout.taxonomy
        article = layout.taxonomy.article(number) if known else None
        cells = {"mwc_code": code(number), "mwc_article": number,
                 "mwc_title": layout.taxonomy.title(number, layout.lang) if known
                 else code(number),
                 "mwc_part": article.part if article else None,
                 "documented_only": article.documented_only if article else None}
        layout.article_cells[number] = cells
    return cells
