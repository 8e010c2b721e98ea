"""Render a compiled mission report as HTML, and as PDF from that HTML with WeasyPrint.

`exports` may not import Flask, so the report's Jinja templates (`exports/templates/`)
are loaded by a plain `jinja2.Environment` with autoescaping on: every narrative is
text typed by a reporter and must never become markup. The HTML is one standalone
file (styles in one `<style>` block, charts as SVG data URIs), so the downloaded report
and the PDF made from it need nothing else; WeasyPrint is imported only when a PDF is
asked for. The style block is the same text in every report, so a browser showing the
report may be allowed that one block by its hash (`STYLE_HASH`) and nothing else.

The selection is stated in words (countries by name in the report's language, dates,
stages), never as the database query: a query means nothing to a reader and shows how
the data are stored.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from exports.bidi_text import isolate
from exports.entity_counts import EntitySource
from exports.indicator_grids import (
    TOTAL,
    Grid,
    Words,
    duration_lines,
    grids,
    partial_years,
    trend_lines,
)
from exports.redaction import Level
from exports.report_data import ReportData, ReportRequest, build_report
from exports.service import CaseSource, FormSource, Opener
from forms.mwc import load_taxonomy

TEMPLATES = Path(__file__).resolve().parent / "templates"
PDF_MEDIA_TYPE = "application/pdf"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
#: Articles that describe scope and are never counted as violations, for the method notes.
LEVEL_WORDS = {
    Level.FULL: "full: references and every answer (for authorised staff only)",
    Level.PSEUDONYMISED: "pseudonymised: pseudonyms instead of references; names, contacts, "
                         "document numbers and places removed and masked in the narratives",
    Level.AGGREGATE: "aggregate: indicator tables only, no case is listed or summarised",
}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_environment.filters["isolate"] = isolate  # narratives may hold direction overrides
#: The report's only style block, and the CSP source that allows exactly that block.
STYLE = (TEMPLATES / "report.css").read_text(encoding="utf-8")
STYLE_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode() + "'"


@dataclass(frozen=True)
class CompiledReport:
    data: ReportData
    html: str
    pdf: bytes | None


def compile_report(repo: CaseSource, forms: FormSource, sealer: Opener,
                   actor: Mapping[str, Any], request: ReportRequest, *,
                   full_roles: Collection[str], secret: bytes, now: datetime,
                   pdf: bool = True, entities: EntitySource | None = None) -> CompiledReport:
    """Gather, render the HTML and (unless `pdf=False`) print it to PDF; `entities` (the
    registry) names the entities most of the report's cases are linked to."""
    data = build_report(repo, forms, sealer, actor, request, full_roles=full_roles,
                        secret=secret, now=now, entities=entities)
    html = render_html(data)
    return CompiledReport(data, html, render_pdf(html) if pdf else None)


def render_html(data: ReportData) -> str:
    threshold = data.request.threshold
    words = Words(data.request.lang)
    chosen = data.request.filter
    partial = partial_years(data.indicators.years, data.ran_at.date(), chosen.filed_from,
                            chosen.filed_to)
    shown = grids(data.indicators, threshold=threshold, words=words, partial=partial)
    return _environment.get_template("report.html").render(
        style=STYLE, data=data, request=data.request, level_words=LEVEL_WORDS[data.level],
        filters=_filter_words(data), grids=shown,
        trend=trend_lines(data.indicators, threshold, partial),
        durations=duration_lines(data.indicators, threshold), charts=charts(shown),
        excluded=_excluded_articles(), ran_at=data.ran_at.strftime("%Y-%m-%d %H:%M UTC"),
        counted=_counted(shown))


def render_pdf(html: str) -> bytes:
    """The HTML printed by WeasyPrint (Pango lays out Arabic, Bengali and other scripts)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def charts(shown: list[Grid], words: Words | None = None) -> list[Any]:
    """Bars of the shown totals: by article, by gender, per year, by perpetrator type."""
    from exports.charts import bar_chart as draw

    words = words or Words()

    def bar_chart(title: str, *args: Any, **kwargs: Any) -> Any:
        kwargs["axis_label"] = words(kwargs.get("axis_label", ""))
        return draw(words(title), *args, **kwargs)

    by_key = {g.key: g for g in shown}
    made = []
    if "by_article_gender" in by_key:
        g = by_key["by_article_gender"]
        made.append(bar_chart("Violations by MWC article", [w[0].split(" ")[0] for w, _ in
                                                             g.lines],
                              [cells[-1] for _, cells in g.lines], axis_label="violations"))
        made.append(bar_chart("Violations by gender", list(g.column_headers[:-1]),
                              list(g.totals[:-1]), axis_label="violations"))
    if "per_year" in by_key:
        g = by_key["per_year"]
        made.append(bar_chart("Violations per year", [w[0] for w, _ in g.lines],
                              [cells[-1] for _, cells in g.lines], axis_label="violations",
                              horizontal=False))
    if "by_perpetrator" in by_key:
        g = by_key["by_perpetrator"]
        made.append(bar_chart("Violations by perpetrator type", [w[0] for w, _ in g.lines],
                              [cells[-1] for _, cells in g.lines], axis_label="violations"))
    return [c for c in made if c is not None]


def _filter_words(data: ReportData) -> list[tuple[str, str]]:
    """The selection in plain words: countries by name, days as dates, stages by name."""
    lang = data.request.lang
    described = data.request.filter.describe()
    lines = [("Countries", _names(described["countries"], lang) or
              "every country the requester may see"),
             ("Filed", _period(described["filed_from"], described["filed_to"], lang))]
    for key, label in (("destinations", "Destination countries"),
                       ("origins", "Countries of origin")):
        if described[key]:
            lines.append((label, _names(described[key], lang)))
    if described["event_from"] or described["event_to"]:
        lines.append(("Events", _period(described["event_from"], described["event_to"], lang)
                      + "; cases whose reporter gave no date are not included"))
    if described["teams"]:
        lines.append(("Handling teams", ", ".join(described["teams"])))
    if described["stages"]:  # which stages the counting rule counts: the method section
        lines.append(("Stages chosen", ", ".join(s.replace("_", " ")
                                                 for s in described["stages"])))
    if described["forms"]:
        lines.append(("Forms", ", ".join(described["forms"])))
    return lines


def _names(codes: Sequence[str], lang: str) -> str:
    """Countries by their names in the report's language (Babel's territory names)."""
    territories = _locale(lang).territories
    return ", ".join(territories.get(c, c) for c in codes)


def _period(start: str | None, end: str | None, lang: str) -> str:
    if not start and not end:
        return "any time"
    locale = _locale(lang)

    def day(text: str) -> str:
        return format_date(date.fromisoformat(text), format="long", locale=locale)

    if start and end:
        return f"from {day(start)} to {day(end)}, both days included"
    return f"from {day(start)}" if start else f"until {day(end)}"  # type: ignore[arg-type]


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _excluded_articles() -> str:
    taxonomy = load_taxonomy()
    counted = set(taxonomy.violation_codes())
    return ", ".join(f"MWC-{n}" for n in taxonomy.numbers() if n not in counted)


def _counted(shown: list[Grid]) -> Any:
    """Violations counted in all: the total of the article table as shown."""
    for g in shown:
        if g.key == "by_article_gender":
            return g.totals[-1]
    return TOTAL
