"""The counting rule on a real store: cases in every stage, exact counts and reasons.

Runs on the embedded store and, marked integration, on the real server: the rule is
a `$match` condition and the left-out counts a grouping, both run by the database.
Expected numbers are written out from `export_cases.STAGE_MIX`: 14 cases, of which
6 are verified or later (one without consent), 4 still in review, 2 rejected and 2
duplicates.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from exports.filters import ExportFilter
from exports.indicator_runs import indicator_tables
from exports.job_runs import report_summary
from exports.report_data import ReportRequest, build_report
from exports.service import ExportRequest, count_cases, run_export
from tests import export_cases
from tests.unit.exports.export_factories import shipped

CLI = {"id": "cli", "roles": ["coordinator"], "org_id": None, "countries": []}
DEFAULT = {"duplicate": 2, "rejected": 2, "not_verified": 4}
WITH_REVIEW = {"duplicate": 2, "rejected": 2, "not_verified": 0}
NOTES = ["2 cases left out: marked as a duplicate of another case, which is counted instead.",
         "2 cases left out: rejected in review.",
         "4 cases left out: not yet verified (still in review).",
         "1 case left out: the reporter did not consent to anonymous statistics.",
         "5 narratives left out: no reviewer has approved a redacted version yet."]


class Forms:
    def definition(self, form_id, version):
        return shipped(form_id)


class Sealer:
    def open(self, token):
        raise AssertionError("these cases hold no sealed answers")


@pytest.fixture
def stored(repo):
    cases = export_cases.every_stage()
    for case in cases:
        document = {k: v for k, v in case.items() if k != "sensitive_answers"}
        repo.insert({**document, "sensitive": None})
    return cases


@pytest.mark.parametrize(("unverified", "counted", "left_out"), [
    (False, 5, DEFAULT), (True, 9, WITH_REVIEW)])
def test_indicators__count_by_the_rule_and_say_why(repo, stored, unverified, counted,
                                                   left_out):
    found = indicator_tables(repo, {}, include_unverified=unverified)
    assert (found.consent.included, found.consent.declined) == (counted, 1)
    assert found.stages.left_out() == left_out
    assert found.stages.included == counted + 1
    assert found.table("by_outcome").total == counted


def test_case_export__rows_and_notes_for_each_reason(repo, stored):
    out = io.BytesIO()
    request = ExportRequest(fmt="csv", level="pseudonymised")
    assert count_cases(repo, CLI, request) == 6
    result = run_export(repo, Forms(), Sealer(), CLI, request, out, full_roles=())
    assert result.rows["cases"] == 5
    assert result.summary()["left_out"] == {**DEFAULT, "declined": 1, "not_recorded": 0}
    assert list(result.notes) == NOTES
    assert result.matched == 14
    with zipfile.ZipFile(out) as archive:
        assert archive.read("notes.txt").decode().splitlines() == NOTES


def test_case_export__with_cases_in_review(repo, stored):
    request = ExportRequest(fmt="jsonl", level="pseudonymised", include_unverified=True)
    result = run_export(repo, Forms(), Sealer(), CLI, request, io.BytesIO(), full_roles=())
    assert result.rows["cases"] == 9
    assert result.summary()["left_out"] == {**WITH_REVIEW, "declined": 1, "not_recorded": 0}
    assert "not yet verified" not in " ".join(result.notes)


def test_aggregate_export__same_counts(repo, stored):
    request = ExportRequest(fmt="xlsx", level="aggregate")
    result = run_export(repo, Forms(), Sealer(), CLI, request, io.BytesIO(), full_roles=())
    assert result.summary()["cases"] == 5
    assert result.summary()["left_out"] == {**DEFAULT, "declined": 1, "not_recorded": 0}
    assert list(result.notes) == NOTES[:-1]  # no narrative in an aggregate export at all


@pytest.mark.parametrize(("unverified", "counted", "left_out"), [
    (False, 5, DEFAULT), (True, 9, WITH_REVIEW)])
def test_report__annex_counts_and_notes(repo, stored, unverified, counted, left_out):
    duplicates = [c["reference"] for c in stored if c["stage"] == "duplicate"]
    original = stored[4]["reference"]  # the first verified case, which both duplicate
    request = ReportRequest("Mission", ExportFilter(countries=("MY",)), "full",
                            selected=(original, *duplicates), threshold=None,
                            include_unverified=unverified)
    data = build_report(repo, Forms(), Sealer(), CLI, request, full_roles=("coordinator",),
                        secret=b"k" * 32, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert len(data.annex) == counted
    annexed = {line.key for line in data.annex}
    assert original in annexed and not annexed & set(duplicates)
    advocacy = stored[4]["consent"].get("advocacy") is True
    assert [s.key for s in data.summaries] == ([original] if advocacy else [])
    summary = report_summary(data)
    assert summary["cases"] == counted
    assert summary["left_out"] == {**left_out, "declined": 1, "not_recorded": 0}
    assert "2 chosen references are not among the cases this report covers." in (
        data.summary_notes)
