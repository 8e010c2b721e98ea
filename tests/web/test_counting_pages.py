"""The counting rule through the pages: indicators, exports and the mission report form.

Cases in every stage (`export_cases.every_stage`): 14 Malaysian cases, 6 verified or
later (one without consent to statistics), 4 still in review, 2 rejected, 2 duplicates.
Each page counts 5 by default, 9 with the cases in review, and says why the others
were left out.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests import export_cases

DUPLICATES = "2 cases left out: marked as a duplicate of another case, which is counted instead."
REJECTED = "2 cases left out: rejected in review."
IN_REVIEW = "4 cases left out: not yet verified (still in review)."
DECLINED = "1 case left out: the reporter did not consent to anonymous statistics."


@pytest.fixture
def dataset(svc):
    return export_cases.store(svc, export_cases.every_stage())


def cases_csv(data: bytes) -> tuple[list[str], list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rows = archive.read("cases.csv").decode("utf-8").splitlines()[1:]
        return rows, archive.read("notes.txt").decode("utf-8").splitlines()


def test_indicators_page__counts_verified_cases_and_says_why_others_left_out(
        client, login_as, dataset):
    login_as("coordinator")
    html = client.get("/exports/indicators?destination=MY").get_data(as_text=True)
    assert '<p id="cases-counted">5 cases counted.' in html
    notes = re.findall(r"<li>([^<]*left out[^<]*)</li>", html)
    assert notes == [DUPLICATES, REJECTED, IN_REVIEW, DECLINED]


def withheld(count: int) -> str:
    return f"{count} narratives left out: no reviewer has approved a redacted version yet."


@pytest.mark.parametrize(("form", "rows", "notes"), [
    ({}, 5, [DUPLICATES, REJECTED, IN_REVIEW, DECLINED, withheld(5)]),
    ({"unverified": "y"}, 9, [DUPLICATES, REJECTED, DECLINED, withheld(9)]),
])
def test_export_page__rows_and_left_out_notes(client, auth, login_as, svc, dataset, form, rows,
                                              notes):
    login_as("coordinator")
    response = auth.post("/exports/", {"fmt": "csv", "level": "pseudonymised",
                                       "purpose": "statistics", **form}, page="/exports/")
    assert response.status_code == 200
    found_rows, found_notes = cases_csv(response.data)
    assert (len(found_rows), found_notes) == (rows, notes)
    [event] = svc.audit.recent(5, action="export.created")
    assert event["details"]["left_out"]["duplicate"] == 2
    assert event["details"]["include_unverified"] is bool(form)


@pytest.mark.parametrize(("form", "counted", "in_review"), [({}, 5, 4), ({"unverified": "y"}, 9, 0)])
def test_report_form__counts_and_states_left_out(client, auth, login_as, svc, dataset, form,
                                                 counted, in_review):
    login_as("coordinator")
    response = auth.post("/exports/reports", {
        "name": "Mission to Malaysia", "countries": "MY", "date_from": "2025-01-01",
        "date_to": "2025-12-31", "level": "pseudonymised", "exact": "y", **form},
        page="/exports/reports")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/exports/jobs/[^"]+/files/html)"', page).group(1)
    html = client.get(link).get_data(as_text=True)
    assert re.search(rf'id="cases-counted">{counted}<', html)
    stage_notes = re.search(r'<ul class="notes" id="stage-notes">(.*?)</ul>', html, re.DOTALL)
    expected = [DUPLICATES, REJECTED] + ([IN_REVIEW] if in_review else [])
    assert re.findall(r"<li>([^<]*)</li>", stage_notes.group(1)) == expected
    assert DECLINED in html
    [event] = svc.audit.recent(5, action="report.completed")
    assert event["details"]["left_out"]["not_verified"] == in_review


def test_indicators_overview__counts_each_case_once_and_says_why_others_left_out(
        client, login_as, dataset):
    login_as("coordinator")
    html = client.get("/exports/indicators").get_data(as_text=True)
    overview = html[html.index('id="table-overview"'):]
    malaysia = re.search(r">Malaysia</a></t[hd]>(.*?)</tr>", overview, re.S).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", malaysia)[-1] == "5"
    assert re.findall(r"<li>([^<]*left out[^<]*)</li>", html) == [
        DUPLICATES, REJECTED, IN_REVIEW, DECLINED]
