"""The indicators page (an overview, then per destination country) and the report form.

Registered on the exports blueprint. The indicators page opens on an overview: the
cases of every destination country in the user's scope, named in the user's
language and split by gender, each linking to its own page. That page runs the same
portable pipelines as reports and aggregate exports (`exports.indicator_runs`) on the
user's scope, narrowed to one destination country and optionally a year of filing
and a country of origin, and shows exact counts (an internal view) with charts.
The current year is partial: it is labelled so and gives no trend.
The report form creates a report job; the report is built by a worker.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.exports.forms import IndicatorFilterForm, ReportForm
from app.exports.views import (
    EXPORT_PAGE_ROLES,
    bp,
    check_level_or_403,
    export_actor,
    levels_for,
    refuse_operators,
    start_job,
)
from app.roles import roles_required
from app.services import services
from exports import pipelines
from exports.consent import ConsentSummary
from exports.counting import StageSummary
from exports.entity_counts import entity_lines
from exports.filters import ExportFilter, FilterError, parse_filter
from exports.indicator_grids import (
    Words,
    duration_lines,
    grid,
    grids,
    partial_years,
    trend_lines,
)
from exports.indicator_runs import IndicatorSet, indicator_tables, run, years_of
from exports.redaction import Level
from exports.report_data import ReportRequest, ReportRequestError
from exports.service import export_match
from exports.suppression import DEFAULT_THRESHOLD

#: The fixed words of indicator tables, in the page's language.
WORDS = {
    "Violations by MWC article and destination country":
        _l("Violations by MWC article and destination country"),
    "Violations by MWC article and destination country, split by gender":
        _l("Violations by MWC article and destination country, split by gender"),
    "Violations by MWC article, split by gender": _l("Violations by MWC article, split by gender"),
    "Violations by perpetrator type, split by gender":
        _l("Violations by perpetrator type, split by gender"),
    "Violations by immigration status, split by gender":
        _l("Violations by immigration status, split by gender"),
    "Cases by outcome, split by gender": _l("Cases by outcome, split by gender"),
    "Violations per year of filing, split by gender":
        _l("Violations per year of filing, split by gender"),
    "MWC article": _l("MWC article"), "Destination country": _l("Destination country"),
    "Perpetrator type": _l("Perpetrator type"), "Immigration status": _l("Immigration status"),
    "Outcome": _l("Outcome"), "Year": _l("Year"), "Total": _l("Total"),
    "Not recorded": _l("Not recorded"), "Resolved": _l("Resolved"), "Referred": _l("Referred"),
    "Unresolved": _l("Unresolved"), "Withdrawn": _l("Withdrawn"),
    "Open (no outcome yet)": _l("Open (no outcome yet)"),
    "Filing to verification": _l("Filing to verification"),
    "Filing to closure": _l("Filing to closure"),
    "Violations by MWC article": _l("Violations by MWC article"),
    "Violations by gender": _l("Violations by gender"),
    "Violations per year": _l("Violations per year"),
    "Violations by perpetrator type": _l("Violations by perpetrator type"),
    "violations": _l("violations"),
    "Cases by destination country, split by gender":
        _l("Cases by destination country, split by gender"),
    "partial": _l("partial"),
}


#: The kinds of registry entity, as the entities table names them.
ENTITY_KINDS = {"recruitment_agency": _l("Recruitment agency"),
                "sub_agent": _l("Sub-agent or broker"), "employer": _l("Employer"),
                "other": _l("Other")}


def _entities(found: IndicatorSet) -> dict[str, Any]:
    """The entities table's values: the page is an overview of counts, so it names
    entities as aggregate outputs do (no private employer), and none under the
    small-cell threshold, although its own counts are exact."""
    lines = entity_lines(services().entities, found.entity_counts, level=Level.AGGREGATE,
                         threshold=DEFAULT_THRESHOLD)
    return {"entities": lines, "entity_threshold": DEFAULT_THRESHOLD,
            "entity_kinds": {k: str(v) for k, v in ENTITY_KINDS.items()}}


def _words() -> Words:
    from app.i18n import current_language

    return Words(current_language(), {k: str(v) for k, v in WORDS.items()})


def _values(actor: dict[str, Any], key: str) -> list[str]:
    """The values of one dimension among the cases in the actor's scope."""
    groups = run(services().cases, pipelines.count_by(export_match(actor, ExportFilter()),
                                                      (key,)))
    return sorted({g["_id"][key] for g in groups
                   if isinstance(g.get("_id"), dict) and isinstance(g["_id"].get(key), str)})


def _filter_form(actor: dict[str, Any]) -> IndicatorFilterForm:
    form = IndicatorFilterForm(request.args)
    words = _words()
    destinations = sorted(_values(actor, "destination"), key=words.country)
    form.destination.choices = [("", _("every country"))] + [(d, words.country(d))
                                                            for d in destinations]
    form.destination.data = form.destination.data or ""  # none chosen: the overview
    first, last = services().cases.filing_span(export_match(actor, ExportFilter()))
    years = range(last.year, first.year - 1, -1) if first and last else []
    form.year.choices = [("", _("every year"))] + [(str(y), str(y)) for y in years]
    form.origin.choices = [("", _("every country"))] + [(o, o) for o in
                                                        _values(actor, "nationality")]
    return form


def consent_sentences(summary: ConsentSummary) -> list[str]:
    """The consent notes in the page's language."""
    notes = []
    if summary.declined:
        notes.append(ngettext("%(num)d case left out: the reporter did not consent to "
                              "anonymous statistics.", "%(num)d cases left out: the reporter "
                              "did not consent to anonymous statistics.", summary.declined))
    if summary.not_recorded:
        notes.append(ngettext("%(num)d case left out: no consent to anonymous statistics was "
                              "recorded.", "%(num)d cases left out: no consent to anonymous "
                              "statistics was recorded.", summary.not_recorded))
    return notes


def stage_sentences(summary: StageSummary) -> list[str]:
    """The counting rule's notes (`exports.counting`) in the page's language."""
    notes = []
    if summary.duplicate:
        notes.append(ngettext("%(num)d case left out: marked as a duplicate of another case, "
                              "which is counted instead.", "%(num)d cases left out: marked as "
                              "a duplicate of another case, which is counted instead.",
                              summary.duplicate))
    if summary.rejected:
        notes.append(ngettext("%(num)d case left out: rejected in review.",
                              "%(num)d cases left out: rejected in review.", summary.rejected))
    if summary.not_verified:
        notes.append(ngettext("%(num)d case left out: not yet verified (still in review).",
                              "%(num)d cases left out: not yet verified (still in review).",
                              summary.not_verified))
    return notes


@bp.route("/indicators")
@roles_required(*EXPORT_PAGE_ROLES)
def indicators():
    refuse_operators()
    actor = export_actor(g.user)
    form = _filter_form(actor)
    if len(form.destination.choices) == 1:  # only "every country": nothing in scope
        return render_template("exports/indicators.html", form=form, found=None)
    if not form.validate():
        return render_template("exports/indicators.html", form=form, found=None), 400
    if not form.destination.data:
        return _overview(actor, form)
    year = int(form.year.data) if form.year.data else None
    match = export_match(actor, _chosen(form, year))
    found = indicator_tables(services().cases, match,
                             years=(year,) if year else years_of(services().cases, match))
    words = _words()
    partial = partial_years(found.years, datetime.now(UTC).date())
    shown = grids(found, words=words, partial=partial)
    from exports.reports import charts

    return render_template(
        "exports/indicators.html", form=form, found=found, grids=shown,
        country=words.country(form.destination.data),
        trend=trend_lines(found, partial=partial), charts=charts(shown, words),
        consent=[*stage_sentences(found.stages), *consent_sentences(found.consent)],
        partial_word=words("partial"),
        durations=[(words(w), d, n) for w, d, n in duration_lines(found)], **_entities(found))


def _chosen(form: IndicatorFilterForm, year: int | None) -> ExportFilter:
    """The form's choice: one destination (none for the overview), origin, year of filing,
    year of the events."""
    events = int(form.event_year.data) if (form.event_year.data or "").strip() else None
    return ExportFilter(destinations=(form.destination.data,) if form.destination.data else (),
                        origins=(form.origin.data,) if form.origin.data else (),
                        filed_from=date(year, 1, 1) if year else None,
                        filed_to=date(year, 12, 31) if year else None,
                        event_from=date(events, 1, 1) if events else None,
                        event_to=date(events, 12, 31) if events else None)


def _overview(actor: dict[str, Any], form: IndicatorFilterForm):
    """Cases of every destination country in scope by gender, each row linking to its page."""
    year = int(form.year.data) if form.year.data else None
    match = export_match(actor, _chosen(form, year))
    found = indicator_tables(services().cases, match, years=())  # no table per year
    table = found.table("cases_by_destination")
    shown = grid("cases_by_destination", table, words=_words())
    lines = sorted(zip(table.rows, shown.lines, strict=True),
                   key=lambda pair: (pair[0] is None, pair[1][0]))
    links = [url_for("exports.indicators", destination=code, year=form.year.data or None,
                     event_year=(form.event_year.data or "").strip() or None,
                     origin=form.origin.data or None) if code else None for code, _ in lines]
    return render_template("exports/indicators.html", form=form, found=None, overview=shown,
                           overview_lines=list(zip(links, [line for _, line in lines],
                                                   strict=True)),
                           counted=found.consent.included,
                           consent=[*stage_sentences(found.stages),
                                    *consent_sentences(found.consent)], **_entities(found))


@bp.route("/reports", methods=["GET", "POST"])
@roles_required(*EXPORT_PAGE_ROLES)
def report():
    refuse_operators()
    check_level_or_403(request.form.get("level"), g.user)
    form = ReportForm().setup(levels_for(g.user))
    if form.validate_on_submit():
        try:
            wanted = ReportRequest(form.name.data.strip(), parse_filter(form.to_params()),
                                   form.level.data, form.selected(),
                                   None if form.exact.data else 5,
                                   include_unverified=bool(form.unverified.data))
        except (FilterError, ReportRequestError) as exc:
            form.references.errors = [*form.references.errors, *exc.problems]
        else:
            return start_job("report", export_actor(g.user), wanted.params(),
                              wanted.describe())
    if form.is_submitted():
        return render_template("exports/report.html", form=form), 400
    return render_template("exports/report.html", form=form)
