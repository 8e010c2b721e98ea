"""Export and report jobs: the task bodies on the embedded store (idempotent, refusals,
retries, expiry), the indicator pipelines on both stores against an independent count,
and, marked integration, a report and an export built by a real worker on Redis and
a MongoDB-wire server."""

from __future__ import annotations

import io
import re
import subprocess
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from exports.filters import parse_filter
from exports.indicator_runs import indicator_tables
from exports.job_runs import JobContext, run_export_job, run_report_job, sweep_export_files
from exports.report_data import ReportRequest
from exports.service import ExportRequest
from forms.mwc import load_taxonomy
from tests import export_cases
from tests.helpers import AuthActions
from workflows.repository import CaseRepository

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
COUNTABLE = set(load_taxonomy().violation_codes())
MISSION = {"id": "u_m", "roles": ["mission"], "org_id": None, "countries": ["MY", "SG"]}
COORDINATOR = {"id": "u_c", "roles": ["coordinator"], "org_id": None, "countries": []}


class Audit:
    def __init__(self):
        self.events = []

    def __call__(self, action, actor, target, **details):
        self.events.append((action, actor, target, details))


@pytest.fixture
def ctx(svc):
    export_cases.store(svc, export_cases.generate(20))
    return JobContext(store=svc.export_jobs, repo=svc.cases, forms=svc.forms, sealer=svc.sealer,
                      full_roles=("coordinator",), keep=timedelta(hours=1), secret=b"s",
                      audit=Audit(), clock=lambda: NOW)


def export_job(ctx, actor=MISSION, level="pseudonymised", fmt="csv"):
    wanted = ExportRequest(parse_filter({"country": "MY"}), fmt, level)
    return ctx.store.create(kind="export", user_id=actor["id"], actor=actor,
                            params=wanted.params(), now=NOW, total=20)


def test_export_job__done_once_however_often_delivered(ctx):
    job = export_job(ctx)
    assert run_export_job(ctx, job["_id"]) == "done"
    assert run_export_job(ctx, job["_id"]) == "done"
    stored = ctx.store.get(job["_id"])
    assert stored["runs"] == 1 and stored["rows"]["cases"] > 0
    assert [e[0] for e in ctx.audit.events] == ["export.completed"]
    action, actor, target, details = ctx.audit.events[0]
    assert (actor, target, details["redaction"]) == ("u_m", job["_id"], "pseudonymised")
    assert details["left_out"]["declined"] + details["left_out"]["not_recorded"] >= 0
    meta, stream = ctx.store.open_file(job["_id"], "export", "u_m", NOW)
    assert zipfile.ZipFile(io.BytesIO(stream.read())).namelist()[0] == "cases.csv"


def test_export_job__claimed_elsewhere__left_alone(ctx):
    job = export_job(ctx)
    ctx.store.claim(job["_id"], NOW)
    assert run_export_job(ctx, job["_id"]) == "busy"


def test_export_job__level_not_allowed__fails_for_good_and_is_audited(ctx):
    job = export_job(ctx, level="full")  # a mission's job asking for full, however it came
    assert run_export_job(ctx, job["_id"]) == "failed"
    stored = ctx.store.get(job["_id"])
    assert stored["status"] == "failed" and "LevelNotAllowed" in stored["error"]
    assert ctx.audit.events[0][0] == "export.failed"


def test_export_job__database_away__claim_released_for_the_retry(ctx):
    from pymongo.errors import AutoReconnect

    job = export_job(ctx)

    class Away:
        def __getattr__(self, name):
            raise AutoReconnect("away")

    ctx.repo = Away()
    with pytest.raises(AutoReconnect):
        run_export_job(ctx, job["_id"])
    assert ctx.store.claim(job["_id"], NOW) == 2


def test_report_job__html_and_pdf_kept_and_expire(ctx):
    wanted = ReportRequest("Mission", parse_filter({"country": "MY,SG"}), "pseudonymised")
    job = ctx.store.create(kind="report", user_id="u_m", actor=MISSION,
                           params=wanted.params(), now=NOW)
    assert run_report_job(ctx, job["_id"]) == "done"
    stored = ctx.store.get(job["_id"])
    assert set(stored["files"]) == {"html", "pdf"}
    assert ctx.audit.events[0][0] == "report.completed"
    assert sweep_export_files(ctx.store, NOW + timedelta(hours=2)) == 1
    assert ctx.store.open_file(job["_id"], "pdf", "u_m", NOW) is None


def test_indicator_pipelines__on_either_store__match_a_case_by_case_count(any_db):
    import mongomock.gridfs

    mongomock.gridfs.enable_gridfs_integration()
    cases = export_cases.generate(60, seed=13)
    repo = CaseRepository(any_db)
    for case in cases:
        repo.insert({k: v for k, v in case.items() if k != "sensitive_answers"})
    found = indicator_tables(repo, {"dimensions.destination_country": {"$in": ["MY"]}})
    kept = [c for c in export_cases.statistics_cases(cases)
            if c["dimensions"]["destination_country"] == "MY"]
    table = found.table("by_article_gender")
    expected = {}
    for case in kept:
        for article in {n for n in case["mwc"] if n in COUNTABLE}:
            key = (article, case["dimensions"]["gender"])
            expected[key] = expected.get(key, 0) + 1
    assert {k: v for k, v in table.cells.items() if v} == expected
    assert found.consent.included == len(kept)
    assert table.total == sum(expected.values())


# -- through a real worker -----------------------------------------------------------------


def _wait_done(svc, job_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = svc.export_jobs.get(job_id)
        if job and job["status"] in ("done", "failed"):
            return job
        time.sleep(0.5)
    pytest.fail(f"job {job_id} did not finish on the worker")


@pytest.mark.integration
def test_worker__builds_a_mission_report_with_the_right_numbers(worker_app):
    svc = worker_app.extensions["mrvrs"]
    cases = export_cases.store(svc, export_cases.generate(40, seed=21))
    user = svc.users.create("mission-worker@example.org", "correct horse battery", ["mission"],
                            countries=["MY", "SG"])
    client = worker_app.test_client()
    auth = AuthActions(client)
    assert auth.login(user["email"]).status_code == 302
    response = auth.post("/exports/reports", {
        "name": "Worker mission", "countries": "MY,SG", "date_from": "2024-01-01",
        "date_to": "2025-12-31", "level": "pseudonymised", "exact": "y"},
        page="/exports/reports")
    assert response.status_code == 302
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    job = _wait_done(svc, job_id)
    assert job["status"] == "done", job.get("error")
    pdf = client.get(f"/exports/jobs/{job_id}/files/pdf").data
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                   check=True).stdout.decode().split())
    counted = export_cases.statistics_cases(cases)
    violations = sum(len({n for n in c["mwc"] if n in COUNTABLE}) for c in counted)
    assert "Mission report: Worker mission" in text and "Annex: the cases counted" in text
    assert f"Cases counted {len(counted)}" in text
    assert f"Violations counted {violations}" in text
    events = svc.audit.recent(5, action="report.completed")
    assert events and events[0]["target"] == job_id and events[0]["actor"] == user["_id"]


@pytest.mark.integration
def test_worker__large_export_job_downloadable_by_the_requester(worker_app):
    svc = worker_app.extensions["mrvrs"]
    cases = export_cases.store(svc, export_cases.generate(30, seed=22))
    svc.settings = svc.settings.with_overrides(export_sync_max_rows=5)
    user = svc.users.create("mission-export@example.org", "correct horse battery",
                            ["mission"], countries=["MY", "SG"])
    client = worker_app.test_client()
    auth = AuthActions(client)
    assert auth.login(user["email"]).status_code == 302
    response = auth.post("/exports/", {"fmt": "csv", "level": "pseudonymised",
                                       "purpose": "statistics"}, page="/exports/")
    assert response.status_code == 302
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert _wait_done(svc, job_id)["status"] == "done"
    page = client.get(f"/exports/jobs/{job_id}").get_data(as_text=True)
    assert re.search(r"files/export", page)
    data = client.get(f"/exports/jobs/{job_id}/files/export").data
    rows = zipfile.ZipFile(io.BytesIO(data)).read("cases.csv").decode().splitlines()
    assert len(rows) - 1 == len(export_cases.statistics_cases(cases))
