"""On the real services (FerretDB, a Celery worker on Redis): a mission's documentation-
format export built as a job names the registry entities its cases are linked to, and
a mission report built by the worker lists them with the caution."""

from __future__ import annotations

import json

import pytest

from exports.huridocs import CAUTION
from tests import export_cases, registry_links
from tests.helpers import AuthActions
from tests.registry_links import AGENCY, COMPANY, HOUSEHOLD
from tests.tasks.test_export_jobs_worker import _wait_done
from tests.web.test_indicators_page import Tables


def mission_client(app, svc, email):
    user = svc.users.create(email, "correct horse battery", ["mission"],
                            countries=["MY", "SG"])
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login(user["email"]).status_code == 302
    return client, auth


@pytest.fixture
def linked(worker_app):
    svc = worker_app.extensions["mrvrs"]
    svc.db.entities.delete_many({})
    registry_links.store_entities(svc)
    cases = registry_links.link(export_cases.generate(40, seed=23))
    return svc, export_cases.store(svc, cases)


@pytest.mark.integration
def test_worker__documentation_export_job_names_registry_entities(worker_app, linked):
    svc, cases = linked
    svc.settings = svc.settings.with_overrides(export_sync_max_rows=5)
    client, auth = mission_client(worker_app, svc, "mission-esf@example.org")
    response = auth.post("/exports/", {"fmt": "huridocs-json", "level": "pseudonymised",
                                       "purpose": "statistics"}, page="/exports/")
    assert response.status_code == 302
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert _wait_done(svc, job_id)["status"] == "done"
    document = json.loads(client.get(f"/exports/jobs/{job_id}/files/export").data)
    counted = export_cases.statistics_cases(cases)
    assert document["metadata"]["caution"] == CAUTION
    assert len(document["events"]) == len(counted)
    named = {p["name"] for p in document["perpetrators"] if p["source"] == "registry"}
    assert {AGENCY["name"], COMPANY["name"]} <= named and HOUSEHOLD["name"] not in named


@pytest.mark.integration
def test_worker__mission_report_lists_the_entities_with_the_caution(worker_app, linked):
    svc, cases = linked
    client, auth = mission_client(worker_app, svc, "mission-entities@example.org")
    response = auth.post("/exports/reports", {
        "name": "Entities mission", "countries": "MY,SG", "level": "pseudonymised"},
        page="/exports/reports")
    assert response.status_code == 302
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    job = _wait_done(svc, job_id)
    assert job["status"] == "done", job.get("error")
    html = client.get(f"/exports/jobs/{job_id}/files/html").get_data(as_text=True)
    counted = export_cases.statistics_cases(cases)
    rows = {row[0]: int(row[-1]) for row in Tables(html).tables["table-entities"][1:]}
    assert rows == {e["name"]: registry_links.linked_count(counted, e)
                    for e in (AGENCY, COMPANY)}
    assert "They are not findings of a court or of any authority." in html
