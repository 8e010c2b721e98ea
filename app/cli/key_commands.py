"""`mrvrs keys rotate-data`: re-seal every stored sensitive answer under the newest data key.

Rotation of the data key: put a new key in front of MRVRS_DATA_KEY (`new,old`),
restart the web processes and workers so new answers are sealed with it, run this
command, then remove the old key. The command can be run as often as wanted: it
skips what is already under the newest key, so an interrupted run is simply run again.
"""

from __future__ import annotations

import sys

import click

ACTOR = "cli"


@click.command("rotate-data", help="Re-seal every case's sensitive answers under the newest "
                                   "MRVRS_DATA_KEY (the first listed). Safe to run again; "
                                   "exits 1 while anything is left under an older key.")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(min=1),
              help="cases read per database round trip")
def rotate_data(batch_size: int) -> None:
    from app.cli import _build_app
    from workflows.resealing import reseal_cases

    svc = _build_app().extensions["mrvrs"]
    keys = len(svc.settings.data_keys)
    if keys == 1:
        click.echo("MRVRS_DATA_KEY lists one key: checking that every sealed value opens with it")
    report = reseal_cases(svc.cases, svc.sealer, batch_size=batch_size,
                          progress=lambda r: click.echo(f"checked {r.checked} cases", err=True))
    svc.audit.record("keys.rotate_data", actor=ACTOR, keys_listed=keys, checked=report.checked,
                     resealed=report.resealed, already_current=report.current,
                     changed=len(report.changed), unreadable=len(report.unreadable))
    click.echo(f"re-sealed {report.resealed} of {report.checked} cases with sealed answers; "
               f"{report.current} were already under the newest key")
    if report.changed:
        click.echo(f"{len(report.changed)} cases changed during the run: run the command again",
                   err=True)
    if report.unreadable:
        click.echo(f"{len(report.unreadable)} cases open with none of the listed keys (is an "
                   f"older key missing from MRVRS_DATA_KEY?): {', '.join(report.unreadable)}",
                   err=True)
    if not report.complete:
        sys.exit(1)
    if keys > 1:
        click.echo("every sealed value is under the newest key; the older keys can be removed "
                   "from MRVRS_DATA_KEY (docs/security.md says what that changes for "
                   "duplicate detection)")
