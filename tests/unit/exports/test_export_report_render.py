"""The mission report rendered from its data: headings, numbers, suppression, escaping,
repeatability, and a PDF whose text (`pdftotext`) holds the same headings and numbers."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from exports.filters import parse_filter
from exports.report_data import AnnexLine
from exports.reports import STYLE_HASH, render_html, render_pdf
from tests.unit.exports.export_report_data import report_data

HEADINGS = ("Mission report: Mission to Malaysia", "1. Scope", "2. Method",
            "3. Indicators", "4. Charts", "5. Case summaries", "Annex: the cases counted",
            "Violations by MWC article and destination country",
            "Violations by perpetrator type, split by gender",
            "Violations by immigration status, split by gender",
            "Cases by outcome, split by gender", "Violations per year of filing",
            "Median days from filing")


def test_html__headings_scope_time_and_method():
    data = report_data()
    html = render_html(data)
    for heading in HEADINGS:
        assert heading in html, heading
    assert "The cases were read at 2026-03-02 08:15 UTC" in html
    assert "Malaysia, Singapore" in html
    assert "from January 1, 2023 to December 31, 2025, both days included" in html
    assert "One violation is counted per case and per article" in html
    assert "MWC-1, MWC-5, MWC-34, MWC-35, MWC-36, MWC-64" in html
    for note in data.indicators.consent.notes():
        assert note in html
    assert "did not consent to public advocacy" in html


def test_html__exact_numbers_when_asked():
    data = report_data(threshold=None)
    html = render_html(data)
    total = data.indicators.table("by_article_gender").total
    assert f'id="violations-counted">{total}<' in html
    assert f'id="cases-counted">{data.indicators.consent.included}<' in html
    assert "&lt;5" not in html.split("3. Indicators")[1]
    assert "must not be published" in " ".join(html.split())


def test_html__small_counts_suppressed_by_default():
    html = render_html(report_data(threshold=5, count=40))
    tables = html.split("3. Indicators")[1].split("4. Charts")[0]
    assert "&lt;5" in tables and "withheld so that a small count cannot be worked out" in html


def test_html__narratives_escaped_never_markup():
    html = render_html(report_data(narrative='<script>alert("x")</script><b>bold</b>'))
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html


def test_html__same_data_same_document_but_the_run_time():
    first = render_html(report_data())
    second = render_html(report_data(ran_at=datetime(2027, 1, 1, tzinfo=UTC)))
    changed = [(a, b) for a, b in zip(first.splitlines(), second.splitlines(), strict=True)
               if a != b]
    assert len(changed) == 2 and all("UTC" in a for a, _ in changed)


def test_html__aggregate_lists_and_summarises_no_case():
    html = render_html(report_data(level="aggregate"))
    assert "An aggregate report lists no case." in html
    assert "An aggregate report summarises no case." in html
    assert "P-0a1b2c3d4e5f" not in html  # even if data carried some


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf__text_holds_the_headings_and_numbers():
    data = report_data(threshold=None)
    pdf = render_pdf(render_html(data))
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    flowing = " ".join(text.split())
    for heading in HEADINGS:
        assert heading in flowing, heading
    total = data.indicators.table("by_article_gender").total
    assert f"Violations counted {total}" in flowing
    assert f"Cases counted {data.indicators.consent.included}" in flowing
    year_line = [line.split() for line in text.splitlines() if line.strip().startswith("2024")]
    assert str(data.indicators.table("per_year").row_totals[2024]) in year_line[0]


#: A narrative that, shown as typed, reverses itself and the text after it.
OVERRIDDEN = "Agent \u202egnihton dias\u202c kept \u2067the passport\u2069 for 2 years"


def test_html__direction_overrides_in_narratives_shown_not_obeyed():
    html = render_html(report_data(narrative=OVERRIDDEN))
    assert not {"\u202e", "\u202c", "\u2067", "\u2069"} & set(html)
    assert ('<bdi dir="auto">Agent [RLO]gnihton dias[PDF] kept [RLI]the passport[PDI] '
            'for 2 years</bdi>') in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf__direction_overrides_in_narratives_do_not_reorder_the_text():
    pdf = render_pdf(render_html(report_data(narrative=OVERRIDDEN, threshold=None)))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "Agent [RLO]gnihton dias[PDF] kept" in " ".join(text.split())


def pdf_pages(html: str) -> list[str]:
    """The PDF's text, page by page (pdftotext ends each page with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=render_pdf(html),
                          capture_output=True, check=True).stdout.decode()
    return text.split("\f")[:-1]


def test_html__selection_in_words_never_the_query():
    data = report_data()
    data = replace(data, request=replace(data.request, filter=parse_filter(
        {"country": "MY", "destination": "MY,SA", "origin": "ID", "stage": "verified,closed",
         "from": "2024-01-01"})))
    scope = render_html(data).split('id="selection"')[1].split("</dl>")[0]
    assert "<dd>Malaysia</dd>" in scope and "<dd>Malaysia, Saudi Arabia</dd>" in scope
    assert "<dd>Indonesia</dd>" in scope and "<dd>verified, closed</dd>" in scope
    assert "<dd>from January 1, 2024</dd>" in scope
    html = render_html(data)
    assert "$in" not in html and '{"' not in html and "query" not in html.lower()


def test_html__selection_names_countries_in_the_report_language():
    data = report_data()
    html = render_html(replace(data, request=replace(data.request, lang="fr")))
    assert "Malaisie, Singapour" in html and "1 janvier 2023" in html


def test_html__one_style_block_allowed_by_its_hash():
    html = render_html(report_data())
    blocks = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    assert len(blocks) == 1 and ' style="' not in html and "<script" not in html
    digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
    assert STYLE_HASH == f"'sha256-{digest}'"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf__long_table_rows_never_split_and_header_on_each_page():
    articles = "MWC-11 MWC-16 MWC-21 MWC-22 MWC-25 " * 6  # wraps over several lines
    annex = tuple(AnnexLine(f"P-{i:012x}", "2024-05-01", "MY", "MY", "verified",
                            f"{articles}END{i:03d}") for i in range(60))
    pages = pdf_pages(render_html(replace(report_data(), annex=annex)))
    annex_pages = [p for p in pages if "P-0000000000" in p]
    assert len(annex_pages) > 2
    for page in annex_pages:
        header = page.split("P-0000000000")[0]
        assert "Case" in header and "Stage" in header and "MWC articles" in header
    for i, line in enumerate(annex):
        holding = [n for n, p in enumerate(pages) if line.key in p]
        assert len(holding) == 1 and f"END{i:03d}" in pages[holding[0]], line.key


NARRATIVES = {"zh": "中介公司扣留了我的护照两年",
              "ko": "고용주가 여권을 빼앗고 월급을 주지 않았습니다",
              "ja": "雇用主がパスポートを取り上げました"}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", sorted(NARRATIVES))
def test_pdf__chinese_japanese_and_korean_narratives_read_back(lang):
    pages = pdf_pages(render_html(report_data(narrative=NARRATIVES[lang], threshold=None)))
    assert "".join(NARRATIVES[lang].split()) in "".join("".join(pages).split())


def test_html__year_not_over_marked_partial_without_a_trend():
    html = render_html(report_data(threshold=None, ran_at=datetime(2025, 6, 30, tzinfo=UTC)))
    trend = html.split('id="table-trend"')[1].split("</table>")[0]
    row = trend.split("2025 (partial)</th>")[1].split("</tr>")[0]
    assert row.count('<td class="number"></td>') == 2  # no change, no percentage
    assert "2024 (partial)" not in trend and "2025 (partial)" in html.split("table-per_year")[1]
