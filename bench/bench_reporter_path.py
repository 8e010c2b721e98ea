"""How long is the shortest complete report, on a phone? For every shipped country form.

    python -m bench.bench_reporter_path            # every country form, its first language
    python -m bench.bench_reporter_path --form my-intake --lang ms

Serves the app on the embedded store on a loopback port and walks the questionnaire
in Chromium at 360x740 px (Debian's /usr/bin/chromium through Playwright, or
MRVRS_TEST_CHROMIUM), answering only what is required: the country of work where
it is not preselected, the story, the consent to case work. Two ways: "skip" takes
"Skip the optional questions" wherever a step offers it (the shortest complete
report), "next" presses Next on every step. It prints, per form and way:

- screens: how far a thumb scrolls, in viewport heights of 740 px, summed over the
  pages walked: a whole page when the reporter goes on with Next at its foot (and
  for the check page and the receipt); down to the lowest thing touched when they
  skip the optional questions with the button at the top of a step;
- pages: how many pages are loaded;
- actions: the taps and typed fields the reporter must make (Next on every step,
  choosing the country if needed, typing the story, ticking consent, sending);
- an estimate of the time for a person typing a short story, with these
  assumptions (printed with the figures):
  * a short story of STORY_CHARS characters typed at TYPING_CHARS_PER_S on a phone
    (about 20 words a minute, a slow thumb typist);
  * SECONDS_PER_SCREEN to read or skim one screen of questions and decide to skip;
  * SECONDS_PER_TAP for a tap, SECONDS_PER_CHOICE to find a country in a list;
  * no time for page loads (the loopback server answers in milliseconds; on a slow
    network add the page count times the round trip).

Not part of `bench.run_all`: it starts a browser and takes about half a minute.
The target (issue 13) is a minimal report in under 5 minutes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import threading
from dataclasses import asdict, dataclass, field

from werkzeug.serving import make_server

from bench.common import RESULTS

CHROMIUM = os.environ.get("MRVRS_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection"]
VIEWPORT = {"width": 360, "height": 740}
STORY = ("My employer took my passport when I arrived and has not paid my salary for "
         "three months. I work every day from six in the morning until late at night "
         "and I am not allowed to leave the house. I want to go home.")
STORY_CHARS = len(STORY)
TYPING_CHARS_PER_S = 1.7
SECONDS_PER_SCREEN = 8.0
SECONDS_PER_TAP = 1.5
SECONDS_PER_CHOICE = 10.0
TARGET_SECONDS = 300

NEXT = "form[data-step] button[name=go][value=next]"
SKIP = "form[data-step] button[name=go][value=skip]"
SEND = "form[action$='/send'] button[type=submit]"


@dataclass
class Path:
    form: str
    lang: str
    way: str  # "skip": the shortest complete report; "next": Next on every step
    pages: int = 0
    screens: float = 0.0
    taps: int = 0
    choices: int = 0
    typed_fields: int = 0
    seconds: float = 0.0
    per_page: list = field(default_factory=list)  # (page, screens) in the order walked

    @property
    def actions(self) -> int:
        return self.taps + self.choices + self.typed_fields


def _measure(page, path: Path, lowest: float | None = None) -> None:
    """Count the page: all of it, or down to `lowest` (px) when the reporter skips."""
    height = page.evaluate("document.documentElement.scrollHeight")
    read = max(VIEWPORT["height"], lowest) if lowest is not None else height
    name = page.url.rsplit("/", 1)[-1] if "/step/" in page.url else (
        "receipt" if page.locator("#tracking-code").count() else "first step")
    path.per_page.append((name, round(read / VIEWPORT["height"], 1)))
    path.pages += 1
    path.screens += read / VIEWPORT["height"]


def _bottom(page, selector: str) -> float:
    """Where an element ends, in px from the top of the page."""
    return page.locator(selector).first.evaluate(
        "e => e.getBoundingClientRect().bottom + window.scrollY")


def _press(page, selector: str, path: Path) -> None:
    with page.expect_navigation():
        page.locator(selector).click()
    path.taps += 1


def _answer(page, path: Path, destination: str) -> list[str]:
    """Only what is required; a country of origin's form is filed as if about its own
    country (any country passes, and choosing one costs the same). Returns what was
    touched."""
    touched = []
    country = page.locator("#destination_country")
    if country.count() and not country.input_value():
        country.select_option(destination)
        path.choices += 1
        touched.append("#destination_country")
    if page.locator("#narrative").count():
        page.locator("#narrative").fill(STORY)
        path.typed_fields += 1
        touched.append("#narrative")
    if page.locator("#consent_case_work").count():
        page.locator("#consent_case_work").check()
        path.taps += 1
        touched.append("#consent_case_work")
    return touched


def walk(page, url: str, form_id: str, lang: str, destination: str, way: str) -> Path:
    path = Path(form_id, lang, way)
    page.goto(url)
    for _ in range(30):
        if page.locator(SEND).count():
            _measure(page, path)
            _press(page, SEND, path)
            page.wait_for_selector("#tracking-code")
            _measure(page, path)
            break
        touched = _answer(page, path, destination)
        button = SKIP if way == "skip" and page.locator(SKIP).count() else NEXT
        lowest = max(_bottom(page, s) for s in [*touched, button]) if button == SKIP else None
        _measure(page, path, lowest)
        _press(page, button, path)
    else:
        raise RuntimeError(f"{form_id}: the last step was never reached")
    path.seconds = (math.ceil(path.screens) * SECONDS_PER_SCREEN + path.taps * SECONDS_PER_TAP
                    + path.choices * SECONDS_PER_CHOICE + STORY_CHARS / TYPING_CHARS_PER_S)
    return path


def _forms(app, only: str | None, lang: str | None) -> list[tuple[str, str, str]]:
    svc = app.extensions["mrvrs"]
    found = []
    for record in svc.forms.list_latest():
        definition = svc.forms.definition(record["form_id"], int(record["version"]))
        if definition.country and (only is None or definition.id == only):
            found.append((definition.id, lang or definition.default_language,
                          definition.country))
    return sorted(found)


def run(only: str | None = None, lang: str | None = None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from app import create_app
    from config.settings import load_settings

    # One visitor walking every form twice is far past the limits meant for one person.
    app = create_app(load_settings({"MRVRS_ENV": "test",
                                    "MRVRS_RATE_LIMIT_PUBLIC": "1000 per minute",
                                    "MRVRS_RATE_LIMIT_DRAFT": "10000 per minute"}))
    with app.app_context():
        app.extensions["mrvrs"].forms.publish_shipped()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    paths = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=ARGS)
            for form_id, tag, country in _forms(app, only, lang):
                for way in ("skip", "next"):
                    context = browser.new_context(viewport=VIEWPORT, is_mobile=True,
                                                  has_touch=True)
                    paths.append(walk(context.new_page(), f"{base}/report/{form_id}/{tag}",
                                      form_id, tag, country, way))
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return paths


def report(paths: list[Path]) -> str:
    lines = [(f"assumptions: story {STORY_CHARS} characters at {TYPING_CHARS_PER_S} chars/s, "
             f"{SECONDS_PER_SCREEN} s per screen, {SECONDS_PER_TAP} s per tap, "
             f"{SECONDS_PER_CHOICE} s per list choice; viewport "
             f"{VIEWPORT['width']}x{VIEWPORT['height']} px"),
             (f"{'form':<12} {'lang':<8} {'way':<5} {'pages':>5} {'screens':>8} {'taps':>5} "
             f"{'choices':>7} {'typed':>5} {'actions':>7} {'minutes':>7}  under 5 min")]
    for p in paths:
        lines.append(f"{p.form:<12} {p.lang:<8} {p.way:<5} {p.pages:>5} {p.screens:>8.1f} {p.taps:>5} "
                     f"{p.choices:>7} {p.typed_fields:>5} {p.actions:>7} "
                     f"{p.seconds / 60:>7.1f}  {'yes' if p.seconds < TARGET_SECONDS else 'NO'}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", help="one form id (default: every shipped country form)")
    parser.add_argument("--lang", help="the language to walk it in (default: the form's first)")
    parser.add_argument("--pages", action="store_true", help="also print the screens of each page")
    args = parser.parse_args()
    paths = run(args.form, args.lang)
    print(report(paths))
    for path in paths if args.pages else []:
        print(f"{path.form} ({path.way}): " + ", ".join(f"{name} {screens}" for name, screens in path.per_page))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reporter_path.json").write_text(json.dumps(
        [{**asdict(p), "actions": p.actions} for p in paths], indent=2))


if __name__ == "__main__":
    main()
