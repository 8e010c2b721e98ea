"""`mrvrs export` and `mrvrs report` count by the rule and print what they left out, and why.

Cases in every stage (`export_cases.every_stage`): 14 Malaysian cases, 6 verified or
later (one without consent to statistics), 4 still in review, 2 rejected, 2 duplicates.
"""

from __future__ import annotations

import re
import zipfile

import pytest
from click.testing import CliRunner

from app.cli import main
from tests import export_cases

DUPLICATES = "2 cases left out: marked as a duplicate of another case, which is counted instead."
REJECTED = "2 cases left out: rejected in review."
IN_REVIEW = "4 cases left out: not yet verified (still in review)."
DECLINED = "1 case left out: the reporter did not consent to anonymous statistics."


@pytest.fixture
def dataset(app, svc, monkeypatch):
    from app import cli as cli_module

    monkeypatch.setattr(cli_module, "_build_app", lambda: app)
    return export_cases.store(svc, export_cases.every_stage())


def withheld(count: int) -> str:
    """The narratives no reviewer approved, which a pseudonymised export leaves out."""
    return f"{count} narratives left out: no reviewer has approved a redacted version yet."


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize(("flag", "rows", "notes"), [
    ((), 5, [DUPLICATES, REJECTED, IN_REVIEW, DECLINED, withheld(5)]),
    (("--include-unverified",), 9, [DUPLICATES, REJECTED, DECLINED, withheld(9)]),
])
def test_export__rows_and_printed_reasons(tmp_path, svc, dataset, flag, rows, notes):
    out = tmp_path / "cases.csv"
    result = invoke("export", "--format", "csv", "--redaction", "pseudonymised",
                    "--country", "MY", *flag, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == notes
    with zipfile.ZipFile(out) as archive:
        assert len(archive.read("cases.csv").decode().splitlines()) == rows + 1
        assert archive.read("notes.txt").decode().splitlines() == notes
    [event] = svc.audit.recent(5, action="export.created")
    assert event["details"]["cases"] == rows
    assert event["details"]["include_unverified"] is bool(flag)


@pytest.mark.parametrize(("flag", "counted", "notes"), [
    ((), 5, [DUPLICATES, REJECTED, IN_REVIEW, DECLINED]),
    (("--include-unverified",), 9, [DUPLICATES, REJECTED, DECLINED]),
])
def test_report__counted_cases_and_printed_reasons(tmp_path, svc, dataset, flag, counted,
                                                   notes):
    out = tmp_path / "mission.html"
    result = invoke("report", "--name", "Mission to Malaysia", "--countries", "MY", "--from",
                    "2025-01-01", "--to", "2025-12-31", "--exact", *flag, "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"wrote {out}: {counted} cases counted"
    assert lines[1:] == notes
    html = out.read_text()
    assert re.search(rf'id="cases-counted">{counted}<', html)
    assert all(note in html for note in notes)
    [event] = svc.audit.recent(5, action="report.completed")
    assert event["details"]["left_out"] == {
        "duplicate": 2, "rejected": 2, "not_verified": 0 if flag else 4, "declined": 1,
        "not_recorded": 0}
