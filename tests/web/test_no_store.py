"""Every answer that carries case data tells browsers and proxies not to keep it:
case pages and the queue, attachment downloads, the case API, exports and their
downloads, indicator pages, and refusals on those routes too."""

from __future__ import annotations

import re

import pytest

from tests import export_cases
from tests.case_helpers import evidence, file_case


def _not_kept(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


@pytest.fixture
def case(svc):
    return file_case(svc, org_id="o_harbour", files=evidence())


def test_case_screens__no_store(client, login_as, case):
    login_as("reviewer", countries=["MY"])
    attachment = case["attachments"][0]["id"]
    for url in ("/cases/?queue=all", f"/cases/{case['reference']}",
                f"/cases/{case['reference']}/attachments/{attachment}", "/cases/notifications",
                "/cases/MY-2026-999999"):
        response = client.get(url)
        assert response.status_code in (200, 404) and _not_kept(response), url


def test_case_api__no_store(client, svc, make_user, case):
    user = make_user(("reviewer",), countries=["MY"])
    headers = {"Authorization": f"Bearer {svc.tokens.create(user['_id'], 't')[1]}"}
    for url in ("/api/v1/cases", f"/api/v1/cases/{case['reference']}", "/api/v1/me",
                "/api/v1/cases/MY-2026-999999"):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 404) and _not_kept(response), url


def test_exports__files_jobs_and_pages_no_store(app, client, auth, login_as, svc):
    export_cases.store(svc, export_cases.generate(6))
    login_as("coordinator")
    data = {"fmt": "csv", "level": "pseudonymised", "purpose": "statistics"}
    direct = auth.post("/exports/", data, page="/exports/")
    assert direct.status_code == 200 and _not_kept(direct)
    svc.settings = svc.settings.with_overrides(export_sync_max_rows=1)
    queued = auth.post("/exports/", {**data, "fmt": "jsonl"}, page="/exports/")
    job = client.get(queued.headers["Location"])
    link = re.search(r'href="(/exports/jobs/[^"]+/files/export)"', job.get_data(as_text=True))
    download = client.get(link.group(1))
    assert download.status_code == 200 and _not_kept(job) and _not_kept(download)
    for url in ("/exports/", "/exports/indicators", "/exports/audit"):
        assert _not_kept(client.get(url)), url


def test_audit_page__no_store(client, login_as):
    login_as("admin")
    response = client.get("/admin/audit")
    assert response.status_code == 200 and _not_kept(response)
