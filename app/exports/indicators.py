"""The indicators page (per destination country) and the mission report form.

Registered on the exports blueprint. The indicators page runs the same portable
pipelines as reports and aggregate exports (`exports.indicator_runs`) on the
user's scope, narrowed to one destination country and optionally a year of filing
and a country of origin, and shows exact counts (an internal view) with charts.
The report form creates a report job; the report is built by a worker.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, render_template, request
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
from exports.filters import ExportFilter, FilterError, parse_filter
from exports.indicator_grids import Words, duration_lines, grids, trend_lines
from exports.indicator_runs import indicator_tables, run, years_of
from exports.report_data import ReportRequest, ReportRequestError
from exports.service import export_match

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
}


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
    destinations = _values(actor, "destination")
    form.destination.choices = [(d, d) for d in destinations]
    if not request.args.get("destination") and destinations:
        form.destination.data = destinations[0]
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
    if not form.destination.choices:
        return render_template("exports/indicators.html", form=form, found=None)
    if not form.validate():
        return render_template("exports/indicators.html", form=form, found=None), 400
    year = int(form.year.data) if form.year.data else None
    chosen = ExportFilter(destinations=(form.destination.data,),
                          origins=(form.origin.data,) if form.origin.data else (),
                          filed_from=date(year, 1, 1) if year else None,
                          filed_to=date(year, 12, 31) if year else None)
    match = export_match(actor, chosen)
    found = indicator_tables(services().cases, match,
                             years=(year,) if year else years_of(services().cases, match))
    words = _words()
    shown = grids(found, words=words)
    from exports.reports import charts

    return render_template(
        "exports/indicators.html", form=form, found=found, grids=shown,
        trend=trend_lines(found), charts=charts(shown, words),
        consent=[*stage_sentences(found.stages), *consent_sentences(found.consent)],
        durations=[(words(w), d, n) for w, d, n in duration_lines(found)])


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
