"""`mrvrs forms translations export|import` and `mrvrs forms import-xlsform`.

Spreadsheets for members who do not write YAML: a translation sheet of every text
of a form, and an XLSForm from KoboToolbox or ODK turned into a country form.
Results land in the form's draft (or a file with -o), which the editor then
checks, previews and publishes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.cli.form_commands import ACTOR, _read
from app.forms_admin.working_copy import (
    WorkingCopy,
    export_sheet,
    import_sheet,
    import_workbook,
    languages_of,
    merged_copy,
    save_import,
    save_xlsform,
    working_copy,
)
from forms.sheet_files import FORMATS, guess_format
from forms.translation_sheet import missing_count


def _services():
    from app.cli import _build_app, _init_db_or_fail

    svc = _build_app().extensions["mrvrs"]
    _init_db_or_fail(svc)
    return svc


def _copy(svc, form_id: str, definition: str | None) -> WorkingCopy:
    if definition:
        return WorkingCopy(form_id, _read(definition), "file")
    found = working_copy(svc.forms, form_id)
    if found is None:
        raise click.ClickException(f"there is no form {form_id} (no draft, no published "
                                   "version, no shipped file)")
    return found


def _merged(svc, copy: WorkingCopy):
    merged = merged_copy(svc.forms, copy)
    if merged is None:
        raise click.ClickException(f"the {copy.kind} of {copy.form_id} cannot be read; "
                                   f"check it first (mrvrs forms validate)")
    return merged


@click.group("translations", help="Translate a form through a spreadsheet: export every "
                                  "text of a form, inherited ones included, fill in the "
                                  "last column, import it.")
def translations() -> None:
    pass


@translations.command("export", help="Write the translation sheet of a form for one of its "
                                     "languages: key, context, source text, translation.")
@click.option("--form", "form_id", required=True, help="The form id, such as my-intake.")
@click.option("--lang", required=True, help="The language to translate into.")
@click.option("--source", default=None, help="The language shown beside it (default: the "
                                             "form's first language).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="xlsx or csv (default: from the -o file name, else xlsx).")
@click.option("--definition", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Read the form from this YAML file instead of its draft or published "
                   "version.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="The file to write (default: FORM-LANG.xlsx or .csv).")
def export(form_id: str, lang: str, source: str | None, fmt: str | None,
           definition: str | None, output: str | None) -> None:
    svc = _services()
    copy = _copy(svc, form_id, definition)
    merged = _merged(svc, copy)
    languages = languages_of(merged)
    source = source or (languages[0] if languages else "en")
    for tag, what in ((lang, "--lang"), (source, "--source")):
        if tag not in languages:
            raise click.ClickException(f"{what} {tag} is not one of the languages of "
                                       f"{form_id} ({', '.join(languages)}); add it to the "
                                       "form's languages first")
    fmt = fmt or (guess_format(output) if output else "xlsx")
    output = output or f"{form_id}-{lang}.{fmt}"
    Path(output).write_bytes(export_sheet(merged, lang, source, fmt))
    click.echo(f"wrote {output}: the texts of {form_id} ({copy.kind}) in {source} and {lang}; "
               f"{missing_count(merged, lang)} have no {lang} translation yet")


@translations.command("import", help="Write a filled translation sheet into the form's "
                                     "draft (or -o FILE); lists every problem by row and "
                                     "writes nothing if there is any.")
@click.option("--form", "form_id", required=True, help="The form id, such as my-intake.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--definition", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Apply the sheet to this YAML file instead of the form's draft or "
                   "published version.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the translated definition to this file instead of the draft.")
def import_(form_id: str, file: str, definition: str | None, output: str | None) -> None:
    svc = _services()
    copy = _copy(svc, form_id, definition)
    merged = _merged(svc, copy)
    result = import_sheet(svc.forms, copy, merged, Path(file).read_bytes(), guess_format(file))
    if not result.ok:
        for problem in result.problems:
            click.echo(f"{file}: {problem.message}")
        click.echo(f"{len(result.problems)} problems; nothing was written", err=True)
        sys.exit(1)
    if output:
        Path(output).write_text(result.text or "", encoding="utf-8")
        where = output
    else:
        save_import(svc.forms, copy, result, ACTOR, svc.audit)
        where = f"the draft of {form_id}"
        if svc.settings.embedded:
            click.echo("note: MRVRS_MONGO_URI is not set, so the draft is kept in the "
                       "embedded store, which keeps nothing after exit; use -o", err=True)
    click.echo(f"{result.changed} texts in {result.language} changed, written to {where}; "
               f"{result.untranslated} rows left empty")



@click.command("import-xlsform", help="Turn an XLSForm (.xlsx from KoboToolbox or ODK) into "
                                      "a country form extending mwc-base, saved as its draft "
                                      "(or -o FILE). Lists every construct it cannot import "
                                      "by sheet and row; writes nothing if one is fatal.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--country", default=None, help="The ISO country code, when the settings "
                                              "sheet has no country column.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the definition to this YAML file instead of a draft.")
def import_xlsform_command(file: str, country: str | None, output: str | None) -> None:
    svc = _services()
    result = import_workbook(svc.forms, Path(file).read_bytes(), country, Path(file).name)
    for problem in result.problems:
        label = "" if problem.fatal else "warning: "
        click.echo(f"{file}: {label}{problem.message}")
    if not result.ok:
        fatal = sum(1 for p in result.problems if p.fatal)
        click.echo(f"{fatal} problems stop the import; nothing was written", err=True)
        sys.exit(1)
    if output:
        Path(output).write_text(result.text or "", encoding="utf-8")
        click.echo(f"wrote {output}: the form {result.form_id}; check it with "
                   f"mrvrs forms validate {output}")
        return
    save_xlsform(svc.forms, result, ACTOR, svc.audit)
    click.echo(f"saved the draft of {result.form_id}; open it in the form editor to check, "
               "preview and publish it")
