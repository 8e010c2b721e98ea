"""`mrvrs audit verify` and `mrvrs audit anchor`: checking the audit log, and pinning its
end outside the database so that cutting events off the end shows.

An anchor is taken only of a log that verifies, and it pins an event the command
itself records (`audit.anchor`), so the log also shows when each anchor was made.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.audit import Anchor, AnchorError, make_anchor
from app.audit.anchors import dumps, loads

ACTOR = "cli"


def _services():
    from app.cli import _build_app

    return _build_app().extensions["mrvrs"]


@click.group(help="The tamper-evident audit log.")
def audit() -> None:
    pass


@audit.command("verify", help="Check the keyed hash chain, and the log against each anchor "
                              "given; exits 1 at the first altered, removed or cut-off event.")
@click.option("--anchor", "anchor_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False),
              help="an anchor written by `mrvrs audit anchor`; repeat for several")
def audit_verify(anchor_files: tuple[str, ...]) -> None:
    svc = _services()
    anchors = [_read_anchor(svc.audit.keys, path) for path in anchor_files]
    report = svc.audit.verify(anchors)
    if not report.intact:
        click.echo(f"audit log broken at event {report.first_bad_seq}: {report.problem}",
                   err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {report.checked} events" + _details(report))


def _details(report) -> str:
    notes = []
    if report.legacy:
        notes.append(f"{report.legacy} of them from before keyed sealing, with a plain "
                     "SHA-256 hash")
    if report.anchors:
        notes.append(f"{report.anchors} anchors hold" if report.anchors > 1 else "its anchor holds")
    return f" ({'; '.join(notes)})" if notes else ""


def _read_anchor(keys, path: str) -> Anchor:
    try:
        return loads(Path(path).read_text(encoding="utf-8"), keys, path)
    except (AnchorError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"anchor {exc}" if isinstance(exc, AnchorError)
                                   else f"anchor {path} is not text") from None


@audit.command("anchor", help="Verify the log, then write a signed checkpoint of its end to a "
                              "new FILE and/or e-mail it; keep it away from this server.")
@click.option("--out", type=click.Path(dir_okay=False),
              help="a new file for the anchor (an existing one is never overwritten)")
@click.option("--mail", "address", default=None,
              help="e-mail the anchor to this address through MRVRS_SMTP_URL")
def audit_anchor(out: str | None, address: str | None) -> None:
    if not out and not address:
        raise click.UsageError("give --out FILE, --mail ADDRESS or both")
    if out and Path(out).exists():
        raise click.ClickException(f"{out} exists: anchors are never overwritten")
    svc = _services()
    if address and not svc.settings.smtp_url:
        raise click.ClickException("MRVRS_SMTP_URL is not set: cannot e-mail the anchor")
    report = svc.audit.verify()
    if not report.intact:
        raise click.ClickException(f"not anchoring a broken log: event {report.first_bad_seq}: "
                                   f"{report.problem}")
    event = svc.audit.record("audit.anchor", actor=ACTOR, checked=report.checked)
    anchor = make_anchor(svc.audit.keys, event["seq"], event["hash"], event["at"])
    if out:
        with open(out, "x", encoding="utf-8") as stream:
            stream.write(dumps(anchor))
        click.echo(f"anchored event {anchor.seq} in {out}")
    if address:
        _mail(svc.settings, address, anchor)
        click.echo(f"anchored event {anchor.seq} in a message to {address}")


def _mail(settings, address: str, anchor: Anchor) -> None:
    """Sent at once, not through the outbox: an anchor must not wait in the database it
    is meant to check."""
    from workflows.outbox import SmtpTransport, build_message

    body = ("Keep this audit anchor where the MRVRS server cannot change it. Save the text "
            "between the lines as a file and check the log with\n"
            "  mrvrs audit verify --anchor FILE\n\n-----\n" + dumps(anchor) + "-----\n")
    message = build_message({"to": address, "subject": f"MRVRS audit anchor, event "
                                                       f"{anchor.seq}", "body": body},
                            settings.mail_from)
    try:
        SmtpTransport(settings.smtp_url).send(message)
    except OSError as exc:  # smtplib's errors are OSErrors too
        raise click.ClickException(f"could not e-mail the anchor: {exc}") from None
