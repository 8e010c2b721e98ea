"""Run a documentation-format export (`exports.huridocs`): the same doors, rules and
order as every export (`exports.service.run_export`, which hands these formats here).

The level is checked against the actor's roles, the cases are the actor's scope AND
the filter, the counting rule and then consent leave cases out (and are counted),
sensitive answers are opened in memory only for the cases kept, and each case is
redacted by the one `Redactor` before it is laid out. The registry entities the cases
are linked to are fetched in batches after the last case, not once per case.

At the aggregate level no case leaves: the file holds its metadata and the registry
entities with their counts of cases, named as indicators name them (no private
employer, none under the small-cell threshold); events, acts, victims and relations
are empty lists.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import replace
from typing import IO, Any

from exports import counting, pipelines
from exports.consent import ConsentSummary, consent_filter
from exports.counting import StageSummary
from exports.entity_counts import EntitySource, entity_lines
from exports.huridocs import CAUTION, DocumentationLayout, aggregate_rows, tables
from exports.indicator_runs import indicator_tables
from exports.read_ahead import read_ahead
from exports.redaction import Level, Redactor, check_level
from exports.service import (
    CaseSource,
    ExportRequest,
    ExportResult,
    FormsFound,
    FormSource,
    Opener,
    Progress,
    export_match,
    left_out_by_stage,
    opened,
    reported,
    withheld_notes,
)
from exports.suppression import DEFAULT_THRESHOLD
from exports.tabular import TaggedRow
from exports.writers.base import WriteResult
from exports.writers.documents import DocumentationCsvWriter, JsonDocumentWriter
from forms.mwc import load_taxonomy
from workflows.scope import roles_of

LAYOUT = ("After the HURIDOCS Events Standard Formats: events (one per case), acts (one per "
          "MWC article cited), victims, perpetrators (registry entities and perpetrator "
          "types) and the relations between them, joined by their record numbers.")


def run_documentation_export(repo: CaseSource, forms: FormSource, sealer: Opener,
                             actor: Mapping[str, Any], request: ExportRequest, out: IO[bytes],
                             *, full_roles: Collection[str], entities: EntitySource | None,
                             progress: Progress | None = None,
                             total: int | None = None) -> ExportResult:
    """Write the five tables into `out` and say what was written."""
    level = check_level(request.level, roles_of(actor), full_roles)
    match = export_match(actor, request.filter)
    said: dict[str, Any] = {}
    writer = _writer(request, lambda written: metadata(request, level, written, said))
    headers = tables(level)
    if level is Level.AGGREGATE:
        found = indicator_tables(repo, match, years=(), purpose=request.purpose,
                                 include_unverified=request.include_unverified)
        said.update(consent=found.consent, stages=found.stages)
        lines = entity_lines(entities, found.entity_counts, level=level,
                             threshold=DEFAULT_THRESHOLD, limit=None)
        written = writer.write(aggregate_rows(lines), headers, out,
                               notes=found.left_out_notes)
        return ExportResult(written.rows, found.consent, written.notes,
                            writer.media_type(headers), writer.suffix(headers),
                            found.consent.included + found.consent.excluded
                            + found.stages.excluded, found.stages)
    stages = left_out_by_stage(repo, match, request.include_unverified)
    match = pipelines.all_of(match, counting.counted_match(request.include_unverified))
    keep = consent_filter(request.purpose)
    redactor = Redactor(level)
    layout = DocumentationLayout(redactor, load_taxonomy(), request.lang)
    found_forms = FormsFound(forms)
    cursor = read_ahead(repo.matching(match))

    def rows() -> Iterator[TaggedRow]:
        cases = reported(found_forms.note(cursor), progress, total)
        for case in opened(keep(cases), sealer):
            definition = found_forms.plan_for(case).definition
            yield from layout.case_rows(case, redactor.redact(case, definition), definition)
        said.update(consent=keep.summary(), stages=stages)
        known = entities.many(layout.linked) if entities is not None and layout.linked else {}
        yield from layout.entity_rows(known)

    try:
        written = writer.write(rows(), headers, out,
                               notes=lambda: [*stages.notes(), *keep.notes(),
                                              *withheld_notes(redactor.withheld)])
    finally:
        cursor.close()
    summary = keep.summary()
    return ExportResult(written.rows, summary, written.notes, writer.media_type(headers),
                        writer.suffix(headers),
                        summary.included + summary.excluded + stages.excluded,
                        replace(stages, included=summary.included + summary.excluded))


def _writer(request: ExportRequest, meta: Any) -> Any:
    if request.fmt == "huridocs-json":
        return JsonDocumentWriter(metadata=meta)
    return DocumentationCsvWriter(metadata=meta, bom=request.bom)


def metadata(request: ExportRequest, level: Level, written: WriteResult,
             said: Mapping[str, Any]) -> dict[str, Any]:
    """What a documentation file says of itself: the caution first, the redaction level,
    the selection, and who was left out and why (asked for after the last row)."""
    consent: ConsentSummary | None = said.get("consent")
    stages: StageSummary | None = said.get("stages")
    return {
        "caution": CAUTION, "layout": LAYOUT, "redaction": level.value,
        "purpose": request.purpose, "filters": request.filter.describe(),
        "include_unverified": request.include_unverified,
        "consent": {"purpose": request.purpose,
                    "included": consent.included if consent else 0,
                    "declined": consent.declined if consent else 0,
                    "not_recorded": consent.not_recorded if consent else 0},
        "left_out": stages.left_out() if stages else {},
        "rows": dict(written.rows), "notes": list(written.notes)}
