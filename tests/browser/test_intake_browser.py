"""File reports through Chromium in Arabic (right to left) and Bengali, read their status
with the tracking code, and do the same with JavaScript turned off."""

import pytest

FACTS = "صاحب العمل يحتفظ بجواز سفري ولم يدفع راتبي منذ ثلاثة أشهر. <b>لا</b>"
FACTS_BN = "দালাল আমার কাছ থেকে টাকা নিয়েছে কিন্তু কোনো কাজ দেয়নি।"


@pytest.fixture
def server(demo_server):
    return demo_server[0]


def _file(page, server, form_id, lang, narrative, destination):
    page.goto(server.url + "/report")
    page.locator(f'li[data-form="{form_id}"] a[hreflang="{lang}"]').click()
    page.wait_for_url(f"{server.url}/report/{form_id}/{lang}")
    page.locator("#destination_country").select_option(destination)
    page.locator("#narrative").fill(narrative)
    page.locator("#acts-0").check()
    page.locator("#consent_case_work").check()
    page.locator("form[data-questionnaire] button[type=submit]").click()
    page.wait_for_selector("#tracking-code")
    return page.locator("#case-reference").inner_text(), page.locator("#tracking-code").inner_text()


def _status(page, server, reference, code):
    page.goto(server.url + "/status")
    page.locator("#reference").fill(reference)
    page.locator("#code").fill(code)
    page.locator("input[type=submit]").click()
    return page.locator(".stage").first


def test_arabic_report__right_to_left__and_status_with_code(server, page):
    page.goto(server.url + "/report/sa-intake/ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("#quick-exit").inner_text() == "غادر هذه الصفحة بسرعة"
    recent = page.locator("#q-sexual_violence_recent")
    assert recent.is_hidden()  # revealed progressively by show-if.js
    assert page.locator("#sexual_violence-0").is_checked() is False  # nothing preselected
    page.locator("#sexual_violence-0").check()  # نعم (yes)
    assert recent.is_visible()
    page.locator("#sexual_violence-2").check()  # أفضّل عدم الإجابة (prefer not to say)
    assert recent.is_hidden()
    reference, code = _file(page, server, "sa-intake", "ar", FACTS, "SA")
    assert reference.startswith("SA-") and len(code) == 24
    assert page.locator("html").get_attribute("dir") == "rtl"
    stage = _status(page, server, reference, code)
    assert stage.get_attribute("lang") == "ar" and stage.get_attribute("dir") == "rtl"
    assert stage.inner_text().strip()
    assert page.locator("h1").inner_text() == "متابعة بلاغ"


def test_bengali_report__and_status_with_code(server, page):
    reference, code = _file(page, server, "bd-intake", "bn", FACTS_BN, "SA")
    assert page.locator("html").get_attribute("lang") == "bn"
    assert page.locator("h1").inner_text() == "ধন্যবাদ। আপনার অভিযোগ গৃহীত হয়েছে।"
    stage = _status(page, server, reference, code.lower())
    assert stage.get_attribute("lang") == "bn"
    assert stage.get_attribute("data-stage") in ("submitted", "in_review")


def test_without_javascript__every_question_shown_and_filing_works(server, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(server.url + "/report/sa-intake/ar")
        assert page.locator("#q-sexual_violence_recent").is_visible()
        reference, code = _file(page, server, "sa-intake", "ar", FACTS, "SA")
        stage = _status(page, server, reference, code)
        assert stage.get_attribute("lang") == "ar"
    finally:
        context.close()


def test_refused_answers__shown_beside_fields_in_the_form_language(server, page):
    page.goto(server.url + "/report/bd-intake/bn")
    page.locator("form[data-questionnaire] button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert "এই প্রশ্নের উত্তর দিতে হবে।" in page.locator("#e-narrative").inner_text()
