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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from exports.answer_values import JOIN, format_answer, scalar
from exports.redaction import Level, RedactionError, Redactor, is_removed
from exports.tabular import Column, Table, TaggedRow
from forms.dimensions import Dimensions, load_dimensions
from forms.mwc import Taxonomy, code, load_taxonomy
from forms.schema import Field, FormDefinition
from forms.vocabulary import CONSENT_PURPOSES

FormKey = tuple[str, int]

#: English headers of the common columns; pass `labels=` to show them in another language.
LABELS = {
    "reference": "Reference", "pseudonym": "Case (pseudonym)",
    "country": "Country handling the case", "form_id": "Form", "form_version": "Form version",
    "language": "Language of the report", "created_at": "Filed", "stage": "Stage",
    "outcome": "Outcome", "mwc_codes": "MWC articles", "mwc_titles": "MWC articles (titles)",
    "local_terms": "Local terms", "mwc_code": "MWC article", "mwc_article": "Article number",
    "mwc_title": "Article title", "mwc_part": "Part of the Convention",
    "documented_only": "Right of documented workers",
    **{f"consent.{p}": f"Consent: {p.replace('_', ' ')}" for p in CONSENT_PURPOSES},
}
CASE_COLUMNS = ("country", "form_id", "form_version", "language", "created_at", "stage",
                "outcome")
VIOLATION_COLUMNS = ("country", "form_id", "created_at", "stage", "outcome")
ARTICLE_COLUMNS = ("mwc_code", "mwc_article", "mwc_title", "mwc_part", "documented_only")


class FormNotInLayoutError(KeyError):
    """A case filed on a form version the layout was not built for."""


@dataclass(frozen=True)
class FormPlan:
    """What a row needs from one form, worked out once per export rather than per case."""

    definition: FormDefinition
    fields: Mapping[str, Field]
    term_ids: frozenset[str]
    scope: str

    @classmethod
    def of(cls, definition: FormDefinition) -> FormPlan:
        return cls(definition, {f.id: f for f in definition.fields()},
                   frozenset(t.id for t in definition.terms), term_scope(definition))


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

    @property
    def tables(self) -> tuple[Table, Table]:
        return (self.cases, self.violations)

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
    """The columns for cases filed on `definitions`, keyed by (form id, version)."""
    level = Level(level)
    if level is Level.AGGREGATE:
        raise RedactionError("an aggregate export has indicator tables only, no case rows")
    taxonomy = taxonomy or load_taxonomy()
    dimensions = dimensions or load_dimensions()
    text = {**LABELS, **(labels or {})}
    ordered = [definitions[k] for k in sorted(definitions, key=lambda k: (k[0], -k[1]))]
    case_key = "reference" if level is Level.FULL else "pseudonym"
    dim_columns = tuple(Column(f"dim.{d.id}", _text(d.title, lang) or d.id) for d in dimensions)
    answers = _answer_columns(ordered, lang, level)
    term_columns = _term_columns(ordered, lang)
    terms = list(term_columns.values())
    cases = Table("cases", (
        Column(case_key, text[case_key]), *(Column(k, text[k]) for k in CASE_COLUMNS),
        *dim_columns, *(Column(k, text[k]) for k in ("mwc_codes", "mwc_titles", "local_terms")),
        *(Column(f"consent.{p}", text[f"consent.{p}"]) for p in CONSENT_PURPOSES),
        *answers, *terms))
    violations = Table("violations", (
        Column(case_key, text[case_key]), *(Column(k, text[k]) for k in VIOLATION_COLUMNS),
        *dim_columns, *(Column(k, text[k]) for k in ARTICLE_COLUMNS)))
    return ExportLayout(
        level=level, lang=lang, cases=cases, violations=violations,
        definitions=dict(definitions), answer_fields=tuple(c.key[7:] for c in answers),
        terms=tuple(term_columns),
        dimension_ids=dimensions.ids(), countable=frozenset(taxonomy.violation_codes()),
        taxonomy=taxonomy, choice_labels=choice_labels,
        plans={key: FormPlan.of(d) for key, d in definitions.items()})


def _text(translations: Mapping[str, str], lang: str) -> str:
    return translations.get(lang) or translations.get("en") or next(iter(translations.values()),
                                                                     "")


def _answer_columns(ordered: list[FormDefinition], lang: str, level: Level) -> list[Column]:
    """The union of the forms' questions, in the order they first appear.

    Left out: answers redaction removes at this level, consent questions (the consent
    columns show them) and questions that fill a dimension (the dimension columns do).
    """
    columns: dict[str, Column] = {}
    for definition in ordered:
        for f in definition.fields():
            if f.id in columns or is_removed(f, level) or f.consent or f.dimension:
                continue
            columns[f.id] = Column(f"answer.{f.id}", definition.text(f.label, lang) or f.id)
    return list(columns.values())


def term_scope(definition: FormDefinition) -> str:
    """Terms belong to a country's law; a form without a country scopes them by its id."""
    return definition.country or definition.id


def _term_columns(ordered: list[FormDefinition], lang: str) -> dict[tuple[str, str], Column]:
    """A column per (scope, term id), headed with the term's MWC articles."""
    columns: dict[tuple[str, str], Column] = {}
    for definition in ordered:
        scope = term_scope(definition)
        for term in definition.terms:
            if (scope, term.id) not in columns:
                mapping = JOIN.join(code(n) for n in term.mwc) or "no MWC mapping"
                label = definition.text(term.label, lang) or term.id
                columns[(scope, term.id)] = Column(f"term.{scope}.{term.id}",
                                                   f"Local term ({scope}): {label} [{mapping}]")
    return columns


def export_rows(cases: Iterable[Mapping[str, Any]], layout: ExportLayout,
                redactor: Redactor) -> Iterator[TaggedRow]:
    """For each case, its row in "cases" and then its rows in "violations"; one pass."""
    if redactor.level is not layout.level:
        raise RedactionError(f"the layout is for {layout.level}, the redactor for "
                             f"{redactor.level}")
    for case in cases:
        plan = layout.plan_for(case)
        shown = redactor.redact(case, plan.definition)
        yield "cases", case_row(shown, plan, layout)
        for row in violation_rows(shown, layout):
            yield "violations", row


def _common(shown: Mapping[str, Any], layout: ExportLayout) -> dict[str, Any]:
    form = shown.get("form") or {}
    dims = shown.get("dimensions") or {}
    row = {"reference": shown.get("reference"), "pseudonym": shown.get("pseudonym"),
           "country": shown.get("country"), "form_id": form.get("id"),
           "form_version": form.get("version"), "language": shown.get("language"),
           "created_at": scalar(shown.get("created_at")), "stage": shown.get("stage"),
           "outcome": shown.get("outcome")}
    row.update((f"dim.{d}", scalar(dims.get(d))) for d in layout.dimension_ids)
    return row


def case_row(shown: Mapping[str, Any], plan: FormPlan, layout: ExportLayout) -> dict[str, Any]:
    """The "cases" row of a redacted case (see `Redactor.redact`)."""
    row = _common(shown, layout)
    articles = articles_of(shown)
    scope = plan.scope
    chosen = set(shown.get("terms") or ())
    consent = shown.get("consent") or {}
    row["mwc_codes"] = ";".join(code(n) for n in articles)
    row["mwc_titles"] = JOIN.join(_title(layout, n) for n in articles)
    row["local_terms"] = JOIN.join(f"{scope}:{t}" for t in sorted(chosen))
    row.update((f"consent.{p}", consent.get(p)) for p in CONSENT_PURPOSES)
    answers = shown.get("answers") or {}
    for field_id in layout.answer_fields:
        f = plan.fields.get(field_id)
        row[f"answer.{field_id}"] = None if f is None else format_answer(
            f, answers.get(field_id), plan.definition, layout.lang, labels=layout.choice_labels)
    for column_scope, term_id in layout.terms:
        applies = column_scope == scope and term_id in plan.term_ids
        row[f"term.{column_scope}.{term_id}"] = (term_id in chosen) if applies else None
    return row


def violation_rows(shown: Mapping[str, Any], layout: ExportLayout) -> Iterator[dict[str, Any]]:
    """One row per MWC article a case cites as violated (context articles left out)."""
    common = _common(shown, layout)
    for number in articles_of(shown):
        if number not in layout.countable:
            continue
        article = layout.taxonomy.article(number) if number in layout.taxonomy else None
        yield {**common, "mwc_code": code(number), "mwc_article": number,
               "mwc_title": _title(layout, number),
               "mwc_part": article.part if article else None,
               "documented_only": article.documented_only if article else None}


def articles_of(case: Mapping[str, Any]) -> list[int]:
    """The case's MWC articles, each once, in order: the counting rule's unit."""
    return sorted({n for n in case.get("mwc") or () if isinstance(n, int)
                   and not isinstance(n, bool)})


def _title(layout: ExportLayout, number: int) -> str:
    return layout.taxonomy.title(number, layout.lang) if number in layout.taxonomy else code(
        number)
