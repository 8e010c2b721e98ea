"""The export page offers the documentation layout (HURIDOCS): a mission gets it
pseudonymised, within its destination states, with nothing personal and no private
employer in it, at once or as a job; a coordinator gets it in full."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from exports.huridocs import CAUTION
from tests import export_cases, registry_links
from tests.export_cases import planted
from tests.registry_links import AGENCY, HOUSEHOLD
from tests.web.test_exports_pages import needles

COUNT = 24
EXPORT = {"fmt": "huridocs-json", "level": "pseudonymised", "purpose": "statistics"}


@pytest.fixture
def dataset(svc):
    registry_links.store_entities(svc)
    return export_cases.store(svc, registry_links.link(export_cases.generate(COUNT, seed=7)))


def export(auth, **data):
    return auth.post("/exports/", {**EXPORT, **data}, page="/exports/")


def in_scope(dataset, countries):
    return [c for c in export_cases.statistics_cases(dataset)
            if c["dimensions"]["destination_country"] in countries]


def test_form__offers_both_documentation_formats(client, login_as):
    login_as("mission", countries=["MY"])
    html = client.get("/exports/").get_data(as_text=True)
    assert 'value="huridocs-json"' in html and 'value="huridocs-csv"' in html


@pytest.mark.parametrize("fmt", ["huridocs-json", "huridocs-csv"])
def test_mission__pseudonymised_in_scope_nothing_personal(client, auth, login_as, dataset, fmt):
    login_as("mission", countries=["MY"])
    response = export(auth, fmt=fmt)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if fmt == "huridocs-json":
        document = json.loads(response.data)
        text = response.data.decode("utf-8")
        assert document["metadata"]["caution"] == CAUTION
        events = document["events"]
    else:
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
            assert CAUTION in archive.read("README.txt").decode("utf-8")
            events = archive.read("events.csv").decode("utf-8").splitlines()[1:]
    assert len(events) == len(in_scope(dataset, {"MY"}))
    for i in range(COUNT):
        for needle in needles(planted(i)):
            assert needle not in text, needle
    assert HOUSEHOLD["name"] not in text and AGENCY["name"] in text
    for case in dataset:
        assert case["reference"] not in text


def test_mission__full_refused(client, auth, login_as, dataset):
    login_as("mission", countries=["MY"])
    assert export(auth, level="full").status_code == 403


def test_coordinator__full_names_the_worker_and_the_household_employer(client, auth, login_as,
                                                                       dataset):
    login_as("coordinator")
    document = json.loads(export(auth, level="full").data)
    text = json.dumps(document, ensure_ascii=False)
    counted = export_cases.statistics_cases(dataset)
    assert {e["event_id"] for e in document["events"]} == {c["reference"] for c in counted}
    assert planted(int(counted[0]["_id"].removeprefix("c_gen")))["full_name"] in text
    assert HOUSEHOLD["name"] in text


def test_large_export__a_job_whose_file_names_entities_from_the_registry(
        client, auth, login_as, svc, dataset):
    svc.settings = svc.settings.with_overrides(export_sync_max_rows=5)
    login_as("mission", countries=["MY", "SG"])
    response = export(auth)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in page
    link = re.search(r'href="(/exports/jobs/[^"]+/files/export)"', page).group(1)
    document = json.loads(client.get(link).data)
    assert len(document["events"]) == len(export_cases.statistics_cases(dataset))
    names = {p["name"] for p in document["perpetrators"] if p["source"] == "registry"}
    assert AGENCY["name"] in names and HOUSEHOLD["name"] not in names
