"""`mrvrs registry import-list`: bring an authority's published list of licensed
agencies into the registry of recruiters and employers.

The list is read and checked whole first: with any problem, nothing is written and
every problem is printed by row and column. Importing the same list again changes
nothing; a later list records the status changes it shows, dated by its own date.
Every import that writes (and every refused one) is in the audit log, by the actor
`cli`; a dry run writes nothing and is not audited.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from workflows.registry.authorities import AuthoritiesError, find_authority, read_authorities
from workflows.registry.licence_lists import FIELDS, ListReading, read_list
from workflows.registry.plan import ImportPlan, plan_import

ACTOR = "cli"


@click.group("registry", help="The registry of recruiters, employers and other actors.")
def registry() -> None:
    pass


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    """`left=right` option values as a mapping; refuses one without `=`."""
    pairs = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise click.BadParameter(f"{value!r} is not written as left=right",
                                     param_hint=option)
        pairs[left.strip()] = right.strip()
    return pairs


def _list_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD",
                                 param_hint="--list-date") from None


@registry.command("import-list", help=(
        "Import an authority's published list of licensed agencies (CSV or XLSX). "
        "Map the list's columns with --column name=HEADER --column licence=HEADER "
        "(and address=, status=); map its status words with --status-word "
        "\"Dicabut=revoked\". Prints what was created and changed; exits 1 on any "
        "problem, in which case nothing is imported."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--authority", "authority_key", required=True,
              help="The authority that published the list (a key of config/authorities.yaml).")
@click.option("--list-date", "list_date", required=True,
              help="The date the authority published the list, YYYY-MM-DD.")
@click.option("--column", "columns", multiple=True,
              help=f"FIELD=HEADER, FIELD one of {', '.join(FIELDS)}; repeat for each.")
@click.option("--status-word", "status_words", multiple=True,
              help="WORD=STATUS: what a word of the list's status column means "
                   "(licensed, suspended, revoked, blacklisted, expired); repeat for each.")
@click.option("--dry-run", is_flag=True, help="Check and show the changes; write nothing.")
def import_list(file: str, authority_key: str, list_date: str, columns: tuple[str, ...],
                status_words: tuple[str, ...], dry_run: bool) -> None:
    from app.cli import _build_app, _init_db_or_fail

    try:
        authorities = read_authorities()
    except AuthoritiesError as exc:
        raise click.ClickException(str(exc)) from None
    authority = find_authority(authorities, authority_key)
    if authority is None:
        raise click.BadParameter(f"{authority_key!r} is not an authority of "
                                 f"config/authorities.yaml (known: {', '.join(authorities)})",
                                 param_hint="--authority")
    day = _list_date(list_date)
    mapping, words = _pairs(columns, "--column"), _pairs(status_words, "--status-word")
    name = Path(file).name
    reading = read_list(Path(file).read_bytes(), name, mapping, words)
    if not reading.ok and dry_run:
        _refuse(None, reading, authority.key, day, name)
    svc = _build_app().extensions["mrvrs"]
    _init_db_or_fail(svc)
    if svc.settings.embedded and not dry_run:
        click.echo("note: MRVRS_MONGO_URI is not set, so this imports into the embedded "
                   "store, which keeps nothing after exit", err=True)
    if not reading.ok:
        _refuse(svc, reading, authority.key, day, name)
    existing = svc.entities.holding_licences(authority.key, [row.licence for row in reading.rows])
    plan = plan_import(existing, reading.rows, authority, day, file=name)
    _print_plan(plan, len(reading.rows), dry_run)
    if dry_run:
        return
    result = svc.entities.apply(plan)
    svc.audit.record("registry.import_list", actor=ACTOR, target=authority.key,
                     authority=authority.key, list_date=day, file=name,
                     rows=len(reading.rows), created=len(result.created),
                     updated=len(result.updated), status_changes=result.status_changes,
                     conflicts=len(result.conflicts))
    if result.conflicts:
        rows = ", ".join(map(str, result.conflicts))
        click.echo(f"not written, changed by someone else meanwhile: rows {rows}; "
                   "import the list again", err=True)
        sys.exit(1)


def _refuse(svc, reading: ListReading, authority: str, day: str, name: str) -> None:
    """Print every problem and exit 1; audited unless a dry run (`svc` None)."""
    for problem in reading.problems:
        click.echo(f"{name}: {problem}")
    click.echo(f"{len(reading.problems)} problems; nothing was imported", err=True)
    if svc is not None:
        svc.audit.record("registry.import_list_refused", actor=ACTOR, target=authority,
                         authority=authority, list_date=day, file=name,
                         problems=len(reading.problems))
    sys.exit(1)


def _print_plan(plan: ImportPlan, rows: int, dry_run: bool) -> None:
    would = "would be " if dry_run else ""
    click.echo(f"{plan.file}: {rows} agencies listed by {plan.authority} on {plan.list_date}"
               + (" (dry run: nothing is written)" if dry_run else ""))
    if plan.empty:
        click.echo("nothing to do: the registry already holds this list")
    click.echo(f"{would}created: {len(plan.creates)}")
    click.echo(f"{would}updated: {len(plan.detail_changes)}")
    click.echo(f"status changes{' that would be recorded' if dry_run else ''}: "
               f"{len(plan.status_changes)}")
    for update in plan.status_changes:
        click.echo(f"  row {update.row}: {update.entity_id} {update.status['status']} "
                   f"since {update.status['since']}")
    for update in plan.detail_changes:
        what = [f"name {update.name!r}" if update.name is not None else "",
                f"address {update.address!r}" if update.address is not None else ""]
        click.echo(f"  row {update.row}: {update.entity_id} " + ", ".join(w for w in what if w))
    if plan.older:
        click.echo(f"older than the lists already imported, left as they are: rows "
                   f"{', '.join(map(str, plan.older))}")
