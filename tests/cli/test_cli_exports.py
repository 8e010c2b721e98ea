"""`mrvrs export` and `mrvrs report` on a generated dataset: files, PDF text, audit, refusals."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from app.cli import main
from forms.mwc import load_taxonomy
from tests import export_cases
from tests.export_cases import planted

COUNT = 30
COUNTABLE = set(load_taxonomy().violation_codes())


@pytest.fixture
def dataset(app, svc, monkeypatch):
    """The commands run on the test's app (a fresh embedded store would hold no case)."""
    from app import cli as cli_module

    monkeypatch.setattr(cli_module, "_build_app", lambda: app)
    return export_cases.store(svc, export_cases.generate(COUNT, seed=5))


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    return result


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True).stdout.decode()


@pytest.mark.parametrize("command", [["export"], ["report"]])
def test_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and "--out" in result.output


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_export__pseudonymised_file_without_planted_values_and_audited(tmp_path, svc, dataset,
                                                                       fmt):
    out = tmp_path / f"cases.{fmt}"
    result = invoke("export", "--format", fmt, "--redaction", "pseudonymised",
                    "--country", "MY", "--out", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        blob = b"".join(archive.read(n) for n in archive.namelist())
    for i in range(COUNT):
        assert planted(i)["full_name"].encode() not in blob
        assert planted(i)["passport_number"].encode() not in blob
    [event] = svc.audit.recent(5, action="export.created")
    expected = [c for c in export_cases.statistics_cases(dataset) if c["country"] == "MY"]
    assert event["actor"] == "cli" and event["details"]["rows"]["cases"] == len(expected)
    assert event["details"]["redaction"] == "pseudonymised"
    assert event["details"]["filters"]["countries"] == ["MY"]
    assert f"cases {len(expected)}" in result.output
    assert not list(tmp_path.glob(".mrvrs-*"))  # the temporary file was renamed


def test_export__full_csv_round_trips(tmp_path, dataset):
    out = tmp_path / "full.csv"
    result = invoke("export", "--format", "csv", "--redaction", "full", "--from", "2025-01-01",
                    "--to", "2025-12-31", "--out", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("cases.csv").decode())))
    expected = {c["reference"]: c for c in export_cases.statistics_cases(dataset)
                if c["created_at"].year == 2025}
    assert {r["Reference"] for r in rows} == set(expected)
    for row in rows:
        name = expected[row["Reference"]]["sensitive_answers"]["full_name"]
        assert row["The person this happened to: Name"] == name


def test_export__xlsx_titles_unique_and_a_codebook_sheet_for_every_column(tmp_path, dataset):
    out = tmp_path / "cases.xlsx"
    result = invoke("export", "--format", "xlsx", "--redaction", "pseudonymised", "--out",
                    str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    titles = {name: next(book[name].iter_rows(values_only=True)) for name in
              ("cases", "violations")}
    for name, header in titles.items():
        assert len(set(header)) == len(header), name
    header, *rows = book["codebook"].iter_rows(values_only=True)
    assert header[:2] == ("Table", "Column")
    assert [(r[0], r[1]) for r in rows] == [(t, c) for t, h in titles.items() for c in h]
    coded = {r[1]: r for r in rows if r[0] == "cases"}["Gender (code)"]
    assert "non_binary = Non-binary" in coded[header.index("Allowed codes")]


def test_export__full_refused_when_configuration_allows_no_coordinator(tmp_path, svc, dataset):
    svc.settings = svc.settings.with_overrides(export_full_roles=("admin",))
    result = invoke("export", "--format", "xlsx", "--redaction", "full", "--out",
                    str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1 and "MRVRS_EXPORT_FULL_ROLES" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_export__zero_cases_gives_headers(tmp_path, dataset):
    out = tmp_path / "none.xlsx"
    assert invoke("export", "--format", "xlsx", "--redaction", "pseudonymised", "--country",
                  "KR", "--out", str(out)).exit_code == 0
    rows = list(load_workbook(out, read_only=True)["cases"].iter_rows(values_only=True))
    assert len(rows) == 1 and rows[0][0] == "Case (pseudonym)"


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2025-06-01", "--to", "2025-01-01"], "before from"),
    (["--country", "Malaysia"], "is not a two-letter country code"),
    (["--from", "1/2/2025"], "is not a day written YYYY-MM-DD"),
])
def test_export__bad_filters_refused_with_every_problem(tmp_path, args, message):
    result = invoke("export", "--format", "csv", "--redaction", "aggregate", *args, "--out",
                    str(tmp_path / "x.csv"))
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_report__pdf_text_holds_headings_and_numbers(tmp_path, svc, dataset):
    out = tmp_path / "mission.pdf"
    result = invoke("report", "--name", "Mission to Malaysia and Singapore", "--countries",
                    "MY,SG", "--from", "2024-01-01", "--to", "2025-12-31", "--exact",
                    "--case", dataset[1]["reference"], "--out", str(out))
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    flowing = " ".join(text.split())
    for heading in ("Mission report: Mission to Malaysia and Singapore", "1. Scope",
                    "2. Method", "3. Indicators", "4. Charts", "5. Case summaries",
                    "Annex: the cases counted", "Violations by MWC article, split by gender",
                    "Median days from filing"):
        assert heading in flowing, heading
    counted = export_cases.statistics_cases(dataset)
    violations = sum(len({n for n in c["mwc"] if n in COUNTABLE}) for c in counted)
    cover = text[:text.index("1. Scope")]
    assert re.search(rf"Cases counted\s+{len(counted)}\b", cover)
    assert re.search(rf"Violations counted\s+{violations}\b", cover)
    assert "Zubaidah" not in text
    [event] = svc.audit.recent(5, action="report.completed")
    assert event["actor"] == "cli" and event["details"]["cases"] == len(counted)


def test_report__same_data_same_document_but_the_time(tmp_path, dataset):
    outputs = []
    for name in ("a.html", "b.html"):
        assert invoke("report", "--name", "M", "--countries", "MY", "--from", "2024-01-01",
                      "--to", "2025-12-31", "--out", str(tmp_path / name)).exit_code == 0
        outputs.append((tmp_path / name).read_text())
    differing = [(a, b) for a, b in zip(*(o.splitlines() for o in outputs), strict=True)
                 if a != b]
    assert all("UTC" in a for a, _ in differing)


def test_report__other_extension_refused(tmp_path):
    result = invoke("report", "--name", "M", "--countries", "MY", "--from", "2024-01-01",
                    "--to", "2024-12-31", "--out", str(tmp_path / "r.docx"))
    assert result.exit_code == 1 and ".pdf or .html" in result.output
