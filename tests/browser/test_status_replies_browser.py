"""The way back with the tracking code, at 360 x 740 px as on a reporter's phone.

A reviewer asks a reporter who left no contact a question on the case page; the
reporter, with JavaScript off, opens the status page with the reference and code,
answers with a new file; the reviewer is notified and reads the answer and the
file's SHA-256 on the case timeline. Then a consent withdrawal on the status page
that a later export honours. Screenshots go to $MRVRS_TEST_SCREENSHOTS (default: the
test's temporary directory).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.browser.axe import accessible_and_light, without_cache
from tests.browser.conftest import LiveServer
from tests.browser.staff import sign_in
from tests.helpers import PASSWORD, base_environ
from tests.samples import PDF

WIDTH, HEIGHT = 360, 740
QUESTION = "Which month did the employer last pay you? A photo of a payslip would help."
ANSWER = "The last pay was in March. Here is the payslip."


@pytest.fixture(scope="module")
def server():
    """A fresh app with the shipped forms and the Malaysia reviewer."""
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(base_environ()))
    svc = app.extensions["mrvrs"]
    with app.app_context():
        svc.forms.publish_shipped()
        svc.users.create("reviewer@my.example", PASSWORD, ["reviewer"], name="Rina Reviewer",
                         countries=["MY"])
    with LiveServer(app) as live:
        live.svc = svc
        yield live


def _file(server, answers=None) -> tuple[str, str]:
    """A case filed as the questionnaire files it (that page is walked by its own tests),
    without any contact answer, and routed; returns (reference, code)."""
    from workflows.intake import FormRecord, submit_case

    svc = server.svc
    with server.app.app_context():
        record = svc.forms.latest("my-intake")
        definition = svc.forms.definition("my-intake", record["version"])
        case, code = submit_case(
            definition=definition,
            form_record=FormRecord("my-intake", int(record["version"]),
                                   definition.definition_hash()),
            answers=answers or {"destination_country": "MY", "consent_case_work": True,
                                "consent_statistics": True,
                                "narrative": "My employer has not paid me for three months."},
            files=None, language="en", reporter={}, repo=svc.cases, sealer=svc.sealer,
            attachments_store=svc.attachments, identity_secret=svc.identity_secret,
            now=datetime.now(UTC))
        svc.workflow.route(case["_id"])
    return case["reference"], code


@pytest.fixture
def phone(browser):
    """The reporter's phone: 360 px wide, JavaScript off."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB",
                                  java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("MRVRS_TEST_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def _sign_in(page, server):
    sign_in(page, server.url, "reviewer@my.example", PASSWORD)


def _accessible(browser, phone, where: str) -> None:
    """axe-core and the page weight on the page the reporter's phone shows: axe needs
    JavaScript, which this phone has off, so the same page is opened in a second phone
    holding the same session."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT},
                                  locale="en-GB")
    context.add_cookies(phone.context.cookies())
    page = context.new_page()
    without_cache(page)
    page.goto(phone.url)
    accessible_and_light(page, where)
    context.close()


def _open_status(page, server, reference, code):
    page.goto(server.url + "/status")
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("Private tracking code").fill(code)
    page.get_by_role("button", name="Check the status").click()
    page.wait_for_url(server.url + "/status/report")
    assert code not in page.url and code not in page.content()


def test_question_answered_with_a_new_attachment(server, desk, phone, shots, browser):
    reference, code = _file(server)

    _sign_in(desk, server)
    desk.goto(f"{server.url}/cases/{reference}")
    section = desk.locator("section.reporter-channel")
    assert "This reporter left no way to reach them." in section.inner_text()
    section.get_by_label("Question to the reporter").fill(QUESTION)
    assert section.get_by_label("Wait for the answer", exact=False).is_checked()
    section.get_by_role("button", name="Ask the reporter").click()
    desk.wait_for_selector(".flashes")
    assert desk.locator(".case-facts dd[data-stage]").get_attribute("data-stage") == "needs_info"
    _fits(desk)
    desk.screenshot(path=str(shots / "status-1-reviewer-asks.png"), full_page=True)

    _open_status(phone, server, reference, code)
    assert QUESTION in phone.locator(".conversation").inner_text()
    _fits(phone)
    phone.screenshot(path=str(shots / "status-2-reporter-reads.png"), full_page=True)
    _accessible(browser, phone, "status: the caseworker's question")
    phone.get_by_label("Your answer").fill(ANSWER)
    phone.get_by_label("Add photos, documents or voice notes (optional)").set_input_files(
        {"name": "payslip-march.pdf", "mimeType": "application/pdf", "buffer": PDF})
    phone.get_by_role("button", name="Send the answer").click()
    phone.wait_for_selector(".flashes")
    assert "Your answer was sent" in phone.locator(".flashes").inner_text()
    assert "payslip-march.pdf" in phone.locator(".conversation").inner_text()
    _fits(phone)
    phone.screenshot(path=str(shots / "status-3-reporter-answered.png"), full_page=True)
    _accessible(browser, phone, "status: answered with a file")

    desk.goto(server.url + "/cases/notifications")
    item = desk.locator('li[data-kind="reporter_message"]')
    assert "The reporter sent an answer" in item.inner_text()
    item.get_by_role("link", name=reference).click()
    page_text = desk.locator("section.reporter-channel").inner_text()
    assert ANSWER in page_text and hashlib.sha256(PDF).hexdigest() in page_text
    assert desk.locator('.timeline li[data-transition="provide_info"]').count() == 1
    assert desk.locator(".case-facts dd[data-stage]").get_attribute("data-stage") == "in_review"
    _fits(desk)
    desk.locator("section.reporter-channel").screenshot(
        path=str(shots / "status-4-reviewer-reads-answer.png"))


def test_consent_withdrawal_honoured_by_a_later_export(server, phone, shots, tmp_path,
                                                      monkeypatch, browser):
    from app import cli as cli_module
    from app.cli import main

    monkeypatch.setattr(cli_module, "_build_app", lambda: server.app)
    reference, code = _file(server)

    def export() -> str:
        result = CliRunner().invoke(main, [
            "export", "--format", "csv", "--redaction", "aggregate", "--purpose", "statistics",
            "--include-unverified", "--country", "MY", "--out", str(tmp_path / "cases.zip")])
        assert result.exit_code == 0, result.output
        return result.output

    before = export()
    _open_status(phone, server, reference, code)
    row = phone.locator('li[data-purpose="statistics"]')
    assert row.get_attribute("data-given") == "yes"
    row.get_by_role("button", name="Withdraw this consent").click()
    phone.wait_for_selector(".flashes")
    assert phone.locator('li[data-purpose="statistics"]').get_attribute("data-given") == "no"
    _fits(phone)
    phone.screenshot(path=str(shots / "status-5-consent-withdrawn.png"), full_page=True)
    _accessible(browser, phone, "status: consent withdrawn")

    after = export()
    assert "did not consent to anonymous statistics" not in before
    assert "1 case left out: the reporter did not consent to anonymous statistics." in after
    events = server.svc.cases.by_reference(reference)["events"]
    assert events[-1]["kind"] == "consent" and events[-1]["data"]["given"] is False


def test_status_page_in_arabic_right_to_left(server, phone, shots):
    """Opened with the code of an Arabic report, the page speaks Arabic, right to left,
    and the question and the answer form fit the phone."""
    from workflows.reporter_messages import ReporterChannel

    svc = server.svc
    with server.app.app_context():
        record = svc.forms.latest("sa-intake")
        definition = svc.forms.definition("sa-intake", record["version"])
        from workflows.intake import FormRecord, submit_case

        case, code = submit_case(
            definition=definition,
            form_record=FormRecord("sa-intake", int(record["version"]),
                                   definition.definition_hash()),
            answers={"destination_country": "SA", "consent_case_work": True,
                     "narrative": "لم يُدفع راتبي منذ ثلاثة أشهر"},
            files=None, language="ar", reporter={}, repo=svc.cases, sealer=svc.sealer,
            attachments_store=svc.attachments, identity_secret=svc.identity_secret,
            now=datetime.now(UTC))
        case = svc.workflow.route(case["_id"])
        coordinator = {"id": "u_coordinator", "roles": ["coordinator"], "org_id": None,
                       "countries": []}
        ReporterChannel(svc.workflow, svc.sealer, svc.attachments).ask(
            case, coordinator, "متى دفع لك صاحب العمل آخر مرة؟", wait=True,
            expected_version=case["version"])
    _open_status(phone, server, case["reference"], code)
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("html").get_attribute("lang") == "ar"
    assert "متى دفع لك صاحب العمل آخر مرة؟" in phone.locator(".conversation").inner_text()
    _fits(phone)
    phone.screenshot(path=str(shots / "status-6-arabic.png"), full_page=True)
