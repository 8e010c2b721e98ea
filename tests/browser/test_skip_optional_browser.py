"""The shortest complete report on a 360x740 phone: "Skip the optional questions"
leads from the first step to the story, from the story to consent, then to the check
page; Enter in a text field still means Next. Checked with axe-core in Malay (left to
right) and Arabic (right to left)."""

import pytest

from tests.browser.axe import assert_no_axe_violations
from tests.browser.reporting import NEXT, PHONE, SEND, SKIP, press, step_of

STORIES = {"ms": "Majikan saya menyimpan pasport saya dan tidak membayar gaji saya.",
           "ar": "صاحب العمل يحتفظ بجواز سفري ولم يدفع راتبي منذ ثلاثة أشهر."}
FORMS = {"ms": "my-intake", "ar": "sa-intake"}


def test_enter_in_a_text_field__means_next_not_skip(demo_server, phone):
    phone.goto(f"{demo_server[0].url}/report/my-intake/en")
    assert phone.locator(SKIP).is_visible()
    with phone.expect_navigation():
        phone.locator("#full_name").press("Enter")
    assert step_of(phone) == "where"


@pytest.mark.parametrize("lang", ["ms", "ar"])
def test_minimal_report__skipping_the_optional_questions(demo_server, phone, lang):
    phone.goto(f"{demo_server[0].url}/report/{FORMS[lang]}/{lang}")
    walked = []
    for _ in range(8):
        step = step_of(phone)
        walked.append(step)
        assert_no_axe_violations(phone, f"{lang} {step}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if step == "check":
            press(phone, SEND)
            break
        if phone.locator("#narrative").count():
            phone.locator("#narrative").fill(STORIES[lang])
        if phone.locator("#consent_case_work").count():
            phone.locator("#consent_case_work").check()
        skip = phone.locator(SKIP)
        if skip.count():  # at the top of the page: in the first screen
            assert skip.bounding_box()["y"] < PHONE["height"], step
        press(phone, SKIP if skip.count() else NEXT)
    assert walked == ["person", "what_happened", "consent", "check"]
    assert phone.locator("#tracking-code").inner_text().strip()
    assert phone.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
