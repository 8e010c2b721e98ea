"""The public home and the form chooser on a 360 x 740 phone, in Burmese and Nepali as a
browser set to those languages gets them: the two public actions come first, the
script renders, nothing scrolls sideways, and it all works without JavaScript.

Screenshots are written to MRVRS_SCREENSHOTS (default: pytest's temporary folder) so a
person can look at the script."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

WIDTH, HEIGHT = 360, 740


@pytest.fixture
def server(demo_server):
    return demo_server[0]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("MRVRS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _phone(browser, locale: str, javascript: bool = True):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale=locale,
                                  java_script_enabled=javascript)
    return context, context.new_page()


def _inside_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] + box["height"] <= HEIGHT and box["width"] <= WIDTH


def _glyphs_drawn(page, selector: str) -> bool:
    """True when the text is drawn with real glyphs: a missing font shows every
    character as the same empty box, so two different words measure the same."""
    return page.evaluate("""(selector) => {
        const element = document.querySelector(selector);
        const probe = (text) => {
            const span = document.createElement('span');
            span.textContent = text;
            span.style.font = getComputedStyle(element).font;
            document.body.appendChild(span);
            const width = span.getBoundingClientRect().width;
            span.remove();
            return width;
        };
        return probe(element.textContent) > 0
            && probe('\\u1000\\u1000\\u1000') !== probe('\\u1019\\u103c\\u1014\\u103a');
    }""", selector)


@pytest.mark.parametrize(("locale", "lang"), [("my-MM", "my"), ("ne-NP", "ne")])
def test_home__report_and_check_first_on_a_phone(browser, server, shots, locale, lang):
    context, page = _phone(browser, locale)
    try:
        page.goto(server.url + "/")
        assert page.locator("html").get_attribute("lang") == lang
        assert _inside_first_screen(page, "#home-report")
        assert _inside_first_screen(page, "#home-check")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        if lang == "my":
            assert _glyphs_drawn(page, "#home-report")
        page.screenshot(path=str(shots / f"home-{lang}-360.png"), full_page=True)
    finally:
        context.close()


def test_chooser__burmese_first_form_is_myanmar_and_no_sideways_scroll(browser, server, shots):
    context, page = _phone(browser, "my-MM")
    try:
        page.goto(server.url + "/report")
        first = page.locator(".forms-list > li").first
        assert first.get_attribute("data-form") == "mm-intake"
        assert first.locator("h2").inner_text() == "မြန်မာ"
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        assert _glyphs_drawn(page, ".forms-list > li .form-description")
        page.screenshot(path=str(shots / "chooser-my-360.png"))
        page.screenshot(path=str(shots / "chooser-my-360-full.png"), full_page=True)
    finally:
        context.close()


def test_home_to_form__without_javascript(browser, server):
    context, page = _phone(browser, "ne-NP", javascript=False)
    try:
        page.goto(server.url + "/")
        page.locator("#home-report").click()
        page.wait_for_url(server.url + "/report")
        page.locator('li[data-form="np-intake"] a[hreflang="ne"]').click()
        page.wait_for_url(server.url + "/report/np-intake/ne")
        assert page.locator("html").get_attribute("lang") == "ne"
        page.goto(server.url + "/")
        page.locator("#home-check").click()
        page.wait_for_url(server.url + "/status")
    finally:
        context.close()
