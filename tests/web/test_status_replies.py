"""The way back with the tracking code: a reviewer's question, the reporter's answer with
files, consent withdrawn and given again, the no-contact warning, notifications, and
the limits on the status page, all through the pages and the export command."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from click.testing import CliRunner

from tests.helpers import csrf_token
from tests.intake_helpers import forms_published, post_report, receipt  # noqa: F401
from tests.samples import EXE, PDF

pytestmark = pytest.mark.usefixtures("forms_published")

QUESTION = "When did Rahman Ltd last pay you? Please send a payslip if you have one."


def _html(response) -> str:
    return response.get_data(as_text=True)


def _file(client, **extra):
    data = {"destination_country": "MY", "narrative": "My employer keeps my passport.",
            "consent_case_work": "y", "consent_statistics": "y", **extra}
    return receipt(_html(post_report(client, data=data)))


def _open(client, reference, code):
    token = csrf_token(_html(client.get("/status")))
    return client.post("/status", data={"reference": reference, "code": code,
                                        "csrf_token": token})


def _reply(client, text="", files=()):
    token = csrf_token(_html(client.get("/status/report")))
    data = {"text": text, "csrf_token": token, "files": list(files)}
    return client.post("/status/report/reply", data=data, content_type="multipart/form-data")


def _consent(client, purpose, given):
    token = csrf_token(_html(client.get("/status/report")))
    return client.post("/status/report/consent", data={"purpose": purpose, "given": given,
                                                       "csrf_token": token})


@pytest.fixture
def reviewer(app, make_user):
    """A reviewer for Malaysia, signed in on a client of their own."""
    from tests.helpers import AuthActions

    user = make_user(("reviewer",), countries=["MY"], name="Aina Reviewer")
    auth = AuthActions(app.test_client())
    assert auth.login(user["email"]).status_code == 302
    return user, auth


def _ask(auth, svc, reference, text=QUESTION, wait=True):
    case = svc.cases.by_reference(reference)
    page = f"/cases/{reference}"
    data = {"ask-text": text, "ask-version": str(case["version"])}
    if wait:
        data["ask-wait"] = "y"
    return auth.post(f"{page}/questions", data, page=page, prefix="ask")


# -- asking --------------------------------------------------------------------------


def test_ask__question_sealed_on_the_case_and_shown_on_the_status_page(client, svc, reviewer):
    reference, code = _file(client, phone="+60 12 345 6789")
    _user, auth = reviewer
    response = _ask(auth, svc, reference)
    assert response.status_code == 302
    case = svc.cases.by_reference(reference)
    assert case["stage"] == "needs_info"
    [message] = case["messages"]
    assert message["kind"] == "question" and QUESTION not in json.dumps(case, default=str)
    assert svc.sealer.open(message["sealed"]) == {"text": QUESTION}
    assert case["events"][-1]["data"]["message"] == message["id"]

    assert _open(client, reference, code).status_code == 303
    page = _html(client.get("/status/report"))
    assert QUESTION in page and 'data-stage="needs_info"' in page
    assert "Read their question on this page" in page


def test_ask__without_waiting__case_stays_in_review(client, svc, reviewer):
    reference, _code = _file(client)
    _ask(reviewer[1], svc, reference, wait=False)
    case = svc.cases.by_reference(reference)
    assert case["stage"] == "in_review" and case["events"][-1]["kind"] == "question"


def test_ask__through_the_ask_for_information_step__shown_and_answered_too(client, svc,
                                                                            reviewer):
    reference, code = _file(client)
    auth = reviewer[1]
    case = svc.cases.by_reference(reference)
    page = f"/cases/{reference}"
    auth.post(f"{page}/transitions/request_info",
              {"request_info-note": "Which month?", "request_info-version": str(case["version"])},
              page=page, prefix="request_info")
    _open(client, reference, code)
    assert "Which month?" in _html(client.get("/status/report"))
    _reply(client, "March.")
    assert svc.cases.by_reference(reference)["stage"] == "in_review"


def test_ask__no_contact__the_form_says_the_answer_needs_a_status_check(client, svc, reviewer):
    silent, _ = _file(client)
    reachable, _ = _file(client, email="worker@example.org")
    auth = reviewer[1]
    warning = "They will see your question only if they check their status"
    assert warning in _html(auth.client.get(f"/cases/{silent}"))
    assert warning not in _html(auth.client.get(f"/cases/{reachable}"))


def test_ask__member_of_another_role__refused(client, svc, login_as):
    reference, _ = _file(client)
    login_as("member")
    case = svc.cases.by_reference(reference)
    response = client.post(f"/cases/{reference}/questions",
                           data={"ask-text": "x", "ask-version": str(case["version"])})
    assert response.status_code in (400, 403, 404)
    assert not svc.cases.by_reference(reference).get("messages")


# -- answering -----------------------------------------------------------------------


def test_reply__text_and_file__stored_hashed_case_back_in_review_reviewer_notified(
        client, svc, reviewer):
    reference, code = _file(client)
    user, auth = reviewer
    _ask(auth, svc, reference)
    _open(client, reference, code)
    response = _reply(client, "Last paid in March.", [(_bytes(PDF), "payslip.pdf")])
    assert response.status_code == 303 and response.headers["Location"].endswith("/status/report")

    case = svc.cases.by_reference(reference)
    assert case["stage"] == "in_review"
    reply = case["messages"][-1]
    assert reply["kind"] == "reply" and svc.sealer.open(reply["sealed"])["text"] == \
        "Last paid in March."
    [entry] = [a for a in case["attachments"] if a.get("message") == reply["id"]]
    assert entry["sha256"] == hashlib.sha256(PDF).hexdigest() and entry["field"] == "reply"
    assert [f["sha256"] for f in svc.attachments.for_case(case["_id"])] == [entry["sha256"]]

    page = _html(auth.client.get(f"/cases/{reference}"))
    assert "Last paid in March." in page and entry["sha256"] in page and QUESTION in page
    assert 'data-transition="provide_info"' in page
    notes = [n for n in svc.notifications.for_user(user["_id"]) if n["kind"] != "new_case"]
    assert [n["kind"] for n in notes] == ["reporter_message"]
    assert notes[0]["reference"] == reference
    assert "The reporter sent an answer" in _html(auth.client.get("/cases/notifications"))


def test_reply__unassigned_case__the_team_reviewers_are_notified(client, svc, reviewer,
                                                                 make_user):
    other = make_user(("reviewer",), countries=["MY"])
    reference, code = _file(client)
    _open(client, reference, code)
    _reply(client, "More detail.")
    for user in (reviewer[0], other):
        assert [n["kind"] for n in svc.notifications.for_user(user["_id"])
                if n["kind"] != "new_case"] == ["reporter_message"]


def test_reply__refused_file__nothing_stored_text_kept(client, svc):
    reference, code = _file(client)
    _open(client, reference, code)
    before = svc.cases.by_reference(reference)
    response = _reply(client, "Here is the contract.", [(_bytes(EXE), "contract.pdf")])
    html = _html(response)
    assert response.status_code == 400
    assert "This kind of file cannot be accepted" in html and "Here is the contract." in html
    after = svc.cases.by_reference(reference)
    assert after["version"] == before["version"] and not after.get("messages")
    assert svc.attachments.files.count_documents({"metadata.case_id": after["_id"]}) == 0


def test_reply__too_many_files__refused_nothing_stored(client, svc):
    reference, code = _file(client)
    _open(client, reference, code)
    files = [(_bytes(PDF), f"page-{i}.pdf") for i in range(svc.settings.upload_max_files + 1)]
    response = _reply(client, "All the pages.", files)
    assert response.status_code == 400 and "Too many files." in _html(response)
    case = svc.cases.by_reference(reference)
    assert not case.get("messages")
    assert svc.attachments.files.count_documents({"metadata.case_id": case["_id"]}) == 0


def test_reply__case_changed_meanwhile__written_on_the_case_as_it_now_is(client, svc,
                                                                         monkeypatch):
    reference, code = _file(client)
    _open(client, reference, code)
    record = svc.reporter.repo.record
    interfered = []

    def reviewer_first(case, *args, **kwargs):
        if not interfered:  # a reviewer's note lands between the read and the write
            interfered.append(record(case, {"at": case["created_at"], "actor": "u_x",
                                            "kind": "note", "note": "n", "internal": True}))
        return record(case, *args, **kwargs)

    monkeypatch.setattr(svc.reporter.repo, "record", reviewer_first)
    assert _reply(client, "Still here.", [(_bytes(PDF), "a.pdf")]).status_code == 303
    case = svc.cases.by_reference(reference)
    assert [m["kind"] for m in case["messages"]] == ["reply"]
    assert [e["kind"] for e in case["events"][-2:]] == ["note", "reply"]
    assert len(svc.attachments.for_case(case["_id"])) == 1


def test_reply__case_write_keeps_failing__files_removed_text_kept(client, svc, monkeypatch):
    from workflows.errors import StaleVersion

    reference, code = _file(client)
    _open(client, reference, code)

    def always_stale(case, *args, **kwargs):
        raise StaleVersion(case["_id"], case["stage"], case["version"])

    monkeypatch.setattr(svc.reporter.repo, "record", always_stale)
    response = _reply(client, "Please keep this.", [(_bytes(PDF), "a.pdf")])
    assert response.status_code == 409 and "Please keep this." in _html(response)
    case = svc.cases.by_reference(reference)
    assert not case.get("messages")
    assert svc.attachments.files.count_documents({"metadata.case_id": case["_id"]}) == 0


def test_reply__empty__refused_in_the_page_language(client, svc):
    reference, code = _file(client)
    _open(client, reference, code)
    response = _reply(client, "   ")
    assert response.status_code == 400 and "Write an answer or add a file." in _html(response)
    assert not svc.cases.by_reference(reference).get("messages")


def test_reply__too_long__refused(client, svc):
    reference, code = _file(client)
    _open(client, reference, code)
    assert _reply(client, "x" * 5001).status_code == 400
    assert not svc.cases.by_reference(reference).get("messages")


# -- consent -------------------------------------------------------------------------


def test_consent__withdrawn_then_export_leaves_the_case_out__given_back_included(
        client, svc, app, monkeypatch, tmp_path):
    from app import cli as cli_module
    from app.cli import main

    monkeypatch.setattr(cli_module, "_build_app", lambda: app)
    reference, code = _file(client)
    _open(client, reference, code)

    def export() -> str:
        out = tmp_path / "cases.jsonl"
        result = CliRunner().invoke(main, [
            "export", "--format", "jsonl", "--redaction", "aggregate", "--purpose",
            "statistics", "--include-unverified", "--country", "MY", "--out", str(out)])
        assert result.exit_code == 0, result.output
        return result.output

    assert "did not consent" not in export()
    assert _consent(client, "statistics", "no").status_code == 303
    case = svc.cases.by_reference(reference)
    assert case["consent"]["statistics"] is False
    event = case["events"][-1]
    assert event["kind"] == "consent" and event["data"] == {"purpose": "statistics",
                                                             "given": False}
    assert event["at"] is not None
    assert "1 case left out: the reporter did not consent to anonymous statistics." in export()
    assert 'data-purpose="statistics" data-given="no"' in _html(client.get("/status/report"))

    _consent(client, "statistics", "yes")
    assert svc.cases.by_reference(reference)["consent"]["statistics"] is True
    assert "did not consent" not in export()


def test_consent__change_on_the_reviewers_timeline(client, svc, reviewer):
    reference, code = _file(client)
    _open(client, reference, code)
    _consent(client, "advocacy", "yes")
    page = _html(reviewer[1].client.get(f"/cases/{reference}"))
    assert "gave consent to: Public advocacy" in page
    assert [n["kind"] for n in svc.notifications.for_user(reviewer[0]["_id"])
            if n["kind"] != "new_case"] == ["consent_changed"]
    _consent(client, "advocacy", "yes")  # already given: nothing written, nobody told again
    assert svc.cases.by_reference(reference)["events"][-1]["kind"] == "consent"
    assert len(svc.notifications.for_user(reviewer[0]["_id"])) == 2  # and the arrival


def test_consent__unknown_purpose__refused(client, svc):
    reference, code = _file(client)
    _open(client, reference, code)
    assert _consent(client, "everything", "no").status_code == 400
    assert _consent(client, '{"$gt": ""}', "no").status_code == 400


# -- the grant -----------------------------------------------------------------------


def test_grant__code_never_in_the_report_page_or_url_and_leave_closes_it(client):
    reference, code = _file(client)
    response = _open(client, reference, code)
    assert code not in response.headers["Location"]
    page = client.get("/status/report")
    assert code not in _html(page) and "no-store" in page.headers["Cache-Control"]
    token = csrf_token(_html(page))
    client.post("/status/report/leave", data={"csrf_token": token})
    closed = _html(client.get("/status/report"))
    assert "The report page is closed" in closed and reference not in closed


def test_grant__other_browser_without_it__sees_nothing_and_cannot_post(app, client):
    reference, code = _file(client)
    _open(client, reference, code)
    stranger = app.test_client()
    assert reference not in _html(stranger.get("/status/report"))
    token = csrf_token(_html(stranger.get("/status")))
    response = stranger.post("/status/report/consent",
                             data={"purpose": "statistics", "given": "no", "csrf_token": token})
    assert response.status_code == 403


def test_grant__expired__the_page_closes(settings):
    from app import create_app
    from tests.intake_helpers import publish_shipped

    app = create_app(settings.with_overrides(status_grant_seconds=1))
    publish_shipped(app.extensions["mrvrs"])
    client = app.test_client()
    reference, code = _file(client)
    _open(client, reference, code)
    grants = app.extensions["mrvrs"].status_grants.collection
    grants.update_many({}, {"$set": {"expires_at": grants.find_one()["created_at"]}})
    assert "The report page is closed" in _html(client.get("/status/report"))


# -- limits --------------------------------------------------------------------------


def test_limits__wrong_codes_hold_the_reference__same_message_whether_it_exists(settings):
    from app import create_app
    from tests.intake_helpers import publish_shipped

    app = create_app(settings.with_overrides(status_max_failures=3, rate_limit_public="1000/minute"))
    publish_shipped(app.extensions["mrvrs"])
    client = app.test_client()
    reference, code = _file(client)
    missing = "MY-2026-999999"
    wrong = "AAAA-BBBB-CCCC-DDDD-EEEE"
    answers = {}
    for ref in (reference, missing):
        answers[ref] = [_open(client, ref, wrong) for _ in range(3)]
        answers[ref].append(_open(client, ref, code))  # held now: even the right code
    bodies = {_neutral(r) for responses in answers.values() for r in responses}
    assert {r.status_code for responses in answers.values() for r in responses} == {404}
    assert len(bodies) == 1  # word for word the same, held or not, real or not
    other, other_code = _file(client)
    assert _open(client, other, other_code).status_code == 303  # other references unaffected


def test_limits__hold_shared_by_every_client(settings):
    from app import create_app
    from tests.intake_helpers import publish_shipped

    app = create_app(settings.with_overrides(status_max_failures=2, rate_limit_public="1000/minute"))
    publish_shipped(app.extensions["mrvrs"])
    first, second = app.test_client(), app.test_client()
    reference, code = _file(first)
    _open(first, reference, "AAAA-BBBB-CCCC-DDDD-EEEE")
    _open(second, reference, "AAAA-BBBB-CCCC-DDDD-EEEF")
    assert _open(second, reference, code).status_code == 404
    assert app.extensions["mrvrs"].code_holds.collection.count_documents({}) == 1
    assert reference not in json.dumps(list(app.extensions["mrvrs"].code_holds.collection.find()),
                                       default=str)


@pytest.mark.parametrize("endpoint", ["/status/report", "/status/report/reply",
                                      "/status/report/consent", "/status/report/leave"])
def test_limits__every_status_endpoint_rate_limited(settings, endpoint):
    from app import create_app

    app = create_app(settings.with_overrides(rate_limit_public="2 per minute"))
    client = app.test_client()
    token = csrf_token(_html(client.get("/status")))
    if endpoint == "/status/report":
        statuses = [client.get(endpoint).status_code for _ in range(3)]
    else:
        statuses = [client.post(endpoint, data={"csrf_token": token}).status_code
                    for _ in range(3)]
    assert statuses[-1] == 429 and 429 not in statuses[:2]


def _neutral(response) -> str:
    """The page without what differs per request (CSRF token, the reference typed)."""
    html = re.sub(r'value="[^"]*"', 'value=""', _html(response))
    return html


def _bytes(data: bytes):
    import io

    return io.BytesIO(data)
