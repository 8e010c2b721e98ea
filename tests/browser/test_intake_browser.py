"""File reports step by step through Chromium on a 360x740 phone, in Arabic (right to
left), Malay and Bengali; switch the form's language half-way and lose nothing; leave
quickly and leave nothing behind; read the status with the tracking code; do the same
with JavaScript turned off. The full reports and the language switch check every page
they see with axe-core (0 violations of any impact) and weigh it (at most 150 KB read,
30 KB sent), printing the figures."""

import os
import tempfile
from pathlib import Path

import pytest

from tests.browser.axe import accessible_and_light, without_cache
from tests.browser.reporting import NEXT, PHONE, answer_minimum, press, step_of, walk_report

FACTS = "صاحب العمل يحتفظ بجواز سفري ولم يدفع راتبي منذ ثلاثة أشهر. <b>لا</b>"
FACTS_MS = "Majikan saya menyimpan pasport saya dan tidak membayar gaji selama tiga bulan."
FACTS_BN = "দালাল আমার কাছ থেকে টাকা নিয়েছে কিন্তু কোনো কাজ দেয়নি।"
EXIT_PATH = "/healthz?outside"
SHOTS = Path(os.environ.get("MRVRS_SCREENSHOTS", tempfile.gettempdir())) / "mrvrs-screenshots"


@pytest.fixture
def server(demo_server):
    """The demo server, its quick exit landing on a page of its own: nothing may leave
    the machine, and Chromium does not let a test answer for a redirect's target."""
    server = demo_server[0]
    svc = server.app.extensions["mrvrs"]
    before = svc.settings
    svc.settings = before.with_overrides(quick_exit_url=server.url + EXIT_PATH)
    yield server
    svc.settings = before


def _narrow(page, step):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], step


def _status(page, server, reference, code):
    page.goto(server.url + "/status")
    page.locator("#reference").fill(reference)
    page.locator("#code").fill(code)
    page.locator("input[type=submit]").click()
    return page.locator(".stage").first


def test_arabic_report__step_by_step_right_to_left__and_status_with_code(server, phone):
    seen = []
    without_cache(phone)  # every page weighed as on a first visit

    def look(page, step):
        seen.append(step)
        assert page.locator("html").get_attribute("dir") == "rtl", step
        assert page.locator("html").get_attribute("lang") == "ar", step
        _narrow(page, step)
        accessible_and_light(page, f"ar step {len(seen)}: {step}")
        if step in ("person", "what_happened", "check"):
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"steps-ar-{step}.png"), full_page=False)
        if step == "hard_to_talk_about":  # questions within a step: revealed by show-if.js
            recent = page.locator("#q-sexual_violence_recent")
            assert recent.is_hidden()
            page.locator("#sexual_violence-0").check()
            assert recent.is_visible()
            page.locator("#sexual_violence-2").check()
            assert recent.is_hidden()

    phone.goto(server.url + "/report")
    phone.locator('li[data-form="sa-intake"] a[hreflang="ar"]').click()
    phone.wait_for_url(f"{server.url}/report/sa-intake/ar")
    assert phone.locator("#quick-exit").inner_text() == "غادر هذه الصفحة بسرعة"
    reference, code = walk_report(phone, server.url + "/report/sa-intake/ar",
                                  destination="SA", narrative=FACTS, on_step=look)
    assert seen[0] == "person" and seen[-1] == "check" and len(seen) == 11
    assert reference.startswith("SA-") and len(code) == 24
    assert phone.locator("html").get_attribute("dir") == "rtl"
    accessible_and_light(phone, "ar receipt")
    stage = _status(phone, server, reference, code)
    assert stage.get_attribute("lang") == "ar" and stage.get_attribute("dir") == "rtl"


def test_malay_report__step_by_step_left_to_right(server, phone):
    seen = []
    without_cache(phone)

    def look(page, step):
        seen.append(step)
        assert page.locator("html").get_attribute("lang") == "ms", step
        assert page.locator("html").get_attribute("dir") == "ltr", step
        _narrow(page, step)
        accessible_and_light(page, f"ms step {len(seen)}: {step}")
        if step == "check":
            assert FACTS_MS in page.locator("main").inner_text()
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / "steps-ms-check.png"), full_page=True)

    reference, code = walk_report(phone, server.url + "/report/my-intake/ms",
                                  destination="MY", narrative=FACTS_MS, on_step=look)
    assert reference.startswith("MY-") and code
    assert seen[0] == "person" and seen[-1] == "check"
    accessible_and_light(phone, "ms receipt")


def test_language_switch_mid_form__keeps_every_answer(server, phone):
    without_cache(phone)
    phone.goto(server.url + "/report/my-intake/en")
    if phone.locator("#start-again").count():
        press(phone, "#start-again")
    accessible_and_light(phone, "en person")
    phone.locator("#full_name").fill("Siti")
    press(phone, NEXT)
    accessible_and_light(phone, "en where")
    answer_minimum(phone, "MY", FACTS_MS)
    press(phone, NEXT)
    press(phone, NEXT)  # "when": nothing
    assert step_of(phone) == "what_happened"
    accessible_and_light(phone, "en what_happened")
    phone.locator("#narrative").fill(FACTS_MS)  # typed, not yet saved
    press(phone, "button[name=go][value='lang:ms']")
    assert phone.url.endswith("/report/my-intake/ms/step/what_happened")
    assert phone.locator("html").get_attribute("lang") == "ms"
    assert phone.locator("#narrative").input_value() == FACTS_MS
    accessible_and_light(phone, "ms what_happened, after the switch")
    phone.locator(".step-list summary").click()  # the list of steps, folded
    accessible_and_light(phone, "ms what_happened, list of steps open")
    press(phone, "button[name=go][value='step:person']")
    assert phone.locator("#full_name").input_value() == "Siti"
    accessible_and_light(phone, "ms person")
    phone.locator(".step-list summary").click()
    press(phone, "button[name=go][value='step:where']")
    assert phone.locator("#destination_country").input_value() == "MY"
    accessible_and_light(phone, "ms where")


def test_escape_in_a_text_box_stays__twice_outside_leaves_and_erases_the_draft(server,
                                                                                phone):
    phone.goto(server.url + "/report/my-intake/en/step/what_happened")
    phone.locator("#narrative").fill(FACTS_MS)
    phone.locator("#narrative").press("Escape")
    phone.locator("#narrative").press("Escape")
    assert phone.url.endswith("/step/what_happened")
    assert phone.locator("#narrative").input_value() == FACTS_MS
    press(phone, "button[name=go][value=back]")  # saved: a draft now exists
    phone.goto(server.url + "/report/my-intake/en")
    assert phone.locator("#continue").is_visible()  # offered to resume
    phone.locator("h1").click()
    phone.keyboard.press("Escape")
    with phone.expect_navigation(url="**/healthz?outside"):
        phone.keyboard.press("Escape")
    phone.goto(server.url + "/report/my-intake/en")
    assert phone.locator("#continue").count() == 0  # nothing left on this device
    assert phone.locator("#step-heading").is_visible()
    phone.goto(server.url + "/report/my-intake/en/step/what_happened")
    assert phone.locator("#narrative").input_value() == ""


def test_quick_exit_button__replaces_the_page_and_earlier_pages_show_nothing(server, phone):
    phone.goto(server.url + "/report")
    phone.goto(server.url + "/report/my-intake/en/step/what_happened")
    phone.locator("#narrative").fill(FACTS_MS)
    press(phone, "button[name=go][value=back]")
    with phone.expect_navigation(url="**/healthz?outside"):
        phone.locator("#quick-exit").click()
    phone.go_back()  # the page left is replaced; the one before it is reloaded, empty
    assert phone.url.endswith("/step/what_happened")
    assert phone.locator("#narrative").input_value() == ""


def test_bengali_report__and_status_with_code(server, page):
    reference, code = walk_report(page, server.url + "/report/bd-intake/bn",
                                  destination="SA", narrative=FACTS_BN)
    assert page.locator("html").get_attribute("lang") == "bn"
    assert page.locator("h1").inner_text() == "ধন্যবাদ। আপনার অভিযোগ গৃহীত হয়েছে।"
    stage = _status(page, server, reference, code.lower())
    assert stage.get_attribute("lang") == "bn"
    assert stage.get_attribute("data-stage") in ("submitted", "in_review")


def test_without_javascript__every_question_shown_and_filing_works(server, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(server.url + "/report/sa-intake/ar/step/hard_to_talk_about")
        assert page.locator("#q-sexual_violence_recent").is_visible()
        reference, code = walk_report(page, server.url + "/report/sa-intake/ar",
                                      destination="SA", narrative=FACTS)
        stage = _status(page, server, reference, code)
        assert stage.get_attribute("lang") == "ar"
    finally:
        context.close()


def test_refused_answers__shown_beside_fields_in_the_form_language(server, phone):
    page = phone
    page.goto(server.url + "/report/bd-intake/bn/step/what_happened")
    press(page, NEXT)
    page.wait_for_selector(".error-summary")
    assert "এই প্রশ্নের উত্তর দিতে হবে।" in page.locator("#e-narrative").inner_text()
    assert page.locator("#narrative").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    _narrow(page, "what_happened with errors")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "steps-bn-errors.png"))


def test_dropped_connection__answers_there_on_return(server, phone):
    phone.goto(server.url + "/report/my-intake/ms/step/what_happened")
    phone.locator("#narrative").fill(FACTS_MS)
    press(phone, NEXT)  # saved on the server with this step
    phone.context.set_offline(True)
    try:
        phone.locator(NEXT).click()
        phone.wait_for_timeout(500)
    finally:
        phone.context.set_offline(False)
    phone.goto(server.url + "/report/my-intake/ms")  # coming back later, same phone
    assert phone.locator("#continue").is_visible() and phone.locator("#start-again").is_visible()
    with phone.expect_navigation():
        phone.locator("#continue").click()
    assert step_of(phone) == "hard_to_talk_about"
    phone.goto(server.url + "/report/my-intake/ms/step/what_happened")
    assert phone.locator("#narrative").input_value() == FACTS_MS
