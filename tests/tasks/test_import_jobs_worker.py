"""Import jobs: the run on the embedded store (once however often delivered, busy while
claimed), and, marked integration, a 1 000-row sheet imported through the page by a
real worker on Redis and a MongoDB-wire server: its problems reported by row, then
imported once corrected, then imported again adding nothing."""

from __future__ import annotations

import io
import time

import pytest

from tests.helpers import AuthActions, csrf_token
from tests.intake_helpers import publish_shipped
from workflows.import_jobs import run_import_job

HEADER = "ref,country,story,consent,date\n"
PROBLEM_ROWS = {101: "country", 502: "date", 903: "country"}


def sheet(rows: int = 1000, problems: bool = True) -> bytes:
    """`rows` cases under the header; the rows of PROBLEM_ROWS (numbered as a spreadsheet
    numbers them) lack the country or carry a date that is not one, when `problems`."""
    lines = [HEADER]
    for number in range(2, rows + 2):
        country, date = "MY", f"2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
        if problems and PROBLEM_ROWS.get(number) == "country":
            country = ""
        if problems and PROBLEM_ROWS.get(number) == "date":
            date = "31/02/2025"
        lines.append(f"R-{number:05d},{country},Wages withheld (case {number}),yes,{date}\n")
    return "".join(lines).encode()


COLUMNS = {"ref": "_reference", "country": "destination_country", "story": "narrative",
           "consent": "consent_case_work", "date": "violation_date"}


def queued_job(svc, org_id, data, user_id="u_member"):
    job = svc.import_jobs.create(user_id=user_id, org_id=org_id,
                                 form={"id": "my-intake", "version": 1}, filename="c.csv",
                                 sheet=data, archive=None, archive_name="", now=_now(),
                                 columns=COLUMNS)
    svc.import_jobs.queue(job["_id"], COLUMNS, _now())
    return job


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_run__once_however_often_delivered_and_busy_while_claimed(svc):
    publish_shipped(svc)
    ctx = svc.import_context()
    job = queued_job(svc, "org1", sheet(30, problems=False))
    other = queued_job(svc, "org1", sheet(30, problems=False))
    svc.import_jobs.claim(other["_id"], _now())
    assert run_import_job(ctx, other["_id"]) == "busy"
    assert run_import_job(ctx, job["_id"]) == "done"
    assert run_import_job(ctx, job["_id"]) == "done"
    stored = svc.import_jobs.get(job["_id"])
    assert stored["runs"] == 1 and stored["summary"]["created"] == 30
    assert stored["progress"] == {"done": 30, "total": 30, "phase": "importing"}
    assert svc.cases.cases.count_documents({"source.job_id": job["_id"]}) == 30


def test_run__a_rerun_after_the_database_went_away_counts_its_own_rows_as_created(
        svc, monkeypatch):
    from pymongo.errors import AutoReconnect

    import workflows.import_jobs as runs

    publish_shipped(svc)
    ctx = svc.import_context()
    job = queued_job(svc, "org1", sheet(10, problems=False))
    real, calls = runs.submit_case, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise AutoReconnect("the server went away")
        return real(**kwargs)

    monkeypatch.setattr(runs, "submit_case", flaky)
    with pytest.raises(AutoReconnect):
        run_import_job(ctx, job["_id"])
    assert svc.cases.cases.count_documents({}) == 4
    assert run_import_job(ctx, job["_id"]) == "done"
    stored = svc.import_jobs.get(job["_id"])
    assert (stored["runs"], stored["summary"]["created"]) == (2, 10)
    assert svc.cases.cases.count_documents({}) == 10


def test_run__a_failure_that_is_not_the_database_s_fails_the_job_and_is_audited(svc):
    publish_shipped(svc)
    ctx = svc.import_context()
    job = queued_job(svc, "org1", sheet(5, problems=False))
    svc.import_jobs.jobs.update_one({"_id": job["_id"]}, {"$set": {"form.version": 99}})
    assert run_import_job(ctx, job["_id"]) == "failed"
    stored = svc.import_jobs.get(job["_id"])
    assert stored["status"] == "failed" and "FormNotFound" in stored["error"]
    assert svc.audit.recent(5, action="cases.import_failed")[0]["target"] == job["_id"]


def test_uploads__deleted_when_the_job_ends_and_old_drafts_swept(svc):
    from datetime import timedelta

    publish_shipped(svc)
    files = svc.db["import_files.files"]
    job = queued_job(svc, "org1", sheet(3, problems=False))
    assert files.count_documents({}) == 1
    run_import_job(svc.import_context(), job["_id"])
    assert files.count_documents({}) == 0 and svc.db["import_files.chunks"].count_documents(
        {}) == 0
    draft = svc.import_jobs.create(user_id="u", org_id="o", form={"id": "my-intake",
                                                                    "version": 1},
                                   filename="d.csv", sheet=b"a\n1\n", archive=b"PK",
                                   archive_name="z.zip", now=_now() - timedelta(hours=30))
    fresh = queued_job(svc, "org1", sheet(1, problems=False))
    assert svc.import_jobs.sweep_drafts(_now(), timedelta(hours=24)) == 1
    assert svc.import_jobs.get(draft["_id"]) is None and svc.import_jobs.get(fresh["_id"])
    assert files.count_documents({}) == 1  # the queued job's sheet only


def _wait(svc, job_id, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = svc.import_jobs.get(job_id)
        if job and job["status"] in ("done", "refused", "failed"):
            return job
        time.sleep(1)
    pytest.fail(f"import {job_id} did not finish on the worker")


def _import(client, data: bytes) -> str:
    token = csrf_token(client.get("/imports/").get_data(as_text=True))
    response = client.post("/imports/", data={"csrf_token": token, "form": "my-intake@1",
                                              "sheet": (io.BytesIO(data), "cases.csv")},
                           content_type="multipart/form-data")
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    titles = dict(zip(COLUMNS, range(len(COLUMNS)), strict=True))
    mapping = {f"column-{i}": COLUMNS[title] for title, i in titles.items()}
    response = client.post(url, data={**mapping, "csrf_token": csrf_token(html),
                                      "action": "import"})
    assert response.status_code == 302
    return url.rsplit("/", 1)[-1]


@pytest.mark.integration
def test_worker__1000_rows_problems_by_row_then_imported_once(worker_app):
    svc = worker_app.extensions["mrvrs"]
    org = svc.organisations.create(f"Import org {time.time_ns()}", "MY")
    user = svc.users.create(f"importer-{time.time_ns()}@example.org", "correct horse battery",
                            ["member"], org_id=org["_id"])
    client = worker_app.test_client()
    assert AuthActions(client).login(user["email"], "correct horse battery").status_code == 302

    refused = _wait(svc, _import(client, sheet()))
    assert refused["status"] == "refused"
    assert sorted((p["row"], p["column"]) for p in refused["problems"]) == [
        (101, "country"), (502, "date"), (903, "country")]
    assert svc.cases.cases.count_documents({"source.org_id": org["_id"]}) == 0
    page = client.get(f"/imports/{refused['_id']}").get_data(as_text=True)
    assert "<td>502</td><td>date</td>" in page

    done = _wait(svc, _import(client, sheet(problems=False)))
    assert done["status"] == "done", done.get("error")
    assert done["summary"]["created"] == 1000 and done["progress"]["done"] == 1000
    assert svc.cases.cases.count_documents({"source.org_id": org["_id"]}) == 1000

    again = _wait(svc, _import(client, sheet(problems=False)))
    assert (again["summary"]["created"], again["summary"]["already"]) == (0, 1000)
    assert svc.cases.cases.count_documents({"source.org_id": org["_id"]}) == 1000
    deadline = time.monotonic() + 120
    while svc.cases.cases.count_documents({"source.org_id": org["_id"],
                                           "stage": "submitted"}) and \
            time.monotonic() < deadline:
        time.sleep(1)
    assert svc.cases.cases.count_documents({"source.org_id": org["_id"],
                                            "stage": "submitted"}) == 0  # routed
