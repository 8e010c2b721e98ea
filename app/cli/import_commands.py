"""`mrvrs cases import`: file a member organisation's existing case files from a spreadsheet.

The same path as the import page: the upload becomes an import job, every row is
checked as intake checks a report, and the import is all or nothing (docs/imports.md).
A dry run prints every problem by row and column and stores nothing. A real import
runs the job here, in this process (routing is queued as for any intake), and is in
the audit log by the actor `cli` (refused imports too).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from workflows.case_import import ColumnMap, RowProblem, suggested_map

ACTOR = "cli"
#: English words of the template's notes (the page passes them in its language).
TEMPLATE_NOTES = {"required": "required", "choices": "codes",
                  "reference": "Your own reference of the case (optional, recommended).",
                  "attachments": "File names in the ZIP archive, separated by ;"}


@click.group("cases", help="Cases: bulk import of existing case files.")
def cases() -> None:
    pass


def _form(value: str) -> tuple[str, int | None]:
    form_id, _, version = value.partition("@")
    if version and not version.isdigit():
        raise click.BadParameter(f"{value!r} is not FORM or FORM@VERSION", param_hint="--form")
    return form_id, int(version) if version else None


def _columns(values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        column, sep, question = value.rpartition("=")
        if not sep or not column.strip():
            raise click.BadParameter(f"{value!r} is not written as COLUMN=QUESTION",
                                     param_hint="--column")
        pairs[column.strip()] = question.strip()
    return pairs


@cases.command("import", help=(
        "Import case files from a spreadsheet (XLSX or CSV) into FORM[@VERSION] for the "
        "organisation ORG. Columns titled as a question id, original_reference or "
        "attachments map themselves; map others with --column 'TITLE=question_id' "
        "(_reference for the original reference, _attachments for file names, nothing "
        "after = to skip). With --template OUT.xlsx, write the form's template instead. "
        "Exits 1 on any problem, in which case nothing is imported."))
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--form", "form", required=True, help="FORM or FORM@VERSION (latest by default).")
@click.option("--org", "org", help="The member organisation the cases are from (its name).")
@click.option("--column", "columns", multiple=True, help="TITLE=QUESTION; repeat for each.")
@click.option("--attachments", "attachments", type=click.Path(exists=True, dir_okay=False),
              help="A ZIP archive of the files the attachments column names.")
@click.option("--template", "template", type=click.Path(dir_okay=False),
              help="Write the template spreadsheet of the form to this path and stop.")
@click.option("--lang", default="en", help="Language of the template's labels.")
@click.option("--dry-run", is_flag=True, help="Check every row and print the problems; "
                                               "store nothing.")
def import_cases(file: str | None, form: str, org: str | None, columns: tuple[str, ...],
                 attachments: str | None, template: str | None, lang: str,
                 dry_run: bool) -> None:
    from app.cli import _build_app, _init_db_or_fail

    form_id, version = _form(form)
    app = _build_app()
    svc = app.extensions["mrvrs"]
    _init_db_or_fail(svc)
    summary = svc.forms.summary(form_id, version)
    if summary is None:
        raise click.BadParameter(f"no published form {form}", param_hint="--form")
    definition = svc.forms.definition(form_id, summary["version"])
    if template:
        from workflows.import_template import template_xlsx

        Path(template).write_bytes(template_xlsx(definition, lang, notes=TEMPLATE_NOTES))
        click.echo(f"template of {form_id}@{summary['version']} written to {template}")
        return
    if not file or not Path(file).is_file():
        raise click.BadParameter("give the spreadsheet to import", param_hint="FILE")
    organisation = svc.organisations.by_name(org) if org else None
    if organisation is None:
        raise click.BadParameter(f"no organisation called {org!r}", param_hint="--org")
    if svc.settings.embedded and not dry_run:
        click.echo("note: MRVRS_MONGO_URI is not set, so this imports into the embedded "
                   "store, which keeps nothing after exit", err=True)
    _run(svc, Path(file), definition, summary["version"], organisation["_id"],
         _columns(columns), Path(attachments) if attachments else None, dry_run)


def _run(svc, path: Path, definition, version: int, org_id: str, given: dict[str, str],
         archive: Path | None, dry_run: bool) -> None:
    from workflows.import_jobs import check_files, read_uploads, run_import_job

    now = datetime.now(UTC)
    sheet, archive_data = path.read_bytes(), archive.read_bytes() if archive else None
    table, _archive, problems = read_uploads(sheet, None)
    if problems:
        _refuse(path.name, problems)
    mapping = {**suggested_map(table.header, definition, "en"), **given}
    form = {"id": definition.id, "version": version}
    ctx = svc.import_context()
    check, _ = check_files(ctx, form, org_id, sheet, archive_data, mapping)
    click.echo(f"{path.name}: {len(check.rows)} rows; columns: " + ", ".join(
        f"{c}={q or '-'}" for c, q in ColumnMap(mapping).columns.items()))
    if dry_run:
        if not check.ok:
            _refuse(path.name, check.all_problems())
        known = svc.cases.imported_with(row.key for row in check.rows)
        click.echo(f"dry run: nothing is stored; {len(check.rows) - len(known)} would be "
                   f"created, {len(known)} already imported")
        return
    job = svc.import_jobs.create(
        user_id=ACTOR, org_id=org_id, form=form, filename=path.name, sheet=sheet,
        archive=archive_data, archive_name=archive.name if archive else "", now=now,
        columns=mapping)
    svc.import_jobs.queue(job["_id"], mapping, now)
    status = run_import_job(ctx, job["_id"])
    done = svc.import_jobs.get(job["_id"])
    if status == "refused":
        _refuse(path.name, [RowProblem.from_dict(p) for p in done["problems"]])
    counts = done["summary"]
    click.echo(f"import {job['_id']}: created {counts['created']}, "
               f"already imported {counts['already']}")


def _refuse(name: str, problems: list[RowProblem]) -> None:
    for problem in problems:
        where = ", ".join(part for part in (f"row {problem.row}" if problem.row else "",
                                            f"column {problem.column!r}" if problem.column
                                            else "") if part)
        click.echo(f"{name}: {where + ': ' if where else ''}{problem.text()}")
    click.echo(f"{len(problems)} problems; nothing was imported", err=True)
    sys.exit(1)
