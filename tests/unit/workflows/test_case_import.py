"""The import's pure core: cells as answers, whole-file problems, keys, and the archive
read by name in memory, within the intake limit whatever its headers claim."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from forms.spreadsheets import read_table
from forms.store import FormStore
from tests.helpers import xlsx_bytes
from workflows.case_import import (
    ATTACHMENTS,
    REFERENCE,
    Archive,
    ArchiveRefused,
    ColumnMap,
    check_sheet,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = {"Where": "destination_country", "Story": "narrative", "Consent": "consent_case_work"}


@pytest.fixture(scope="module")
def form():
    import mongomock

    store = FormStore(mongomock.MongoClient().db)
    store.publish_shipped()
    return store.definition("my-intake", 1)


def check(form, rows, columns=None, archive=None, org="org1"):
    table = read_table(xlsx_bytes(rows))
    return check_sheet(form, table, ColumnMap(columns or BASE), org_id=org, archive=archive,
                       max_bytes=1000, max_files=3)


def zipped(files: dict[str, bytes]) -> Archive:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return Archive(out.getvalue())


def test_cells_become_answers_as_intake_stores_them(form):
    columns = {**BASE, "When": "violation_date", "Acts": "acts", "Ongoing": "ongoing"}
    result = check(form, [["Where", "Story", "Consent", "When", "Acts", "Ongoing"],
                          ["MY", "Unpaid", "Ya", datetime.datetime(2025, 3, 1),
                           "unpaid_wages; documents_taken", "tidak"]], columns)
    assert result.ok, result.all_problems()
    answers = result.rows[0].answers
    assert answers["violation_date"] == "2025-03-01" and answers["consent_case_work"] is True
    assert answers["acts"] == ["unpaid_wages", "documents_taken"]
    assert answers["ongoing"] is False


def test_a_choice_not_offered_and_a_hidden_question_left_alone(form):
    result = check(form, [["Where", "Story", "Consent", "Sub"],
                          ["MY", "Unpaid", "yes", "never-heard-of"]],
                   {**BASE, "Sub": "sexual_violence_recent"})
    # `sexual_violence_recent` shows only when sexual violence is answered yes: not checked
    assert result.ok and "sexual_violence_recent" not in result.rows[0].answers
    wrong = check(form, [["Where", "Story", "Consent"], ["Atlantis", "x", "yes"]])
    [problem] = wrong.all_problems()
    assert (problem.row, problem.column, problem.message) == (
        2, "Where", "Choose one of the options offered.")


def test_whole_file_problems_come_before_any_row(form):
    result = check(form, [["Where", "Where", "Story"], ["MY", "MY", "x"]])
    assert [(p.row, p.column) for p in result.problems] == [(1, "Where")]
    assert result.rows == []
    unmapped = check(form, [["A"], ["x"]], {"A": "", "Gone": REFERENCE})
    assert {p.message for p in unmapped.problems} == {
        "The sheet has no column %(column)s.", "No column is matched to a question of the form."}


def test_keys__per_reference_per_organisation_else_per_content(form):
    rows = [["Ref", *BASE], ["A-1", "MY", "x", "yes"], ["a-1 ", "MY", "changed", "yes"]]
    result = check(form, rows, {"Ref": REFERENCE, **BASE})
    assert result.rows[0].key == result.rows[1].key  # case and spaces ignored
    assert result.rows[1].problems[0].params == {"reference": "a-1", "row": 2}
    other_org = check(form, rows[:2], {"Ref": REFERENCE, **BASE}, org="org2")
    assert other_org.rows[0].key != result.rows[0].key
    same = check(form, [list(BASE), ["MY", "x", "yes"], ["MY", "x", "yes"]])
    assert [p.message for p in same.rows[1].problems] == [
        "This row repeats row %(row)s; give each case its original reference."]


def test_attachments__matched_by_name_without_folders_and_checked(form):
    columns = {**BASE, "Files": ATTACHMENTS}
    archive = zipped({"../../etc/scan.PDF": PDF, "a/dup.pdf": PDF, "b/dup.pdf": PDF,
                      "big.pdf": PDF + b"0" * 2000})
    rows = [[*BASE, "Files"], ["MY", "x", "yes", "scan.pdf"],
            ["MY", "y", "yes", "dup.pdf; big.pdf; none.pdf"]]
    result = check(form, rows, columns, archive)
    assert result.rows[0].problems == [] and result.rows[0].files == ["scan.pdf"]
    assert [(p.message, p.params["name"]) for p in result.rows[1].problems] == [
        ("The ZIP archive holds more than one file named %(name)s.", "dup.pdf"),
        ("The file %(name)s is not in the ZIP archive.", "none.pdf")]
    alone = check(form, [[*BASE, "Files"], ["MY", "z", "yes", "big.pdf"]], columns, archive)
    assert alone.rows[0].problems[0].params == {"name": "big.pdf", "max": "1000"}
    assert check(form, rows[:2], columns).rows[0].problems[0].message.startswith(
        "This row names files")


def test_archive__an_entry_is_never_read_past_the_limit_and_junk_is_refused():
    bomb = zipped({"bomb.pdf": b"\0" * 5_000_000})
    info, _why = bomb.find("bomb.pdf")
    assert len(bomb.read(info, 1000)) == 1001
    with pytest.raises(ArchiveRefused):
        Archive(b"PK\x03\x04 not an archive")
