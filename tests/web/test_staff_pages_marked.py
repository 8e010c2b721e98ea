"""No staff page shows English that did not go through gettext.

How: every message marked in the current source (extracted as `pybabel extract` would)
is "translated" into a pseudo-catalogue whose text is the English wrapped in ⟦ ⟧, and
the app is pointed at that catalogue for one shipped language (Korean, whose form texts,
country names and MWC titles are not in Latin letters). Each staff page is rendered for
the role that works on it; in every text node and visible attribute, the bracketed
parts are removed and any English-looking word left over is a string nobody marked.

Text that is in another language on purpose carries a `lang` attribute (a form label the
viewer's language lacks, a reporter's own words, a language's own name) and is skipped,
as are <code>, <pre>, <textarea> and scripts (data, not interface), and the key an
<option> stores where its text shows it ("Who keeps the passport? (passport_held_by)":
an <option> cannot hold <code>). Data the seed puts on the pages (names of the
organisation and people) is listed in DATA_WORDS; what staff typed, in STAFF_TEXTS. The rule is
robust to changes in the pages: it needs no list of strings and fails with the page and
the text, e.g. `('/admin/users', 'reviewer')` for a role key shown raw.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo

from app.demo_cases import seed_cases
from tests.helpers import PASSWORD
from tests.intake_helpers import publish_shipped
from tests.staff_pages import ROUTING_NOTE, seed_staff_pages

ROOT = Path(__file__).resolve().parents[2]
PSEUDO_TAG = "ko"
OPEN, CLOSE = "⟦", "⟧"
#: Words the seeded data puts on pages (organisations' and registry entities' names):
#: data, not interface.
DATA_WORDS = {"Harbour", "Aid", "Workers", "demo", "MRVRS", "Foods", "Sdn", "Bhd"}
#: What the demo's staff typed (app/demo_cases.py): data in whatever language staff write.
STAFF_TEXTS = {"Lawyer assigned.", "Which agency placed you?", ROUTING_NOTE}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
#: An English word, or a key shown raw (`risk_to_life`); two letters are a language or code.
WORD = re.compile(r"^(?:[A-Za-z][a-z]{2,}|[a-z]+(?:_[a-z]+)+)$")
INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def pseudo_catalogue(folder: Path) -> None:
    """Every message of the source, wrapped in brackets, compiled for PSEUDO_TAG."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(locale=PSEUDO_TAG)
    for package in ("app", "forms", "workflows"):
        for _file, _line, message, _c, _ctx in extract_from_dir(ROOT / package, method_map,
                                                                 options_map):
            if isinstance(message, (tuple, list)):
                catalog.add(tuple(message), tuple(f"{OPEN}{message[-1]}{CLOSE}"
                                                  for _ in range(catalog.num_plurals)))
            elif message:
                catalog.add(message, f"{OPEN}{message}{CLOSE}")
    target = folder / PSEUDO_TAG / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)


class Unmarked(HTMLParser):
    """Collects English words outside gettext's brackets in the page's own language."""

    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = [("", page_lang)]
        self.page_lang = page_lang
        self.found: list[str] = []
        self.option_value = ""
        self.depth = 0  # brackets open across text nodes: a message around a <code>

    def _lang(self) -> str | None:
        return next((lang for _tag, lang in reversed(self.stack) if lang is not None), None)

    def _skipped(self) -> bool:
        return any(tag in SKIPPED_ELEMENTS for tag, _lang in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.stack[0] = ("", attrs.get("lang"))
            return
        if tag == "option":
            self.option_value = attrs.get("value") or ""
        if tag not in VOID:
            self.stack.append((tag, attrs.get("lang")))
        if self._lang() == self.page_lang and not self._skipped():
            for name in VISIBLE_ATTRIBUTES:
                self.check(attrs.get(name))
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.check(attrs.get("value"))
        if tag in VOID:
            return

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        data = self._outside_brackets(data)
        if self._lang() == self.page_lang and not self._skipped():
            if self.option_value and any(tag == "option" for tag, _lang in self.stack):
                data = data.replace(f"({self.option_value})", " ")
            self.check(data)

    def _outside_brackets(self, data: str) -> str:
        """The text of `data` outside every message, counting the brackets a message
        opened in an earlier text node (`⟦the team <code>x</code> was added⟧`)."""
        kept = []
        for char in data:
            if char in (OPEN, CLOSE):
                self.depth = self.depth + 1 if char == OPEN else max(0, self.depth - 1)
                kept.append(" ")
            elif self.depth == 0:
                kept.append(char)
        return "".join(kept)

    def check(self, text: str | None) -> None:
        if not text:
            return
        previous = None
        while previous != text:
            previous, text = text, INNERMOST.sub(" ", text)
        words = [w.strip(".,:;!?()[]\"'·—–-/") for w in text.split()]
        if " ".join(text.split()) in STAFF_TEXTS:
            return
        if any(WORD.match(w) and w not in DATA_WORDS for w in words):
            self.found.append(" ".join(text.split()))


def unmarked(html: str) -> list[str]:
    parser = Unmarked(PSEUDO_TAG)
    parser.feed(html)
    return parser.found


@pytest.fixture
def pseudo_app(app, tmp_path):
    pseudo_catalogue(tmp_path)
    app.extensions["babel"].translation_directories = [str(tmp_path)]
    return app


def test_detector__finds_unmarked_text_only():
    page = (f'<html lang="ko"><body><h1>{OPEN}Case{CLOSE} MY-2026-000001</h1>'
            f'<p title="Open it">{OPEN}Held by {OPEN}the system{CLOSE}{CLOSE}</p>'
            '<span lang="en">Who holds the passport?</span><code>team:my</code>'
            '<td>not routed yet</td><input type="submit" value="Save"><br>'
            f'<select><option value="held_by">{OPEN}Who{CLOSE} (held_by)</option>'
            '<option value="other">other_key</option></select>'
            f'<p>{OPEN}Gave <code>vn-team</code> to <strong>Viet Nam</strong>{CLOSE} today</p>'
            '</body></html>')
    assert unmarked(page) == ["Open it", "not routed yet", "Save", "other_key", "today"]


def test_staff_pages__every_string_goes_through_gettext(pseudo_app, svc, make_user, auth):
    client = auth.client
    pages = seed_staff_pages(svc)
    found = {}
    for roles, extra, urls in pages.by_role:
        user = make_user(roles, **extra)
        assert auth.login(user["email"], PASSWORD).status_code == 302
        client.get(f"/language?lang={PSEUDO_TAG}")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert OPEN in html, "the pseudo-catalogue is not in use"
            for text in unmarked(html):
                found.setdefault(text, set()).add(url)
    assert found == {}, "\n".join(f"{t!r} on {sorted(u)}" for t, u in sorted(found.items()))



def test_case_pages_in_every_stage__every_string_goes_through_gettext(pseudo_app, client,
                                                                       svc, login_as):
    """Demo cases moved through every stage (timelines, follow-ups, outcomes): one case
    page per stage and the queue, as the coordinator, who sees everything."""
    publish_shipped(svc)
    coordinator = login_as("coordinator")
    actor = {"id": coordinator["_id"], "roles": coordinator["roles"], "org_id": None,
             "countries": []}
    seed_cases(svc, actor, None, count=40)
    cases = {}
    for case in svc.db.cases.find({"language": {"$ne": PSEUDO_TAG}}):
        cases.setdefault(case["stage"], case["reference"])
    assert len(cases) >= 4, cases
    client.get(f"/language?lang={PSEUDO_TAG}")
    found = {}
    for url in ["/cases/", "/cases/notifications",
                *(f"/cases/{ref}" for ref in cases.values())]:
        response = client.get(url)
        assert response.status_code == 200, url
        for text in unmarked(response.get_data(as_text=True)):
            found.setdefault(text, set()).add(url)
    assert found == {}, "\n".join(f"{t!r} on {sorted(u)}" for t, u in sorted(found.items()))


#: Pages after a refused post: (role, account fields, url, form prefix, data).
REFUSED_POSTS = [
    ("admin", {}, "/admin/users", "user", {"user-email": "not an address"}),
    ("admin", {}, "/admin/organisations", "org", {"org-country": "Malaysia"}),
    ("form_editor", {"countries": ["MY"]}, "/forms/new", "",
     {"source": "form: x-intake\nextends: nothing-here\ncountry: MY\nlanguages: [en]\n"
                "title: {en: X}\nsections:\n  - id: s\n    fields:\n      - {id: f, "
                "type: colour, label: {en: F}}\n", "action": "check"}),
    ("coordinator", {}, "/exports/", "", {"format": "csv", "event_from": "yesterday"}),
]


@pytest.mark.parametrize(("role", "extra", "url", "prefix", "data"), REFUSED_POSTS,
                         ids=[post[2] for post in REFUSED_POSTS])
def test_refused_posts__errors_go_through_gettext(pseudo_app, svc, make_user, auth, role,
                                                   extra, url, prefix, data):
    publish_shipped(svc)
    user = make_user((role,), **extra)
    assert auth.login(user["email"], PASSWORD).status_code == 302
    auth.client.get(f"/language?lang={PSEUDO_TAG}")
    response = auth.post(url, data, prefix=prefix)
    assert response.status_code in (200, 400), response.status_code
    assert unmarked(response.get_data(as_text=True)) == []
