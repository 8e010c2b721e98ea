"""`mrvrs forms translations export|import` and `mrvrs forms import-xlsform`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.cli import main
from tests.helpers import base_environ

DATA = Path(__file__).resolve().parents[1] / "data"


def invoke(runner, *args):
    return runner.invoke(main, ["forms", *args], env=base_environ())


@pytest.mark.parametrize("command", [["translations", "export"], ["translations", "import"],
                                     ["import-xlsform"]])
def test_sheet_commands_have_help(runner, command):
    result = runner.invoke(main, ["forms", *command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_xlsform_then_translations__a_valid_form_without_writing_yaml(runner, tmp_path):
    form = tmp_path / "th.yaml"
    result = invoke(runner, "import-xlsform", str(DATA / "th-xlsform.xlsx"), "-o", str(form))
    assert result.exit_code == 0, result.output
    assert "warning: survey, row 8: The \"constraint\" column" in result.stdout
    check = invoke(runner, "validate", str(form))
    assert check.exit_code == 1 and check.stdout.count("\n") == 1  # one problem, not 200
    assert "texts this form inherits have no th translation" in check.stdout
    sheet = tmp_path / "th.csv"
    exported = invoke(runner, "translations", "export", "--form", "th-intake", "--lang", "th",
                      "--definition", str(form), "-o", str(sheet))
    assert exported.exit_code == 0, exported.output
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["key", "context", "en", "th"]
    for row in rows[1:]:
        row[3] = row[3] or f"[th] {row[2]}"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    sheet.write_text(out.getvalue(), encoding="utf-8")
    done = tmp_path / "th-done.yaml"
    imported = invoke(runner, "translations", "import", "--form", "th-intake", str(sheet),
                      "--definition", str(form), "-o", str(done))
    assert imported.exit_code == 0, imported.output
    assert "texts in th changed" in imported.stdout
    assert invoke(runner, "validate", str(done)).exit_code == 0


def test_translations_import__problems_by_row_and_exit_one(runner, tmp_path):
    sheet = tmp_path / "ms.csv"
    sheet.write_text("key,context,en,ms\nfield.nowhere.label,,,x\n", encoding="utf-8")
    result = invoke(runner, "translations", "import", "--form", "my-intake", str(sheet))
    assert result.exit_code == 1
    assert f"{sheet}: translations, row 2: The key \"field.nowhere.label\"" in result.stdout


def test_translations_export__language_not_of_the_form_refused(runner, tmp_path):
    result = invoke(runner, "translations", "export", "--form", "my-intake", "--lang", "th",
                    "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1 and "not one of the languages of my-intake" in result.output


def test_import_xlsform__fatal_problem_writes_nothing(runner, tmp_path):
    out = tmp_path / "out.yaml"
    result = invoke(runner, "import-xlsform", str(DATA / "masking_sample.json"), "-o", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert "cannot be read as an XLSForm workbook" in result.stdout


@pytest.fixture
def server_env(mongo_uri):
    import uuid

    from pymongo import MongoClient

    name = f"mrvrs_cli_sheets_{uuid.uuid4().hex[:8]}"
    yield base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name)
    client = MongoClient(mongo_uri)
    client.drop_database(name)
    client.close()


@pytest.mark.integration
def test_xlsform_and_sheet_into_the_draft__kept_in_the_database(runner, server_env, tmp_path):
    assert runner.invoke(main, ["db", "init"], env=server_env).exit_code == 0
    result = runner.invoke(main, ["forms", "import-xlsform", str(DATA / "th-xlsform.xlsx")],
                           env=server_env)
    assert result.exit_code == 0 and "saved the draft of th-intake" in result.stdout
    sheet = tmp_path / "th.csv"
    exported = runner.invoke(main, ["forms", "translations", "export", "--form", "th-intake",
                                    "--lang", "th", "-o", str(sheet)], env=server_env)
    assert exported.exit_code == 0 and "(draft)" in exported.stdout
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    for row in rows[1:]:
        row[3] = row[3] or f"[th] {row[2]}"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    sheet.write_text(out.getvalue(), encoding="utf-8")
    imported = runner.invoke(main, ["forms", "translations", "import", "--form", "th-intake",
                                    str(sheet)], env=server_env)
    assert imported.exit_code == 0 and "written to the draft of th-intake" in imported.stdout
    draft = tmp_path / "draft.yaml"
    from pymongo import MongoClient

    client = MongoClient(server_env["MRVRS_MONGO_URI"])
    draft.write_text(client[server_env["MRVRS_DB_NAME"]].form_drafts.find_one(
        {"_id": "th-intake"})["text"], encoding="utf-8")
    client.close()
    published = runner.invoke(main, ["forms", "publish", str(draft)], env=server_env)
    assert published.exit_code == 0 and "published th-intake version 1" in published.stdout
