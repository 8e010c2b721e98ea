"""The public home and the form chooser through HTTP: a visitor is offered "Report a
violation" and "Check a report" first, in their language, and every country form is
described in that language, with its own languages named in themselves."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from tests.intake_helpers import every_step, forms_published, post_report, receipt  # noqa: F401

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


@cache
def _catalog(folder: str):
    with open(TRANSLATIONS / folder / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=folder)


def _t(folder: str, msgid: str) -> str:
    """The catalogue's translation. An empty or fuzzy one is missing (the page shows the
    English then), so it can never make a check pass by being an empty string."""
    if folder == "en":
        return msgid
    message = _catalog(folder).get(msgid)
    if message is None or not message.string or message.fuzzy:
        raise LookupError(f"the {folder} catalogue does not translate {msgid!r}")
    return message.string


def _page(client, path: str, lang: str) -> str:
    html = client.get(path, headers={"Accept-Language": lang}).get_data(as_text=True)
    return html.replace("&#39;", "'")


@pytest.mark.parametrize(("lang", "folder"), [
    ("en", "en"), ("bn", "bn"), ("ar", "ar"), ("ne", "ne"), ("my", "my"), ("vi", "vi"),
])
def test_home__leads_with_report_and_check_in_the_visitors_language(client, lang, folder):
    html = _page(client, "/", lang)
    content = html.split('<main id="content">', 1)[1]
    report = f'href="/report" id="home-report">{_t(folder, "Report a violation")}</a>'
    check = f'href="/status" id="home-check">{_t(folder, "Check a report")}</a>'
    assert report in content and check in content
    sign_in = content.index(_t(folder, "Staff and members: sign in"))
    assert content.index(report) < content.index(check) < sign_in


@pytest.mark.parametrize(("header", "tag"), [
    ("ne-NP,ne;q=0.9,en;q=0.5", "ne"), ("my-MM,my;q=0.9", "my"), ("vi-VN,vi;q=0.8,en;q=0.3", "vi"),
])
def test_accept_language__nepali_burmese_vietnamese_browsers_get_their_language(
        client, header, tag):
    html = _page(client, "/", header)
    assert f'<html lang="{tag}" dir="ltr">' in html
    assert _t(tag, "Leave this page quickly") in html
    assert f'<option value="{tag}" lang="{tag}" selected>' in html


def test_language_switch__offers_the_three_new_languages_by_their_own_names(client):
    html = _page(client, "/", "en")
    for tag, name in (("ne", "नेपाली"), ("my", "မြန်မာ"), ("vi", "Tiếng Việt")):
        assert re.search(rf'<option value="{tag}" lang="{tag}"\s*>{name}</option>', html)


def _entry(html: str, form_id: str) -> str:
    return re.search(rf'<li data-form="{form_id}".*?</ul>\s*</li>', html, re.DOTALL).group(0)


@pytest.mark.usefixtures("forms_published")
@pytest.mark.parametrize("lang", ["bn", "ne", "my", "vi"])
def test_chooser__every_form_described_in_the_visitors_language(client, svc, lang):
    html = _page(client, "/report", lang)
    territories = Locale.parse(lang).territories
    for form_id, country, origin in (("sa-intake", "SA", False), ("my-intake", "MY", False),
                                     ("bd-intake", "BD", True), ("np-intake", "NP", True)):
        entry = _entry(html, form_id)
        msgid = ("For workers from %(country)s, wherever they worked: report what happened "
                 "to you or to someone you know." if origin else
                 "Work in %(country)s: report what happened to you or to someone you know.")
        described = _t(lang, msgid) % {"country": territories[country]}
        assert f"<h2>{territories[country]}</h2>" in entry
        assert described in entry, form_id
        definition = svc.forms.definition(form_id, 1)
        if lang not in definition.languages:  # no English title in a Bengali page
            assert definition.title["en"] not in entry
            assert 'data-offered="no"' in entry


@pytest.mark.usefixtures("forms_published")
@pytest.mark.parametrize(("lang", "own_form", "language_name"), [
    ("bn", "bd-intake", "বাংলা"),
    ("ne", "np-intake", "नेपाली"), ("my", "mm-intake", "မြန်မာ"), ("vi", "vn-intake", "Tiếng Việt"),
])
def test_chooser__forms_in_the_visitors_language_first_others_say_so(
        client, svc, lang, own_form, language_name):
    html = _page(client, "/report", lang)
    forms = re.findall(r'<li data-form="([^"]+)" data-offered="(yes|no)"', html)
    assert forms[0] == (own_form, "yes")
    assert all(offered == "no" for _form, offered in forms[1:])
    assert svc.forms.definition(own_form, 1).title[lang] in _entry(html, own_form)
    saudi = _entry(html, "sa-intake")
    note = _t(lang, "This form is not in %(language)s yet. You can answer in one of these "
                    "languages:") % {"language": language_name}
    assert note in saudi
    # ...and every language it has is still a link, named in that language.
    assert '<a href="/report/sa-intake/ar" lang="ar" hreflang="ar">العربية</a>' in saudi
    assert '<a href="/report/sa-intake/en" lang="en" hreflang="en">English</a>' in saudi


@pytest.mark.usefixtures("forms_published")
@pytest.mark.parametrize(("form_id", "lang", "prefix"), [
    ("np-intake", "ne", "NP-"), ("mm-intake", "my", "MM-"), ("vn-intake", "vi", "VN-"),
])
def test_origin_forms__render_in_their_language_and_take_a_minimal_report(
        client, svc, form_id, lang, prefix):
    page = every_step(client, form_id, lang)
    assert f'<html lang="{lang}" dir="ltr">' in page
    assert 'id="q-person_location_now"' in page
    nationality = re.search(r'<select[^>]*name="nationality"[^>]*>(.*?)</select>', page, re.DOTALL)
    chosen = [o for o in re.findall(r"<option[^>]*>", nationality.group(1)) if " selected" in o]
    assert chosen and f'value="{form_id[:2].upper()}"' in chosen[0]
    refused = post_report(client, form_id, lang, data={"narrative": ""})
    assert refused.status_code == 400
    assert _t(lang, "This question needs an answer.") in refused.get_data(as_text=True)
    assert svc.db.cases.count_documents({}) == 0
    filed = post_report(client, form_id, lang, data={
        "destination_country": "MY", "narrative": "The agency kept my passport.",
        "consent_case_work": "y"})
    assert filed.status_code == 200
    reference, code = receipt(filed.get_data(as_text=True))
    case = svc.cases.by_tracking(reference, code)
    assert case["form"]["id"] == form_id and case["language"] == lang
    assert reference.startswith(prefix)
