"""`mrvrs export` and `mrvrs report`: exports and mission reports from the command line.

The command line acts as a system coordinator (actor "cli"): it sees every case,
and gets `full` exports only when MRVRS_EXPORT_FULL_ROLES lists `coordinator`.
Both commands run the same service as the pages, write to a temporary file beside
the output and rename it once complete (an interrupted run leaves no half file),
and record the same audit event.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from exports.consent import PURPOSE_WORDS
from exports.filters import FilterError, parse_filter
from exports.redaction import Level, LevelNotAllowed
from exports.report_data import ReportRequest, ReportRequestError, report_secret
from exports.service import DOCUMENTATION_FORMATS, FORMATS, ExportRequest, run_export

ACTOR = "cli"
CLI_ACTOR = {"id": ACTOR, "roles": ["coordinator"], "org_id": None, "countries": []}
LEVELS = [level.value for level in Level]


def _filter(**values: Any):
    params = {key: list(v) if isinstance(v, tuple) else v for key, v in values.items()
              if v not in (None, (), "")}
    try:
        return parse_filter(params)
    except FilterError as exc:
        raise click.ClickException("; ".join(exc.problems)) from None


def _services():
    from app.cli import _build_app

    return _build_app().extensions["mrvrs"]


def _write_atomically(out: str, write) -> Any:
    """Write through a temporary file in the same folder, then rename it into place."""
    folder = os.path.dirname(os.path.abspath(out))
    handle, partial = tempfile.mkstemp(prefix=".mrvrs-", suffix=".partial", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            result = write(stream)
        os.replace(partial, out)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    return result


def selection_options(command):
    """The options that choose cases, shared by `export` and `report` (docs/exports.md)."""
    options = [
        click.option("--destination", multiple=True,
                     help="destination state, where it happened; repeat or MY,SG"),
        click.option("--event-from", default=None,
                     help="events from this year, month or day: 2005, 2005-03, 2005-03-14"),
        click.option("--event-to", default=None,
                     help="events until this year, month or day (its last day included)"),
        click.option("--origin", multiple=True, help="nationality of the person"),
        click.option("--team", multiple=True, help="team handling the case"),
        click.option("--form", multiple=True, help="form id, optionally :version"),
        click.option("--stage", multiple=True),
        click.option("--from", "date_from", default=None, help="first filing day, YYYY-MM-DD"),
        click.option("--to", "date_to", default=None, help="last filing day, YYYY-MM-DD"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _selection(*, date_from: str | None, date_to: str | None, **values: Any):
    """The filter the selection options give (their names are the filter's, but --from
    and --to, which Python cannot take as names)."""
    return _filter(**values, **{"from": date_from, "to": date_to})


@click.command("export", help="Export the filtered cases to FILE as CSV (a ZIP of one file "
                              "per table), XLSX or JSON Lines.")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, *DOCUMENTATION_FORMATS)),
              required=True, help="huridocs-json and huridocs-csv: events, acts, victims, "
                                  "perpetrators and their relations (docs/exports.md)")
@click.option("--redaction", type=click.Choice(LEVELS), required=True)
@click.option("--country", multiple=True, help="country handling the case; repeat or MY,SG")
@selection_options
@click.option("--purpose", type=click.Choice(list(PURPOSE_WORDS)), default="statistics",
              show_default=True, help="cases without consent to it are left out")
@click.option("--bom", is_flag=True, help="CSV for spreadsheet programs")
@click.option("--include-unverified", is_flag=True,
              help="also count cases still in review (duplicates and rejected cases never)")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def export(fmt, redaction, purpose, bom, include_unverified, out, **selection) -> None:
    wanted = ExportRequest(_selection(**selection), fmt, redaction, purpose, "en", bom,
                           include_unverified)
    svc = _services()
    try:
        result = _write_atomically(out, lambda stream: run_export(
            svc.cases, svc.forms, svc.sealer, CLI_ACTOR, wanted, stream,
            full_roles=svc.settings.export_full_roles, entities=svc.entities))
    except LevelNotAllowed as exc:
        raise click.ClickException(f"{exc} (MRVRS_EXPORT_FULL_ROLES)") from None
    svc.audit.record("export.created", actor=ACTOR, target=None, **wanted.describe(),
                     **result.summary())
    rows = ", ".join(f"{table} {n}" for table, n in result.rows.items())
    click.echo(f"wrote {out} ({result.media_type}): {rows}")
    for note in result.notes or [*result.stages.notes(), *result.consent.notes()]:
        click.echo(note)


@click.command("report", help="Build a compiled mission report as PDF or HTML (by the "
                              "extension of --out).")
@click.option("--name", required=True, help="the mission's name")
@click.option("--countries", "country", multiple=True,
              help="countries handling the cases: MY,SG")
@selection_options
@click.option("--redaction", type=click.Choice(LEVELS), default="pseudonymised",
              show_default=True)
@click.option("--case", "cases", multiple=True, help="reference of a case to summarise")
@click.option("--exact", is_flag=True, help="exact small counts (internal use only)")
@click.option("--include-unverified", is_flag=True,
              help="also count cases still in review (duplicates and rejected cases never)")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def report(name, redaction, cases, exact, include_unverified, out, **selection) -> None:
    from exports.reports import compile_report

    for noisy in ("weasyprint", "fontTools"):  # page-by-page progress is not news here
        logging.getLogger(noisy).setLevel(logging.WARNING)
    kind = Path(out).suffix.lower()
    if kind not in (".pdf", ".html"):
        raise click.ClickException("--out must end in .pdf or .html")
    found = _selection(**selection)
    try:
        wanted = ReportRequest(name, found, redaction, tuple(c.upper() for c in cases),
                               None if exact else 5, include_unverified=include_unverified)
    except ReportRequestError as exc:
        raise click.ClickException("; ".join(exc.problems)) from None
    svc = _services()
    try:
        compiled = compile_report(svc.cases, svc.forms, svc.sealer, CLI_ACTOR, wanted,
                                  full_roles=svc.settings.export_full_roles,
                                  secret=report_secret(svc.settings.oldest_data_key),
                                  now=datetime.now(UTC), pdf=kind == ".pdf",
                                  entities=svc.entities)
    except LevelNotAllowed as exc:
        raise click.ClickException(f"{exc} (MRVRS_EXPORT_FULL_ROLES)") from None
    data = compiled.pdf if kind == ".pdf" else compiled.html.encode("utf-8")
    _write_atomically(out, lambda stream: stream.write(data or b""))
    from exports.job_runs import report_summary

    summary = report_summary(compiled.data)
    svc.audit.record("report.completed", actor=ACTOR, target=None, **wanted.describe(),
                     **summary)
    click.echo(f"wrote {out}: {summary['cases']} cases counted")
    for note in summary["notes"]:
        click.echo(note)


EXPORT_COMMANDS = (export, report)
