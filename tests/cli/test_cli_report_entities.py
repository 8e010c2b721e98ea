"""`mrvrs report` names the registry entities most counted cases are linked to, with the
caution, and names a private employer only in a full report."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli import main
from tests import export_cases, registry_links
from tests.registry_links import AGENCY, COMPANY, HOUSEHOLD, SMALL
from tests.web.test_indicators_page import Tables

COUNT = 40
CAUTION = "They are not findings of a court or of any authority."


@pytest.fixture
def dataset(app, svc, monkeypatch):
    from app import cli as cli_module

    monkeypatch.setattr(cli_module, "_build_app", lambda: app)
    registry_links.store_entities(svc)
    return export_cases.store(svc, registry_links.link(export_cases.generate(COUNT, seed=5)))


def report(tmp_path, *args) -> str:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--name", "Mission", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def entity_rows(html: str) -> dict[str, int]:
    return {row[0]: int(row[-1]) for row in Tables(html).tables["table-entities"][1:]}


def test_pseudonymised_report__names_businesses_only_above_the_threshold(tmp_path, dataset):
    html = report(tmp_path, "--redaction", "pseudonymised")
    cases = export_cases.statistics_cases(dataset)
    expected = {e["name"]: registry_links.linked_count(cases, e) for e in (AGENCY, COMPANY)}
    assert registry_links.linked_count(cases, HOUSEHOLD) >= 5
    assert entity_rows(html) == expected
    assert HOUSEHOLD["name"] not in html and SMALL["name"] not in html
    assert CAUTION in html


def test_full_report__names_the_household_employer_too(tmp_path, dataset):
    html = report(tmp_path, "--redaction", "full")
    cases = export_cases.statistics_cases(dataset)
    assert entity_rows(html)[HOUSEHOLD["name"]] == registry_links.linked_count(cases, HOUSEHOLD)
    assert SMALL["name"] not in html


def test_exact_report__names_small_counts(tmp_path, dataset):
    html = report(tmp_path, "--redaction", "aggregate", "--exact")
    cases = export_cases.statistics_cases(dataset)
    rows = entity_rows(html)
    assert 0 < registry_links.linked_count(cases, SMALL) < 5
    assert rows[SMALL["name"]] == registry_links.linked_count(cases, SMALL)
    assert HOUSEHOLD["name"] not in rows and CAUTION in html
