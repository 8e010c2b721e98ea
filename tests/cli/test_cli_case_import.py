"""`mrvrs cases import` on both stores: template, dry run, import, import again, attachments."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from app.cli import main
from app.stores import OrganisationStore
from forms.store import FormStore
from tests.helpers import base_environ

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROWS = ("Ref,Where,What happened,Consent,Files\n"
        "K-1,MY,Wages unpaid for six months,yes,\n"
        "K-2,MY,Passport kept by the employer,yes,contract.pdf\n")


@pytest.fixture
def org(cli_db):
    FormStore(cli_db).publish_shipped()
    return OrganisationStore(cli_db).create("Tenaganita", "MY")


def run(runner, *args):
    return runner.invoke(main, ["cases", "import", *args], env=base_environ(),
                         catch_exceptions=False)


MAPPING = ["--column", "Ref=_reference", "--column", "Where=destination_country",
           "--column", "What happened=narrative", "--column", "Consent=consent_case_work",
           "--column", "Files=_attachments"]


def archive(tmp_path, files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    path = tmp_path / "files.zip"
    path.write_bytes(out.getvalue())
    return str(path)


def test_import_then_again__created_once_routed_marked_and_audited(runner, cli_db, org,
                                                                  tmp_path):
    sheet = tmp_path / "cases.csv"
    sheet.write_text(ROWS)
    zipped = archive(tmp_path, {"scans/contract.pdf": PDF})
    first = run(runner, str(sheet), "--form", "my-intake", "--org", "Tenaganita", *MAPPING,
                "--attachments", zipped)
    assert first.exit_code == 0, first.output
    assert "created 2, already imported 0" in first.output
    case = cli_db.cases.find_one({"source.original_reference": "K-2"})
    assert case["source"]["kind"] == "import" and case["source"]["row"] == 3
    assert case["reporter"]["org_id"] == org["_id"]
    assert [a["name"] for a in case["attachments"]] == ["contract.pdf"]
    assert case["attachments"][0]["sha256"]
    assert case["stage"] != "submitted"  # routed (eagerly, on the embedded store)
    again = run(runner, str(sheet), "--form", "my-intake", "--org", "Tenaganita", *MAPPING,
                "--attachments", zipped)
    assert again.exit_code == 0, again.output
    assert "created 0, already imported 2" in again.output
    assert cli_db.cases.count_documents({"source.kind": "import"}) == 2
    actions = [e["action"] for e in cli_db.audit_events.find().sort("seq", 1)]
    assert actions.count("cases.import") == 2


def test_dry_run__problems_by_row_and_column_and_nothing_stored(runner, cli_db, org, tmp_path):
    sheet = tmp_path / "cases.csv"
    sheet.write_text(ROWS + "K-3,,Beaten,yes,missing.pdf\nK-1,MY,Copy,yes,\n")
    result = run(runner, str(sheet), "--form", "my-intake", "--org", "Tenaganita", *MAPPING,
                 "--attachments", archive(tmp_path, {"contract.pdf": b"MZ\x90\x00 not a pdf"}),
                 "--dry-run")
    assert result.exit_code == 1
    out = result.output
    assert "row 3, column 'Files': The file contract.pdf is not a document" in out
    assert "row 4, column 'Where': This question needs an answer." in out
    assert "row 4, column 'Files': The file missing.pdf is not in the ZIP archive." in out
    assert "row 5, column 'Ref': The original reference K-1 is also on row 2." in out
    assert cli_db.cases.count_documents({}) == 0
    assert cli_db.import_jobs.count_documents({}) == 0


def test_template_round_trip__a_filled_template_imports_without_mapping(runner, cli_db, org,
                                                                        tmp_path):
    out = tmp_path / "template.xlsx"
    made = run(runner, "--form", "my-intake", "--template", str(out))
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(out)
    sheet = book["cases"]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["original_reference", "attachments"]
    gender = header.index("gender") + 1
    assert "woman" in sheet.cell(row=1, column=gender).comment.text
    assert any(sheet.cell(row=2, column=gender).coordinate in rule.sqref
               for rule in sheet.data_validations.dataValidation)
    values = {"destination_country": "MY", "narrative": "Recruitment fees deducted",
              "consent_case_work": "yes", "gender": "woman", "original_reference": "T-1"}
    sheet.append([values.get(title, None) for title in header])
    book.save(out)
    result = run(runner, str(out), "--form", "my-intake", "--org", "Tenaganita")
    assert result.exit_code == 0, result.output
    case = cli_db.cases.find_one({"source.original_reference": "T-1"})
    assert case["dimensions"]["gender"] == "woman"
