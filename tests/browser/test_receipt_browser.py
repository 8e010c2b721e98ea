"""A receipt that cannot be lost, in Chromium at 360 x 740 px: the reporter walks the
questionnaire step by step and presses send on the check page; the connection drops
after the server stored the report, the reporter sends again, sees the receipt, and the
code shown opens the status page; the receipt offers copy, print and a picture to save."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.reporting import PHONE, SEND, press, receipt_of, walk_to_check

SHOTS = Path(os.environ.get("MRVRS_TEST_SCREENSHOTS", "/tmp/mrvrs-screenshots"))
SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def server(demo_server):
    return demo_server[0]


NARRATIVE = "My employer keeps my passport and has not paid me."


def _to_check_page(page, server, url, destination="MY"):
    """Every step answered (the minimum), and the check page on screen, nothing sent."""
    walk_to_check(page, server.url + url, destination=destination, narrative=NARRATIVE)
    assert page.locator(SEND).is_visible()


def _status_opens(page, server, reference, code) -> bool:
    page.goto(server.url + "/status")
    page.locator("#reference").fill(reference)
    page.locator("#code").fill(code)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    return page.locator(".stage").count() > 0


def test_connection_drops_after_filing__sending_again_gives_a_working_code(server, phone):
    page = phone
    _to_check_page(page, server, "/report/my-intake/en")
    send_url = page.locator("form[action$='/send']").evaluate("form => form.action")
    assert send_url == server.url + "/report/my-intake/en/send"
    stored = []

    def drop_after_storing(route):
        if route.request.method == "POST" and not stored:
            stored.append(route.fetch())  # the server stores the report...
            route.abort("internetdisconnected")  # ...and the receipt never arrives
        else:
            route.continue_()

    page.route(send_url, drop_after_storing)
    page.locator(SEND).click()
    # What a phone shows when the network drops: the browser's own error page.
    page.wait_for_url(lambda address: address.startswith("chrome-error:"), wait_until="commit")
    assert stored and stored[0].status == 200  # the lost answer was a receipt
    assert page.locator("#tracking-code").count() == 0
    lost_code = stored[0].text().split('id="tracking-code">')[1].split("<")[0]
    page.screenshot(path=str(SHOTS / "receipt-0-connection-lost.png"), full_page=True)

    page.reload()  # the reporter sends again: the browser posts the check page's form once more
    assert page.url == send_url
    reference, code = receipt_of(page)
    assert code != lost_code and reference.startswith("MY-")
    assert "any code shown to you earlier no longer works" in page.locator("#resent-note").inner_text()
    page.screenshot(path=str(SHOTS / "receipt-1-sent-again.png"), full_page=True)
    assert_no_axe_violations(page, "receipt shown again")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    assert _status_opens(page, server, reference, code)
    page.screenshot(path=str(SHOTS / "receipt-2-status.png"), full_page=True)
    assert not _status_opens(page, server, reference, lost_code)


def test_receipt__copy_print_and_image(server, phone):
    page = phone
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    _to_check_page(page, server, "/report/my-intake/en")
    press(page, SEND)
    reference, code = receipt_of(page)

    copy, printing = page.locator("#copy-receipt"), page.locator("#print-receipt")
    assert copy.is_visible() and printing.is_visible()
    copy.click()
    expect(page.locator("#copy-status")).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert reference in copied and code in copied

    page.evaluate("window.print = () => { window.printed = true; }")
    printing.click()
    assert page.evaluate("window.printed") is True

    image = page.locator(".receipt-image img")
    assert page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) > 0
    link = page.locator("#save-image")
    assert link.get_attribute("download") == f"{reference}.png"
    href = link.get_attribute("href")
    assert href.startswith("data:image/png;base64,")
    Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1]))).load()
    with page.expect_download() as saving:
        link.click()
    with Image.open(saving.value.path()) as saved:
        assert saved.format == "PNG" and saved.width >= 600
    page.screenshot(path=str(SHOTS / "receipt-3-receipt.png"), full_page=True)

    page.emulate_media(media="print")
    assert page.locator("#tracking-code").is_visible()
    assert page.locator(".site-header").is_hidden() and page.locator("#copy-receipt").is_hidden()
    assert page.locator(".receipt-image").is_hidden()
    page.screenshot(path=str(SHOTS / "receipt-4-print.png"), full_page=True)


def test_receipt_without_javascript__says_how_to_print_and_saves_as_image(server, browser):
    context = browser.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        _to_check_page(page, server, "/report/sa-intake/ar", destination="SA")
        press(page, SEND)
        receipt_of(page)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("#copy-receipt").is_hidden()
        assert page.locator("#print-help").is_visible()
        assert page.locator("#save-image").is_visible()
        page.screenshot(path=str(SHOTS / "receipt-5-no-js-arabic.png"), full_page=True)
    finally:
        context.close()
