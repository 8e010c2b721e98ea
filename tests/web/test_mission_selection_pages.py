"""The export, report and indicator pages select by destination state and event period
across every origin form, as `mrvrs export` does; a period written wrongly is refused
beside its field and nothing is made."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from tests.case_helpers import ANSWERS, file_case
from tests.cli.test_cli_mission_selection import CASES
from tests.intake_helpers import forms_published  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("forms_published")
MALAYSIA_2005 = {"destination": "MY", "event_from": "2005", "event_to": "2005"}


@pytest.fixture
def filed(svc):
    references = {}
    for name, form_id, answers, _selected in CASES:
        case = file_case(svc, form_id=form_id, answers={
            **ANSWERS, "consent_statistics": True, **answers})
        references[name] = case["reference"]
    return {references[name] for name, *_rest, selected in CASES if selected}


def test_export_page__destination_and_event_period(client, auth, login_as, filed):
    login_as("coordinator")
    response = auth.post("/exports/", {"fmt": "csv", "level": "full", "purpose": "statistics",
                                       "unverified": "y", **MALAYSIA_2005}, page="/exports/")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("cases.csv").decode())))
    assert {row["Reference"] for row in rows} == filed


@pytest.mark.parametrize(("fields", "message"), [
    ({"event_from": "March 2005"}, "Write a year, a month or a day: 2005, 2005-03 or "
                                   "2005-03-14."),
    ({"event_from": "2005-13"}, "Write a year, a month or a day"),
    ({"event_from": "2006", "event_to": "2005"}, "The end date is before the start date."),
])
def test_export_page__bad_period_refused_beside_the_field(client, auth, login_as, filed,
                                                          fields, message):
    login_as("coordinator")
    response = auth.post("/exports/", {"fmt": "csv", "level": "full", "purpose": "statistics",
                                       **fields}, page="/exports/")
    assert response.status_code == 400
    assert response.get_data(as_text=True).count(message) == 1  # said once, beside the field
    assert response.mimetype == "text/html"


def test_report_page__no_handling_country_or_filing_period_needed(client, auth, login_as,
                                                                  filed):
    login_as("coordinator")
    response = auth.post("/exports/reports", {
        "name": "Malaysia 2005", "level": "full", "exact": "y", "unverified": "y",
        **MALAYSIA_2005}, page="/exports/reports")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/exports/jobs/[^"]+/files/html)"', page).group(1)
    html = client.get(link).get_data(as_text=True)
    assert "<dt>Events</dt><dd>from January 1, 2005 to December 31, 2005" in html
    assert all(reference in html for reference in filed)
    assert html.count("<td>MY</td>") >= len(filed)


def test_indicators_page__year_of_the_events(client, login_as, svc, filed):
    svc.db.cases.update_many({}, {"$set": {"stage": "verified"}})  # counted once verified
    login_as("coordinator")
    every = client.get("/exports/indicators?destination=MY").get_data(as_text=True)
    events = client.get("/exports/indicators?destination=MY&event_year=2005")
    assert events.status_code == 200
    assert 'name="event_year"' in every and _counted(every) == 6
    assert _counted(events.get_data(as_text=True)) == len(filed)
    refused = client.get("/exports/indicators?destination=MY&event_year=05")
    assert refused.status_code == 400 and "Write a year such as 2005." in refused.get_data(
        as_text=True)


def _counted(page: str) -> int:
    return int(re.search(r'<p id="cases-counted">(\d+) cases? counted', page).group(1))
