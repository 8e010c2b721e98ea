"""Run one export: from a MongoDB cursor through the pure cores into a writer.

Used alike by the export page (small exports, streamed at once), the Celery export
job (large ones) and `mrvrs export`, so every door applies the same rules in the
same order:

1. the redaction level is checked against the actor's roles (`check_level`);
2. the cases are the actor's scope AND the checked filter (`export_match`): no
   request value reaches the query except as a plain value inside our operators;
3. the columns come from the form versions those cases were filed on, found while
   the cases are read (a case on no form is in no export): the cases are read
   once, on a thread of their own a bounded distance ahead (`read_ahead`), not
   grouped first and read again, which on FerretDB cost a second full read;
4. cases the counting rule leaves out (`exports.counting`: duplicates and rejected
   cases always, cases still in review unless the request includes them) are left
   out by the query itself and counted per reason with one grouping by stage; then
   cases without consent to the export's purpose are left out and counted;
5. sensitive answers are opened in memory only for `full` (shown) and
   `pseudonymised` (needed to mask the removed values inside the narrative),
   and only for the cases kept: never for those left out, nor for `aggregate`,
   which reads indicator tables only;
6. rows are redacted one case at a time and spooled (`CaseSpool`: memory up to a
   limit, then an unnamed temporary file) until the last case has shown every
   form, then written: memory stays flat.

No Flask here: callers pass the repository, the form store, the sealer and the
settings they have, and record the audit event from the returned `ExportResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import IO, Any, Protocol

from exports import counting, pipelines
from exports.case_spool import CaseSpool
from exports.columns import FormPlan, build_layout, case_cells, countable_articles
from exports.consent import ConsentSummary, check_purpose, consent_filter
from exports.counting import StageSummary
from exports.entity_counts import EntitySource
from exports.filters import ExportFilter, parse_filter
from exports.indicator_grids import aggregate_tables
from exports.indicator_runs import CaseAggregator, indicator_tables, run
from exports.read_ahead import read_ahead
from exports.redaction import Level, Redactor, check_level
from exports.writers import get_writer
from workflows.scope import case_filter_for, roles_of

Progress = Callable[[int, int], None]
#: Cases read between two progress reports.
PROGRESS_EVERY = 250
FORMATS = ("csv", "xlsx", "jsonl")
#: The documentation layout's formats (`exports.huridocs`): five tables of their own.
DOCUMENTATION_FORMATS = ("huridocs-json", "huridocs-csv")


class CaseSource(CaseAggregator, Protocol):
    def matching(self, match: Mapping[str, Any]) -> Iterable[dict[str, Any]]: ...

    def count_matching(self, match: Mapping[str, Any]) -> int: ...


class FormSource(Protocol):
    def definition(self, form_id: str, version: Any) -> Any: ...


class Opener(Protocol):
    def open(self, token: str | None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ExportRequest:
    """What to export: which cases, in which format, at which level, for which purpose.

    `include_unverified` also exports cases still in review (see `exports.counting`).
    """

    filter: ExportFilter = field(default_factory=ExportFilter)
    fmt: str = "csv"
    level: str = Level.PSEUDONYMISED.value
    purpose: str = "statistics"
    lang: str = "en"
    bom: bool = False
    include_unverified: bool = False

    def __post_init__(self) -> None:
        if self.fmt not in (*FORMATS, *DOCUMENTATION_FORMATS):
            raise ValueError(f"unknown export format {self.fmt!r}; use "
                             f"{', '.join((*FORMATS, *DOCUMENTATION_FORMATS))}")
        Level(self.level)
        check_purpose(self.purpose)

    def params(self) -> dict[str, Any]:
        """Plain JSON data: stored on a job and turned back by `from_params`."""
        return {"filter": filter_params(self.filter), "format": self.fmt,
                "redaction": self.level, "purpose": self.purpose, "lang": self.lang,
                "bom": self.bom, "include_unverified": self.include_unverified}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ExportRequest:
        return cls(parse_filter(params.get("filter") or {}), params["format"],
                   params["redaction"], params["purpose"], params.get("lang") or "en",
                   bool(params.get("bom")), bool(params.get("include_unverified")))

    def describe(self) -> dict[str, Any]:
        """For the audit record: the filter in words, format, level and purpose."""
        return {"filters": self.filter.describe(), "format": self.fmt,
                "redaction": self.level, "purpose": self.purpose,
                "include_unverified": self.include_unverified}


def filter_params(f: ExportFilter) -> dict[str, Any]:
    """The filter as `parse_filter` reads it back."""
    params: dict[str, Any] = {}
    for key, values in (("country", f.countries), ("destination", f.destinations),
                        ("origin", f.origins), ("team", f.teams), ("stage", f.stages)):
        if values:
            params[key] = list(values)
    if f.forms:
        params["form"] = [f"{i}:{v}" if v is not None else i for i, v in f.forms]
    for key, day in (("from", f.filed_from), ("to", f.filed_to), ("event_from", f.event_from),
                     ("event_to", f.event_to)):
        if day is not None:
            params[key] = day.isoformat()
    return params


@dataclass(frozen=True)
class ExportResult:
    """What was written: rows per table, who was left out and why, and the file's type."""

    rows: Mapping[str, int]
    consent: ConsentSummary
    notes: tuple[str, ...]
    media_type: str
    suffix: str
    matched: int
    stages: StageSummary = field(default_factory=StageSummary)

    def summary(self) -> dict[str, Any]:
        """Counts for the job record and the audit event."""
        return {"rows": dict(self.rows), "cases": self.consent.included,
                "left_out": {**self.stages.left_out(), "declined": self.consent.declined,
                             "not_recorded": self.consent.not_recorded},
                "notes": list(self.notes)}


def withheld_notes(withheld: int) -> list[str]:
    """What a pseudonymised output says of the narratives it left out (exports.redaction)."""
    if not withheld:
        return []
    return [(f"{withheld} narrative{'s' if withheld != 1 else ''} left out: no reviewer has "
             "approved a redacted version yet.")]


def export_match(actor: Mapping[str, Any], export_filter: ExportFilter) -> dict[str, Any]:
    """The actor's scope and the filter: the only cases any export of theirs reads."""
    return pipelines.all_of(case_filter_for(actor, shared=False), export_filter.match())


def counted_match(actor: Mapping[str, Any], request: ExportRequest) -> dict[str, Any]:
    """The cases an export reads: its `export_match` narrowed by the counting rule."""
    return pipelines.all_of(export_match(actor, request.filter),
                            counting.counted_match(request.include_unverified))


def left_out_by_stage(repo: CaseAggregator, match: Mapping[str, Any],
                      include_unverified: bool) -> StageSummary:
    """How many of the matched cases the counting rule leaves out, and why.

    The grouping reads only the cases left out, never those exported, so an export
    still reads its cases once; `included` is 0 here (the export counts those itself).
    """
    left_out = pipelines.all_of(match, counting.left_out_match(include_unverified))
    return StageSummary.from_groups(run(repo, pipelines.count_by(left_out, ("stage",))),
                                    include_unverified)


def count_cases(repo: CaseSource, actor: Mapping[str, Any], request: ExportRequest) -> int:
    """How many cases the export would read (before consent): small ones run at once."""
    return repo.count_matching(counted_match(actor, request))


def run_export(repo: CaseSource, forms: FormSource, sealer: Opener,
               actor: Mapping[str, Any], request: ExportRequest, out: IO[bytes], *,
               full_roles: Collection[str], progress: Progress | None = None,
               total: int | None = None, entities: EntitySource | None = None) -> ExportResult:
    """Write the export into `out` and say what was written; see the module docstring.

    The documentation formats go to `exports.huridocs_export`, which names the registry
    `entities` the cases are linked to (without a registry, only their pseudonyms)."""
    if request.fmt in DOCUMENTATION_FORMATS:
        from exports.huridocs_export import run_documentation_export

        return run_documentation_export(repo, forms, sealer, actor, request, out,
                                        full_roles=full_roles, entities=entities,
                                        progress=progress, total=total)
    level = check_level(request.level, roles_of(actor), full_roles)
    match = export_match(actor, request.filter)
    options = {"bom": True} if request.bom and request.fmt == "csv" else {}
    writer = get_writer(request.fmt, **options)
    if level is Level.AGGREGATE:
        return _aggregate(repo, match, request, writer, out)
    stages = left_out_by_stage(repo, match, request.include_unverified)
    match = pipelines.all_of(match, counting.counted_match(request.include_unverified))
    keep = consent_filter(request.purpose)
    redactor = Redactor(level)
    found = FormsFound(forms)
    common = build_layout({}, request.lang, level)  # what rows share whatever the forms
    cursor = read_ahead(repo.matching(match))
    try:
        cases = reported(found.note(cursor), progress, total)
        with CaseSpool() as spool:
            for case in opened(keep(cases), sealer):
                plan = found.plan_for(case)
                shown = redactor.redact(case, plan.definition)
                spool.add(case_cells(shown, plan, common), countable_articles(shown, common))
            layout = build_layout(found.definitions(), request.lang, level,
                                  taxonomy=common.taxonomy)
            written = writer.write(spool.rows(layout), layout.tables, out,
                                   notes=lambda: [*stages.notes(), *keep.notes(),
                                                  *withheld_notes(redactor.withheld)])
    finally:
        cursor.close()  # on an error: stops the reading thread now, not when collected
    summary = keep.summary()
    stages = replace(stages, included=summary.included + summary.excluded)
    return ExportResult(written.rows, summary, written.notes,
                        writer.media_type(layout.tables), writer.suffix(layout.tables),
                        summary.included + summary.excluded + stages.excluded, stages)


class FormsFound:
    """The form versions of the cases read, each definition fetched once, when first met.

    An export's columns are those of the forms its cases were filed on (the union of
    their questions and terms): with a single read of the cases, they are known after
    the last one. A case without a form id is on no form and so in no export, as the
    form-versions grouping (`pipelines.form_versions`) leaves it out.
    """

    def __init__(self, forms: FormSource) -> None:
        self._forms = forms
        self._plans: dict[Any, FormPlan] = {}

    def note(self, cases: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for case in cases:
            form = case.get("form")
            if not isinstance(form, Mapping) or not form.get("id"):
                continue
            key = (form.get("id"), form.get("version"))
            if key not in self._plans:
                self._plans[key] = FormPlan.of(self._forms.definition(*key))
            yield case

    def plan_for(self, case: Mapping[str, Any]) -> FormPlan:
        form = case["form"]
        return self._plans[(form.get("id"), form.get("version"))]

    def definitions(self) -> dict[Any, Any]:
        return {key: plan.definition for key, plan in sorted(self._plans.items())}


def opened(cases: Iterable[dict[str, Any]], sealer: Opener) -> Iterator[dict[str, Any]]:
    """Cases with their sealed answers opened (in memory only) as `sensitive_answers`."""
    for case in cases:
        if case.get("sensitive"):
            case["sensitive_answers"] = sealer.open(case["sensitive"])
        yield case


def reported(cases: Iterable[dict[str, Any]], progress: Progress | None,
              total: int | None) -> Iterator[dict[str, Any]]:
    done = 0
    for case in cases:
        yield case
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(total or 0, done))
    if progress is not None:
        progress(done, max(total or 0, done))


def _aggregate(repo: CaseSource, match: Mapping[str, Any], request: ExportRequest,
               writer: Any, out: IO[bytes]) -> ExportResult:
    """Indicator tables only, one table (sheet or file) each, with the left-out notes."""
    found = indicator_tables(repo, match, purpose=request.purpose,
                             include_unverified=request.include_unverified)
    tables, rows = aggregate_tables(found, request.lang)
    notes = tuple(found.left_out_notes())
    written = writer.write(rows, tables, out, notes=lambda: notes)
    return ExportResult(written.rows, found.consent, written.notes, writer.media_type(tables),
                        writer.suffix(tables),
                        found.consent.included + found.consent.excluded + found.stages.excluded,
                        found.stages)
