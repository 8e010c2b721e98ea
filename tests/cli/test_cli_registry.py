"""`mrvrs registry import-list` on both stores, with two editions of a BP2MI-style
P3MI list (tests/data/make_p3mi_lists.py): import, import again (nothing new), then
the later edition (one status change, dated by that edition)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from tests.helpers import base_environ

DATA = Path(__file__).resolve().parents[1] / "data"
JANUARY, MARCH = DATA / "p3mi-2026-01.xlsx", DATA / "p3mi-2026-03.xlsx"
MAPPING = ["--column", "name=Nama Perusahaan", "--column", "licence=No. Izin",
           "--column", "address=Alamat", "--column", "status=Status",
           "--status-word", "Aktif=licensed", "--status-word", "Dicabut=revoked",
           "--status-word", "Skorsing=suspended"]


def import_list(runner, path: Path, day: str, *extra: str):
    return runner.invoke(main, ["registry", "import-list", str(path), "--authority", "BP2MI",
                                "--list-date", day, *MAPPING, *extra],
                         env=base_environ(), catch_exceptions=False)


def audit_events(db, action: str) -> list[dict]:
    return list(db.audit_events.find({"action": action}).sort("seq", 1))


def test_import__five_agencies_created_with_their_status_and_audited(runner, cli_db):
    result = import_list(runner, JANUARY, "2026-01-15")
    assert result.exit_code == 0, result.output
    assert "p3mi-2026-01.xlsx: 5 agencies listed by BP2MI on 2026-01-15" in result.output
    assert "created: 5" in result.output and "status changes: 0" in result.output
    agencies = {e["name"]: e for e in cli_db.entities.find()}
    assert len(agencies) == 5
    mitra = agencies["PT Contoh Mitra Sentosa"]
    assert (mitra["country"], mitra["kind"], mitra["address"]) == (
        "ID", "recruitment_agency", "Jl. Diponegoro 3, Malang")
    assert mitra["statuses"] == [{"status": "suspended", "since": "2026-01-15",
                                  "source": {"kind": "list", "authority": "BP2MI",
                                             "list_date": "2026-01-15",
                                             "file": "p3mi-2026-01.xlsx", "row": 5}}]
    assert agencies["PT Contoh Karya Mandiri"]["licences"][0]["number"] == "20200417"
    [event] = audit_events(cli_db, "registry.import_list")
    assert (event["actor"], event["target"]) == ("cli", "BP2MI")
    assert {k: event["details"][k] for k in ("file", "list_date", "rows", "created",
                                              "status_changes")} == {
        "file": "p3mi-2026-01.xlsx", "list_date": "2026-01-15", "rows": 5, "created": 5,
        "status_changes": 0}


def test_import_again_then_the_later_list__nothing_new_then_one_status_change(runner, cli_db):
    assert import_list(runner, JANUARY, "2026-01-15").exit_code == 0
    before = list(cli_db.entities.find())
    again = import_list(runner, JANUARY, "2026-01-15")
    assert again.exit_code == 0, again.output
    assert "nothing to do: the registry already holds this list" in again.output
    assert "created: 0" in again.output and "status changes: 0" in again.output
    assert list(cli_db.entities.find()) == before

    march = import_list(runner, MARCH, "2026-03-01")
    assert march.exit_code == 0, march.output
    assert "created: 0" in march.output and "updated: 0" in march.output
    assert "status changes: 1" in march.output
    duta = cli_db.entities.find_one({"name": "PT Contoh Duta Bangsa"})
    assert f"row 4: {duta['_id']} revoked since 2026-03-01" in march.output
    assert [(s["status"], s["since"], s["source"]["file"]) for s in duta["statuses"]] == [
        ("licensed", "2026-01-15", "p3mi-2026-01.xlsx"),
        ("revoked", "2026-03-01", "p3mi-2026-03.xlsx")]
    changed = [e["name"] for e in cli_db.entities.find() if len(e["statuses"]) > 1]
    assert changed == ["PT Contoh Duta Bangsa"]
    assert cli_db.entities.count_documents({}) == 5
    assert [e["details"]["status_changes"] for e in
            audit_events(cli_db, "registry.import_list")] == [0, 0, 1]


def test_dry_run__says_what_would_change_and_writes_nothing(runner, cli_db):
    result = import_list(runner, JANUARY, "2026-01-15", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "(dry run: nothing is written)" in result.output
    assert "would be created: 5" in result.output
    assert cli_db.entities.count_documents({}) == 0
    assert audit_events(cli_db, "registry.import_list") == []


def test_a_list_with_problems__every_one_by_row_nothing_imported_refusal_audited(
        runner, cli_db, tmp_path):
    path = tmp_path / "p3mi-bad.csv"
    path.write_text("No,Nama Perusahaan,No. Izin,Alamat,Status\n"
                    "1,PT Contoh Abadi,KEP.1/2019,Jakarta,Aktif\n"
                    "2,,KEP.2/2019,Bandung,Aktif\n"
                    "3,PT Contoh Jaya,KEP.3/2019,Bogor,Dibekukan\n"
                    "4,PT Contoh Lagi,kep.1/2019,Depok,Aktif\n", encoding="utf-8")
    result = import_list(runner, path, "2026-01-15")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "p3mi-bad.csv: row 3, column 'Nama Perusahaan': the name is empty",
        ("p3mi-bad.csv: row 4, column 'Status': the status 'Dibekukan' is not one the import "
        "knows; map it with --status-word"),
        "p3mi-bad.csv: row 5, column 'No. Izin': licence kep.1/2019 is already on row 2"]
    assert "3 problems; nothing was imported" in result.stderr
    assert cli_db.entities.count_documents({}) == 0
    [event] = audit_events(cli_db, "registry.import_list_refused")
    assert event["details"]["problems"] == 3


def test_a_column_the_list_lacks__named_with_the_lists_columns(runner, cli_db):
    result = runner.invoke(main, ["registry", "import-list", str(JANUARY), "--authority",
                                  "bp2mi", "--list-date", "2026-01-15", "--column",
                                  "name=Nama P3MI", "--column", "licence=No. Izin"],
                           env=base_environ())
    assert result.exit_code == 1
    assert ("row 1, column 'Nama P3MI': the list has no column 'Nama P3MI' for the name "
            "(its columns: 'No', 'Nama Perusahaan', 'No. Izin', 'Alamat', 'Status')"
            in result.stdout)


@pytest.mark.parametrize("args, expected", [
    (["--authority", "MOHRE", "--list-date", "2026-01-15"], "'MOHRE' is not an authority"),
    (["--authority", "BP2MI", "--list-date", "15/01/2026"], "not a date written YYYY-MM-DD"),
    (["--authority", "BP2MI", "--list-date", "2026-01-15", "--column", "name"],
     "'name' is not written as left=right"),
])
def test_wrong_options__refused_before_anything_is_read(runner, args, expected):
    result = runner.invoke(main, ["registry", "import-list", str(JANUARY), *args],
                           env=base_environ())
    assert result.exit_code == 2 and expected in result.output


@pytest.mark.parametrize("command", [["registry"], ["registry", "import-list"]])
def test_every_registry_command_has_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_dry_run_of_a_list_with_problems__problems_printed_nothing_audited(runner, cli_db):
    result = import_list(runner, MARCH, "2026-03-01", "--dry-run", "--column",
                         "status=Keterangan")
    assert result.exit_code == 1 and "the list has no column 'Keterangan'" in result.stdout
    assert cli_db.audit_events.count_documents({"action": {"$regex": "^registry"}}) == 0
