"""The parts a report is made of: its request, pseudonym salt, indicator grids in words,
aggregate tables, and repeatable charts that never draw a suppressed count."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from exports.charts import bar_chart
from exports.filters import parse_filter
from exports.indicator_grids import (
    TABLES,
    Words,
    aggregate_tables,
    grid,
    grids,
    partial_years,
    trend_lines,
)
from exports.report_data import ReportRequest, ReportRequestError, report_salt, report_secret
from tests.unit.exports.export_report_data import indicator_set


def request(**changes):
    values = {"name": "Mission", "filter": parse_filter({"country": "MY"}),
              "level": "pseudonymised", "selected": ("MY-2026-000001",), "threshold": 5}
    values.update(changes)
    return ReportRequest(**values)


def test_request__every_problem_at_once():
    with pytest.raises(ReportRequestError) as refused:
        request(name=" ", level="everything", selected=("MY-1", "x"), threshold=0)
    assert len(refused.value.problems) == 4
    assert any("MY-1, x is not a case reference" in p for p in refused.value.problems)


def test_request__params_round_trip():
    wanted = request(threshold=None)
    assert ReportRequest.from_params(wanted.params()) == wanted


def test_salt__same_report_same_salt_any_change_another():
    secret = report_secret("key")
    assert report_salt(secret, request()) == report_salt(secret, request())
    assert report_salt(secret, request()) != report_salt(secret, request(name="Other"))
    assert report_salt(report_secret("other key"), request()) != report_salt(secret, request())


def test_grid__words_for_articles_genders_and_missing_values():
    found = indicator_set()
    shown = grid("by_article_gender", found.table("by_article_gender"))
    assert shown.title == TABLES["by_article_gender"][0]
    assert shown.column_headers[0] == "Woman" and shown.column_headers[-2:] == (
        "Not recorded", "Total")
    assert shown.lines[0][0][0].startswith("MWC-8 ")
    status = grid("by_status", found.table("by_status"))
    assert ("Not recorded",) in [words for words, _ in status.lines]
    assert ("Has a valid permit or visa",) in [words for words, _ in status.lines]


def test_grid__exact_by_default_published_with_a_threshold():
    table = indicator_set(40).table("by_article_dest_gender")
    exact = grid("by_article_dest_gender", table)
    assert all(isinstance(c, int) for _, cells in exact.lines for c in cells)
    published = grid("by_article_dest_gender", table, threshold=5)
    assert "<5" in {c for _, cells in published.lines for c in cells}


def test_words__translated_fixed_words_and_labels_in_the_language():
    words = Words("ms", {"Total": "Jumlah", "Not recorded": "Tidak direkodkan"})
    shown = grid("by_article_gender", indicator_set().table("by_article_gender"), words=words)
    assert shown.column_headers[0] == "Perempuan" and shown.column_headers[-1] == "Jumlah"
    assert "Tidak direkodkan" in shown.column_headers


def test_aggregate_tables__one_table_per_grid_then_trend_and_durations():
    found = indicator_set()
    tables, rows = aggregate_tables(found)
    names = [t.name for t in tables]
    assert names == [*TABLES, "trend", "durations"] and all(len(n) <= 24 for n in names)
    rows = list(rows)
    totals = [v for name, v in rows if name == "by_article_gender" and v["row_1"] == "Total"]
    assert totals[0][tables[2].keys[-1]] == found.table("by_article_gender").total
    assert len([r for r in rows if r[0] == "trend"]) == len(found.years)
    assert {t.name for t in tables} >= {name for name, _ in rows}


def test_chart__repeatable_svg_without_script_or_suppressed_counts():
    first = bar_chart("Violations per year", ["2023", "2024", "2025"], [12, "<5", "x"])
    again = bar_chart("Violations per year", ["2023", "2024", "2025"], [12, "<5", "x"])
    assert first is not None and first.svg == again.svg
    assert "<script" not in first.svg and "2024" not in first.description
    assert first.description == "Violations per year. 2023: 12."
    assert base64.b64decode(first.data_uri.split(",", 1)[1]).decode() == first.svg


def test_chart__nothing_shown_no_chart():
    assert bar_chart("Empty", ["a", "b"], ["<5", "x"]) is None


def test_charts__drawn_from_report_grids():
    from exports.reports import charts

    made = charts(grids(indicator_set()))
    assert [c.title for c in made] == ["Violations by MWC article", "Violations by gender",
                                       "Violations per year", "Violations by perpetrator type"]


@pytest.mark.parametrize("horizontal", [True, False])
def test_chart__one_case_whole_number_axis(horizontal):
    chart = bar_chart("Violations by gender", ["Woman"], [1], horizontal=horizontal)
    ticks = chart.svg.count('id="xtick_' if horizontal else 'id="ytick_')
    assert ticks == 2, f"{ticks} ticks on the count axis: 0 and 1 expected, no 0.2, 0.4..."


def test_partial_years__the_current_year_and_years_the_selection_cuts():
    years = range(2023, 2027)
    assert partial_years(years, date(2026, 12, 4)) == {2026}
    assert partial_years(years, date(2027, 1, 1)) == set()
    assert partial_years(years, date(2027, 1, 1), date(2023, 3, 1), date(2025, 12, 31)) == {
        2023, 2026}


def test_trend__partial_year_marked_no_change_from_or_to_it():
    found = indicator_set()  # years 2023, 2024, 2025
    lines = trend_lines(found, partial={2025})
    assert [line["partial"] for line in lines] == [False, False, True]
    assert lines[1]["change"] is not None and lines[2]["change"] is None
    assert lines[2]["percent"] is None and lines[2]["count"] == found.trend[2].count
    first_partial = trend_lines(found, partial={2023})
    assert first_partial[1]["change"] is None and first_partial[2]["change"] is not None
    per_year = grid("per_year", found.table("per_year"), partial={2025})
    assert [words for words, _ in per_year.lines][-1] == ("2025 (partial)",)


def test_grid__countries_named_in_the_language():
    table = indicator_set().table("by_article_destination")
    assert "Malaysia" in grid("by_article_destination", table).column_headers
    named = grid("by_article_destination", table, words=Words("zh_Hans")).column_headers
    assert "马来西亚" in named and "MY" not in named
    rows = grid("by_article_dest_gender", indicator_set().table("by_article_dest_gender"))
    assert {words[1] for words, _ in rows.lines} >= {"Malaysia", "Singapore"}
