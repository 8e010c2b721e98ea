"""The language switch in the page header, pressed on a questionnaire step on a phone:
what was typed on the page (not yet saved by Next) is kept, in Malay (left to right)
and on the Arabic form of Saudi Arabia, whose other language is English."""

import pytest

from tests.browser.axe import assert_no_axe_violations
from tests.browser.reporting import NEXT, press, step_of

CASES = [("my-intake", "en", "ms", "My employer keeps my passport."),
         ("sa-intake", "ar", "en", "صاحب العمل يحتفظ بجواز سفري.")]


@pytest.mark.parametrize(("form_id", "lang", "other", "story"), CASES)
def test_header_switch_mid_step__keeps_the_story_typed(demo_server, phone, form_id, lang,
                                                       other, story):
    base = demo_server[0].url
    phone.goto(f"{base}/report/{form_id}/{lang}")
    if phone.locator("#start-again").count():
        press(phone, "#start-again")
    while step_of(phone) != "what_happened":
        press(phone, NEXT)
    phone.locator("#narrative").fill(story)
    phone.locator("#lang-switch").select_option(other)
    press(phone, "header button[value=interface]")
    assert phone.url.endswith(f"/report/{form_id}/{other}/step/what_happened")
    assert phone.locator("html").get_attribute("lang") == other
    assert phone.locator("#narrative").input_value() == story
    assert_no_axe_violations(phone, f"{form_id} {other} after the switch")
