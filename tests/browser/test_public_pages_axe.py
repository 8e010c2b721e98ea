"""Every public page on a 360x740 phone, in Malay (left to right) and Arabic (right to left):
0 axe-core violations of any impact, and at most 150 KB as read and 30 KB as sent
(the document and the CSS, scripts, fonts and images it loads). Prints the figures.

The questionnaire is walked step by step: every step page, a step refused with its
errors, the offer to resume a draft, the check page, then the receipt."""

from __future__ import annotations

import pytest

from tests.browser.axe import (
    MAX_COMPRESSED,
    MAX_UNCOMPRESSED,
    Weight,
    axe_violations,
    describe,
    page_weight,
    without_cache,
)
from tests.browser.reporting import NEXT, SEND, answer_minimum, press, receipt_of, step_of

#: language -> (a form in that language, the country of work chosen on it)
LANGUAGES = {"ms": ("my-intake", "MY"), "ar": ("sa-intake", "SA")}
NARRATIVE = {"ms": "Ejen mengambil pasport saya dan gaji saya tidak dibayar sejak Mac.",
             "ar": "صاحب العمل يحتفظ بجواز سفري ولم يدفع راتبي منذ ثلاثة أشهر."}


class Walk:
    """The pages seen so far, each with its weight and axe's violations."""

    def __init__(self, page, url: str):
        self.page, self.url = page, url
        self.seen: list[tuple[str, Weight, list[dict]]] = []

    def go(self, path: str) -> None:
        self.page.goto(self.url + path)

    def check(self, name: str) -> None:
        weight = page_weight(self.page)  # before axe-core is added to the page
        self.seen.append((name, weight, axe_violations(self.page)))

    def submit(self, form: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"{form} [type=submit]").last.click()

    def names(self) -> list[str]:
        return [name for name, _, _ in self.seen]

    def table(self) -> str:
        rows = [f"{'page':38} {'read KB':>8} {'sent KB':>8} {'files':>5} {'axe':>4}"]
        for name, weight, violations in self.seen:
            rows.append(f"{name:38} {weight.uncompressed / 1024:8.1f} "
                        f"{weight.compressed / 1024:8.1f} {weight.resources + 1:5} "
                        f"{len(violations):4}")
        return "\n".join(rows)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="en-GB")
    page = context.new_page()
    without_cache(page)  # each page weighed as on a first visit
    yield page
    context.close()


def _file_report(walk: Walk, form_id: str, lang: str) -> tuple[str, str]:
    """Walk the questionnaire from its first step to the receipt, checking every page:
    each step, the story step refused (nothing typed yet), the offer to resume the
    draft (after the second step), the check page."""
    page, country = walk.page, LANGUAGES[lang][1]
    walk.go(f"/report/{form_id}/{lang}")
    walked = []
    for _ in range(30):
        step = step_of(page)
        walked.append(step)
        walk.check(f"step {len(walked)}: {step}")
        if step == "check":
            break
        if page.locator("#narrative").count() and "step with errors" not in walk.names():
            press(page, NEXT)  # the story is required: refused, shown with its errors
            assert page.locator(".error-summary").is_visible()
            assert page.locator("#narrative").get_attribute("aria-invalid") == "true"
            walk.check("step with errors")
        answer_minimum(page, country, NARRATIVE[lang])
        press(page, NEXT)
        if len(walked) == 2:  # a draft exists: coming back to the form offers to resume it
            walk.go(f"/report/{form_id}/{lang}")
            assert page.locator("#continue").is_visible()
            walk.check("resume (Continue your report?)")
            press(page, "#continue")
    assert walked[-1] == "check" and len(walked) > 5, walked
    assert "step with errors" in walk.names()
    press(page, SEND)
    return receipt_of(page)


def _status(walk: Walk, reference: str, code: str) -> None:
    walk.go("/status")
    walk.page.locator("#reference").fill(reference)
    walk.page.locator("#code").fill(code)
    walk.submit("main form")


def _walk_public_path(walk: Walk, lang: str, reporter) -> None:
    form_id, _ = LANGUAGES[lang]
    walk.go(f"/language?lang={lang}&next=/")
    walk.check("home")
    walk.go("/report")
    walk.check("form chooser")
    reference, code = _file_report(walk, form_id, lang)
    walk.check("receipt")
    walk.go("/status")
    walk.check("status")
    walk.submit("main form")
    walk.check("status with errors")
    _status(walk, reference, "AAAA-BBBB-CCCC-DDDD-EEEE")
    walk.check("status, nothing found")
    _status(walk, reference, code)
    walk.check("status with a result")
    walk.go("/no-such-page")
    walk.check("error 404")
    walk.go("/auth/login")
    walk.check("sign-in")
    walk.page.locator("#email").fill("nobody@example.org")
    walk.page.locator("#password").fill("not the password")
    walk.submit("main form")
    walk.check("sign-in refused")
    walk.page.locator("#email").fill(reporter.email)
    walk.page.locator("#password").fill(reporter.password)
    walk.submit("main form")
    walk.go("/my-reports")
    walk.check("my reports (reporter)")
    walk.submit("form.inline")  # sign out


@pytest.fixture
def fresh_limits(demo_server):
    """The walk signs in twice (refused, then the reporter): on the session's shared
    server, earlier tests' sign-ins (test_navigation: one per role) would otherwise
    use up the per-minute sign-in limit and the walk would meet a 429 instead of the
    page it checks. The limits themselves are tested in tests/web."""
    demo_server[0].app.extensions["mrvrs_limiter"].reset()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_public_pages__no_axe_violations__and_light(demo_server, fresh_limits, phone, lang):
    server, accounts = demo_server
    walk = Walk(phone, server.url)
    _walk_public_path(walk, lang, accounts["reporter"])
    print(f"\npublic pages in {lang} at 360x740 (limits: {MAX_UNCOMPRESSED // 1024} KB read, "
          f"{MAX_COMPRESSED // 1024} KB sent)\n{walk.table()}")
    problems = [f"--- {name}:\n{describe(violations)}"
                for name, _, violations in walk.seen if violations]
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
    heavy = [(name, weight) for name, weight, _ in walk.seen
             if weight.uncompressed > MAX_UNCOMPRESSED or weight.compressed > MAX_COMPRESSED]
    assert not heavy, f"pages over the limits: {heavy}"


def test_every_questionnaire_in_every_language__no_axe_violations__and_light(demo_server,
                                                                             phone):
    """Each form and language the chooser offers: other scripts, other lengths."""
    server, _ = demo_server
    walk = Walk(phone, server.url)
    walk.go("/report")
    links = phone.locator("ul.langs a[hreflang]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert len(links) > 10
    for href in links:
        walk.go(href)
        walk.check(href.removeprefix("/report/"))
    print(f"\nquestionnaires at 360x740\n{walk.table()}")
    problems = [f"--- {name}:\n{describe(violations)}"
                for name, _, violations in walk.seen if violations]
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
    heavy = [(name, weight) for name, weight, _ in walk.seen
             if weight.uncompressed > MAX_UNCOMPRESSED or weight.compressed > MAX_COMPRESSED]
    assert not heavy, f"pages over the limits: {heavy}"
