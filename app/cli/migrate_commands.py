"""`mrvrs db migrate`: bring the cases stored by earlier releases up to today's format.

Two steps: the "No"s that unticked yes/no boxes left in older cases become "not
answered" (workflows/yes_no_migration.py), and cases filed before cases kept their event
period get it from their answers (workflows/event_backfill.py). Run it once after
upgrading (README, "Upgrading"); it can be run again at any time and does nothing the
second time. Every
case it changes gets a timeline event and an audit entry, and the run one more.
"""

from __future__ import annotations

import functools
import sys
from datetime import UTC, datetime

import click

ACTOR = "cli"


@click.command("migrate", help="Update cases stored by earlier releases to today's format "
                               "(safe to run again; exits 1 while anything is left).")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(min=1),
              help="cases read per database round trip")
def migrate(batch_size: int) -> None:
    from app.cli import _prepared_app
    from workflows.event_backfill import backfill_event_periods
    from workflows.yes_no_migration import migrate_yes_no_answers

    svc = _prepared_app().extensions["mrvrs"]
    report = migrate_yes_no_answers(svc.cases, svc.sealer, _yes_no_fields(svc.forms),
                                    now=datetime.now(UTC), batch_size=batch_size)
    for case_id, cleared in report.changed.items():
        svc.audit.record("case.answers_migrated", actor=ACTOR, target=case_id, cleared=cleared)
    periods = backfill_event_periods(svc.cases, batch_size=batch_size)
    svc.audit.record("db.migrate", actor=ACTOR, checked=report.checked,
                     changed=len(report.changed), marked=report.marked,
                     raced=len(report.raced), unreadable=len(report.unreadable),
                     event_periods=periods)
    click.echo(f"checked {report.checked} cases written in the older format: "
               f"{len(report.changed)} had unticked yes/no boxes stored as No, now not "
               f"answered; {report.marked} needed no change")
    click.echo(f"worked out the event period of {periods} cases filed before cases kept one")
    if report.raced:
        click.echo(f"{len(report.raced)} cases changed during the run: run the command again",
                   err=True)
    if report.unreadable:
        click.echo(f"{len(report.unreadable)} cases have sealed answers that no key in "
                   f"MRVRS_DATA_KEY opens: {', '.join(report.unreadable)}", err=True)
    if not report.complete:
        sys.exit(1)


def _yes_no_fields(forms):
    """The yes/no questions of each form's latest published version, looked up once."""
    @functools.cache
    def fields(form_id: str | None) -> frozenset[str]:
        record = forms.latest(form_id) if form_id else None
        if record is None:
            return frozenset()
        definition = forms.definition(form_id, record["version"])
        return frozenset(f.id for f in definition.fields() if f.type == "yesno")
    return fields
