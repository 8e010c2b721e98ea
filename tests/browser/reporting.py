"""Walk the public questionnaire step by step in Chromium, as a reporter on a phone does."""

from __future__ import annotations

from collections.abc import Callable

#: A low-end phone held upright, as reporters file: every public journey is walked at it.
PHONE = {"width": 360, "height": 740}
NEXT = "form[data-step] button[name=go][value=next]"
SKIP = "form[data-step] button[name=go][value=skip]"
SEND = "form[action$='/send'] button[type=submit]"


def step_of(page) -> str:
    """The step on screen: a section id, "evidence", or "check" (the last page)."""
    if page.locator(SEND).count():
        return "check"
    return page.locator("form[data-step]").get_attribute("data-step")


def press(page, selector: str) -> None:
    """Press a button that posts the form, and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).click()


def answer_minimum(page, destination: str, narrative: str) -> None:
    """The required answers, where this step asks them (and one ticked act)."""
    if page.locator("#destination_country").count():
        page.locator("#destination_country").select_option(destination)
    if page.locator("#narrative").count():
        page.locator("#narrative").fill(narrative)
        page.locator("#acts-0").check()
    if page.locator("#consent_case_work").count():
        page.locator("#consent_case_work").check()


def walk_to_check(page, url: str, *, destination: str, narrative: str,
                  on_step: Callable[[object, str], None] | None = None) -> None:
    """Open the form at `url` (starting again if a draft is offered) and answer the
    minimum step by step up to the check page, where it stops, nothing sent.

    `on_step(page, step)` runs on every step before it is left, not on the check page.
    """
    page.goto(url)
    if page.locator("#start-again").count():
        press(page, "#start-again")
    for _ in range(30):
        step = step_of(page)
        if step == "check":
            return
        if on_step is not None:
            on_step(page, step)
        answer_minimum(page, destination, narrative)
        press(page, NEXT)
    raise AssertionError("the questionnaire never reached its last step")


def receipt_of(page) -> tuple[str, str]:
    """(reference, tracking code) from the receipt on screen."""
    page.wait_for_selector("#tracking-code")
    return (page.locator("#case-reference").inner_text().strip(),
            page.locator("#tracking-code").inner_text().strip())


def walk_report(page, url: str, *, destination: str, narrative: str,
                on_step: Callable[[object, str], None] | None = None) -> tuple[str, str]:
    """Open the form at `url`, answer the minimum step by step, check, send.

    Returns (reference, tracking code). `on_step(page, step)` runs on every page
    before it is left, the check page included (for screenshots and assertions).
    """
    walk_to_check(page, url, destination=destination, narrative=narrative, on_step=on_step)
    if on_step is not None:
        on_step(page, "check")
    press(page, SEND)
    return receipt_of(page)
