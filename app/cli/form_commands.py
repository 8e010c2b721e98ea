"""`mrvrs forms`: check, publish and describe form definitions from the command line.

`validate` needs no database, so a national member can check a file on a laptop
before sending it; `publish` writes a version to the configured database.

The command line acts as one operator ("cli"), not as a named editor, so it cannot
be the second pair of eyes: `publish` refuses a form of a country that requires a
second editor's approval, and the version goes through the web editor instead
(submit, then another editor approves). `approval` shows and sets that rule.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.forms_admin.editing import record_publication
from app.forms_admin.going_live import CannotGoLive, go_live
from forms.compiler import compile_form, compile_text
from forms.errors import Problem
from forms.format_schema import format_schema
from forms.loader import ParsedSource, parse_definition
from forms.shipped import shipped_sources

ACTOR = "cli"


@click.group("forms", help="Form definitions: validate, publish, print the JSON Schema.")
def forms() -> None:
    pass


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text; save it as UTF-8.") from None
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None


def _print_problems(problems: list[Problem] | tuple[Problem, ...], seen: set[str]) -> int:
    """Print each problem once, as `file:line path: sentence`; return how many were new."""
    count = 0
    for problem in problems:
        if problem.message not in seen:
            seen.add(problem.message)
            click.echo(problem.message)
            count += 1
    return count


@forms.command("validate", help="Check definition files and print every problem as "
                                "`file:line path: sentence`; exits 1 if there is any. "
                                "Warnings (a term no question uses) are printed too, "
                                "and do not change the exit status. "
                                "`extends` is resolved against the shipped forms and the "
                                "other files given.")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    parsed: dict[str, ParsedSource] = {path: parse_definition(_read(path), path)
                                       for path in files}
    sources = {**shipped_sources(),
               **{source.form_id or path: source for path, source in parsed.items()}}
    seen: set[str] = set()
    failed = 0
    for path, source in parsed.items():
        result = compile_form(source.form_id or path, sources)
        for warning in result.warnings:  # worth a look, but never a reason to exit 1
            click.echo(f"warning: {warning.message}", err=True)
        if result.ok:
            definition = result.unwrap()
            click.echo(f"{path}: ok, form {definition.id} ({len(list(definition.fields()))} "
                       f"fields; languages {', '.join(definition.languages)})")
        else:
            failed += 1
            _print_problems(result.problems, seen)
    if failed:
        click.echo(f"{len(seen)} problems in {failed} of {len(files)} files", err=True)
        sys.exit(1)


@forms.command("publish", help="Validate one definition file and publish it as the next "
                               "version of its form; prints the form id and version.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def publish(file: str) -> None:
    from app.cli import _build_app, _init_db_or_fail

    text = _read(file)
    app = _build_app()
    svc = app.extensions["mrvrs"]
    _init_db_or_fail(svc)
    if svc.settings.embedded:
        click.echo("note: MRVRS_MONGO_URI is not set, so this publishes to the embedded "
                   "store, which keeps nothing after exit", err=True)
    library = {**shipped_sources(), **svc.forms.library_sources()}
    result = compile_text(text, file, library)
    if not result.ok:
        _print_problems(result.problems, set())
        sys.exit(1)
    _publish(svc, result.unwrap(), text, file)


def _publish(svc, definition, text: str, file: str) -> None:
    from forms.store import PublishConflict, PublishRefused

    if svc.approvals.required(definition.country):
        raise click.ClickException(
            f"forms of {definition.country} need a second editor's approval before a version "
            "goes live, and the command line cannot give it: submit this text in the web "
            f"editor (/forms/{definition.id}/edit, “Submit for approval”) and another editor "
            f"for {definition.country} approves it there; or lift the rule with "
            f"`mrvrs forms approval {definition.country} --not-required`")
    try:
        went = go_live(svc, definition, source_text=text, actor=ACTOR)
    except CannotGoLive as cannot:
        for reason in cannot.reasons:
            click.echo(f"{file}: {reason}", err=True)
        sys.exit(1)
    except PublishRefused as refused:
        for problem in refused.problems:
            click.echo(f"{file}: {problem}")
        sys.exit(1)
    except PublishConflict as exc:
        raise click.ClickException(str(exc)) from None
    record = went.record
    if not went.new:
        click.echo(f"{record['form_id']} version {record['version']} already has this "
                   "content; nothing new was published")
        return
    click.echo(f"published {record['form_id']} version {record['version']}")


@forms.command("approval", help="Show which countries need a second editor's approval "
                                "before a form version goes live; with COUNTRY and "
                                "--required or --not-required, change that country's rule "
                                "(audited, by the actor `cli`).")
@click.argument("country", required=False)
@click.option("--required/--not-required", default=None,
              help="Require (or stop requiring) a second editor's approval for COUNTRY.")
def approval(country: str | None, required: bool | None) -> None:
    from app.cli import _build_app, _init_db_or_fail
    from forms.countries import country_codes

    if (country is None) != (required is None):
        raise click.UsageError("give both COUNTRY and --required/--not-required, or neither")
    svc = _build_app().extensions["mrvrs"]
    _init_db_or_fail(svc)
    if country is not None:
        country = country.upper()
        if country not in country_codes():
            raise click.BadParameter(f"{country!r} is not a two-letter country code",
                                     param_hint="COUNTRY")
        svc.approvals.set_required(country, required, ACTOR)
        svc.audit.record("form.approval_rule", actor=ACTOR, target=country, country=country,
                         required=required)
    rules = [rule["_id"] for rule in svc.approvals.rules_list() if rule.get("required")]
    click.echo("second approval required for: " + (", ".join(rules) or "no country"))


@forms.command("schema", help="Print the JSON Schema of the definition format, for editors.")
def schema() -> None:
    click.echo(json.dumps(format_schema(), indent=2, ensure_ascii=False))


def publish_shipped_forms(svc) -> None:
    """Publish the shipped definitions not yet published (at `db init` and `run`)."""
    report = svc.forms.publish_shipped()
    for record in report.published:
        record_publication(svc, record, "system")
        click.echo(f"published the shipped form {record['form_id']} "
                   f"version {record['version']}")
    for form_id in report.kept:
        click.echo(f"kept {form_id} as published here; the shipped file does not replace it")
    for form_id, problems in report.problems.items():
        click.echo(f"the shipped form {form_id} was not published:", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)


# Spreadsheet commands live in their own module; attached here so `forms` lists them.
from app.cli.sheet_commands import import_xlsform_command, translations  # noqa: E402

forms.add_command(translations)
forms.add_command(import_xlsform_command)
