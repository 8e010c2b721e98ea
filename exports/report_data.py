"""What a compiled mission report holds, gathered as plain data before it is rendered.

A report covers the requester's scope AND its filter (countries, period, origin...),
like an export. It counts by the rule of `exports.counting`: verified cases and later
stages, cases still in review only when the request includes them, never a duplicate
or a rejected case; its indicator tables, annex and case summaries all read only the
counted cases, and the report says how many the rule left out and why. Its indicator
tables count only cases whose reporter consented to anonymous statistics; its case summaries (chosen by the mission by reference) only
cases that consented to public advocacy; both say how many were left out and why.

Same data in, same numbers out: tables do not depend on the order results arrive
in, the annex is sorted, charts are repeatable SVG, and pseudonyms come from a salt
derived from the server's secret and the report's own parameters, so running the
same report twice gives the same document (the run time is the only text that
changes) while two different reports still cannot be joined on their pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from exports import counting, pipelines
from exports.consent import ConsentSummary, consent_state
from exports.entity_counts import EntityLine, EntitySource, entity_lines
from exports.filters import ExportFilter, parse_filter
from exports.indicator_runs import IndicatorSet, indicator_tables
from exports.redaction import Level, Redactor, check_level
from exports.service import (
    CaseSource,
    FormSource,
    Opener,
    export_match,
    filter_params,
    opened,
    withheld_notes,
)
from forms.mwc import code, load_taxonomy
from workflows.scope import roles_of

REFERENCE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")
MAX_SELECTED = 50
MAX_NAME = 200


class ReportRequestError(ValueError):
    """Every problem with a report's parameters, in words a user can act on."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ReportRequest:
    """A mission's report: its name, which cases, at which level, which case summaries.

    `include_unverified` counts cases still in review too (see `exports.counting`).
    """

    name: str
    filter: ExportFilter = field(default_factory=ExportFilter)
    level: str = Level.PSEUDONYMISED.value
    selected: tuple[str, ...] = ()
    threshold: int | None = 5
    lang: str = "en"
    include_unverified: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not self.name.strip() or len(self.name) > MAX_NAME:
            problems.append(f"name: give the mission's name (at most {MAX_NAME} characters)")
        if self.level not in {str(level) for level in Level}:
            problems.append(f"redaction: {self.level!r} is not a redaction level")
        bad = [r for r in self.selected if not REFERENCE.match(r)]
        if bad:
            problems.append(f"cases: {', '.join(bad)} is not a case reference")
        if len(self.selected) > MAX_SELECTED:
            problems.append(f"cases: choose at most {MAX_SELECTED} cases to summarise")
        if self.threshold is not None and self.threshold < 1:
            problems.append("threshold: a count of at least 1, or none for exact counts")
        if problems:
            raise ReportRequestError(problems)

    def params(self) -> dict[str, Any]:
        return {"name": self.name, "filter": filter_params(self.filter),
                "redaction": self.level, "selected": list(self.selected),
                "threshold": self.threshold, "lang": self.lang,
                "include_unverified": self.include_unverified}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ReportRequest:
        return cls(str(params["name"]), parse_filter(params.get("filter") or {}),
                   params["redaction"], tuple(params.get("selected") or ()),
                   params.get("threshold"), params.get("lang") or "en",
                   bool(params.get("include_unverified")))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "filters": self.filter.describe(),
                "redaction": self.level, "selected": list(self.selected),
                "threshold": self.threshold, "include_unverified": self.include_unverified}


@dataclass(frozen=True)
class AnnexLine:
    key: str  # pseudonym, or the reference in a full report
    filed: str
    country: str
    destination: str
    stage: str
    articles: str


@dataclass(frozen=True)
class CaseSummary:
    key: str
    filed: str
    country: str
    destination: str
    stage: str
    outcome: str
    articles: tuple[str, ...]
    texts: tuple[tuple[str, str], ...]  # (question, answer) of the free-text answers kept


@dataclass(frozen=True)
class ReportData:
    request: ReportRequest
    level: Level
    ran_at: datetime
    query: str
    indicators: IndicatorSet
    annex: tuple[AnnexLine, ...]
    summaries: tuple[CaseSummary, ...]
    summary_notes: tuple[str, ...]
    #: The registry entities most cases are linked to, as this report's level may name them.
    entities: tuple[EntityLine, ...] = ()


def report_secret(data_key: str) -> bytes:
    """The key of report pseudonyms: derived from the data key, distinct from its other uses."""
    return hashlib.sha256(b"mrvrs report pseudonyms|" + data_key.encode()).digest()


def report_salt(secret: bytes, request: ReportRequest) -> bytes:
    """Pseudonym salt: the same for the same report, unrelated for any other."""
    canonical = json.dumps(request.params(), sort_keys=True, separators=(",", ":"))
    return hmac.new(secret, b"mrvrs report|" + canonical.encode(), hashlib.sha256).digest()


def build_report(repo: CaseSource, forms: FormSource, sealer: Opener,
                 actor: Mapping[str, Any], request: ReportRequest, *,
                 full_roles: Collection[str], secret: bytes, now: datetime,
                 entities: EntitySource | None = None) -> ReportData:
    """Gather the report's numbers, annex, summaries and most-named entities (from
    `entities`, the registry; none without it); raises `LevelNotAllowed`."""
    level = check_level(request.level, roles_of(actor), full_roles)
    match = export_match(actor, request.filter)
    found = indicator_tables(repo, match, years=_years(request.filter),
                             include_unverified=request.include_unverified)
    counted = pipelines.all_of(match, counting.counted_match(request.include_unverified))
    annex: tuple[AnnexLine, ...] = ()
    summaries: tuple[CaseSummary, ...] = ()
    notes: tuple[str, ...] = ()
    if level is not Level.AGGREGATE:
        redactor = Redactor(level, salt=report_salt(secret, request))
        annex = _annex(repo, counted, redactor)
        summaries, notes = _summaries(repo, forms, sealer, counted, request, redactor)
    query = json.dumps(match, sort_keys=True, default=str, ensure_ascii=False)
    named = entity_lines(entities, found.entity_counts, level=level,
                         threshold=request.threshold)
    return ReportData(request, level, now, query, found, annex, summaries, notes, tuple(named))


def _years(f: ExportFilter) -> range | None:
    if f.filed_from is None or f.filed_to is None:
        return None
    return range(f.filed_from.year, f.filed_to.year + 1)


def _key(case: Mapping[str, Any], redactor: Redactor) -> str:
    if redactor.level is Level.FULL:
        return str(case.get("reference"))
    return redactor.pseudonym(case["_id"])


def _day(value: Any) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else (
        value.isoformat() if isinstance(value, date) else "")


def _articles(case: Mapping[str, Any]) -> list[int]:
    return sorted({n for n in case.get("mwc") or () if isinstance(n, int)})


def _annex(repo: CaseSource, match: Mapping[str, Any],
           redactor: Redactor) -> tuple[AnnexLine, ...]:
    """Every case the tables count, by filing day and pseudonym."""
    lines = []
    for case in repo.matching(pipelines.with_consent(match, "statistics")):
        dims = case.get("dimensions") or {}
        lines.append(AnnexLine(_key(case, redactor), _day(case.get("created_at")),
                               str(case.get("country") or ""),
                               str(dims.get("destination_country") or ""),
                               str(case.get("stage") or ""),
                               ", ".join(code(n) for n in _articles(case))))
    return tuple(sorted(lines, key=lambda line: (line.filed, line.key)))


def _summaries(repo: CaseSource, forms: FormSource, sealer: Opener, match: Mapping[str, Any],
               request: ReportRequest,
               redactor: Redactor) -> tuple[tuple[CaseSummary, ...], tuple[str, ...]]:
    """The chosen cases in the order chosen; those not consented or not covered, counted."""
    if not request.selected:
        return (), ()
    chosen = pipelines.all_of(match, {"reference": {"$in": list(request.selected)}})
    found = {c["reference"]: c for c in opened(repo.matching(chosen), sealer)}
    consent = {"given": 0, "declined": 0, "not_recorded": 0}
    summaries = []
    for reference in request.selected:
        case = found.get(reference)
        if case is None:
            continue
        state = consent_state(case, "advocacy")
        consent[state] += 1
        if state == "given":
            summaries.append(_summary(case, forms, redactor, request.lang))
    notes = list(ConsentSummary("advocacy", consent["given"], consent["declined"],
                                consent["not_recorded"]).notes())
    notes += withheld_notes(redactor.withheld)
    missing = sum(1 for r in dict.fromkeys(request.selected) if r not in found)
    if missing:
        notes.append(f"{missing} chosen reference{'s are' if missing > 1 else ' is'} not "
                     f"among the cases this report covers.")
    return tuple(summaries), tuple(notes)


def _summary(case: Mapping[str, Any], forms: FormSource, redactor: Redactor,
             lang: str) -> CaseSummary:
    form = case.get("form") or {}
    definition = forms.definition(form.get("id"), form.get("version"))
    shown = redactor.redact(case, definition)
    answers = shown.get("answers") or {}
    texts = tuple((definition.text(f.label, lang) or f.id, answers[f.id])
                  for f in definition.fields()
                  if f.type == "textarea" and isinstance(answers.get(f.id), str)
                  and answers[f.id].strip())
    taxonomy = load_taxonomy()
    dims = case.get("dimensions") or {}
    return CaseSummary(
        _key(case, redactor), _day(case.get("created_at")), str(case.get("country") or ""),
        str(dims.get("destination_country") or ""), str(case.get("stage") or ""),
        str(case.get("outcome") or ""),
        tuple(f"{code(n)} {taxonomy.title(n, lang)}" if n in taxonomy else code(n)
              for n in _articles(case)), texts)
