"""The way back with the tracking code on the real server (FerretDB 2) and a real Redis
rate-limit store: question, answer with a file in GridFS, consent, grant and holds."""

from __future__ import annotations

import hashlib
import io
import os
import uuid

import pytest

from tests.helpers import PASSWORD, AuthActions, base_environ, csrf_token
from tests.samples import PDF

pytestmark = pytest.mark.integration


@pytest.fixture
def app(mongo_uri):
    from app import create_app
    from config.settings import load_settings

    name = f"mrvrs_test_{uuid.uuid4().hex[:10]}"
    redis = os.environ.get("MRVRS_TEST_BROKER_URL", "")
    extra = {"MRVRS_RATE_LIMIT_STORAGE_URI": redis} if redis.startswith("redis") else {}
    application = create_app(load_settings(base_environ(
        MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name, MRVRS_STATUS_MAX_FAILURES="3",
        **extra)))
    svc = application.extensions["mrvrs"]
    svc.forms.publish_shipped()
    yield application
    svc.db.client.drop_database(name)
    svc.db.client.close()


def _html(response) -> str:
    return response.get_data(as_text=True)


def _open(client, reference, code):
    token = csrf_token(_html(client.get("/status")))
    return client.post("/status", data={"reference": reference, "code": code,
                                        "csrf_token": token})


def test_question_answer_consent_and_holds_on_the_real_server(app):
    from datetime import UTC, datetime

    from workflows.intake import FormRecord, submit_case

    svc = app.extensions["mrvrs"]
    reviewer = svc.users.create("reviewer@my.example", PASSWORD, ["reviewer"], countries=["MY"])
    record = svc.forms.latest("my-intake")
    definition = svc.forms.definition("my-intake", record["version"])
    case, code = submit_case(
        definition=definition, form_record=FormRecord("my-intake", int(record["version"]),
                                                      definition.definition_hash()),
        answers={"destination_country": "MY", "consent_case_work": True,
                 "consent_statistics": True, "narrative": "Unpaid for three months."},
        files=None, language="en", reporter={}, repo=svc.cases, sealer=svc.sealer,
        attachments_store=svc.attachments, identity_secret=svc.identity_secret,
        now=datetime.now(UTC))
    case = svc.workflow.route(case["_id"])
    reference = case["reference"]

    desk = AuthActions(app.test_client())
    assert desk.login(reviewer["email"]).status_code == 302
    page = f"/cases/{reference}"
    asked = desk.post(f"{page}/questions", {"ask-text": "Which month?", "ask-wait": "y",
                                            "ask-version": str(case["version"])},
                      page=page, prefix="ask")
    assert asked.status_code == 302
    assert svc.cases.by_reference(reference)["stage"] == "needs_info"

    phone = app.test_client()
    assert _open(phone, reference, code).status_code == 303
    assert "Which month?" in _html(phone.get("/status/report"))
    token = csrf_token(_html(phone.get("/status/report")))
    sent = phone.post("/status/report/reply", content_type="multipart/form-data",
                      data={"text": "March.", "csrf_token": token,
                            "files": [(io.BytesIO(PDF), "payslip.pdf")]})
    assert sent.status_code == 303
    stored = svc.cases.by_reference(reference)
    assert stored["stage"] == "in_review" and stored["messages"][-1]["kind"] == "reply"
    assert [f["sha256"] for f in svc.attachments.for_case(stored["_id"])] == \
        [hashlib.sha256(PDF).hexdigest()]
    assert [n["kind"] for n in svc.notifications.for_user(reviewer["_id"])
            if n["kind"] != "new_case"] == ["reporter_message"]

    token = csrf_token(_html(phone.get("/status/report")))
    phone.post("/status/report/consent", data={"purpose": "statistics", "given": "no",
                                               "csrf_token": token})
    assert svc.cases.by_reference(reference)["consent"]["statistics"] is False

    stranger = app.test_client()
    statuses = [_open(stranger, reference, "AAAA-BBBB-CCCC-DDDD-EEEE").status_code
                for _ in range(3)]
    assert statuses == [404, 404, 404]
    assert _open(stranger, reference, code).status_code == 404  # held, even the right code
    assert {"expiry"} <= set(svc.db.status_code_holds.index_information())
    assert {"expiry"} <= set(svc.db.status_grants.index_information())
