"""Every staff page renders in every shipped language: each staff role signs in, picks
the language with the header's switch (reachable on every staff page), and opens each
page it works on. Each id is used once on a page, or labels and links point at the
wrong element."""

from __future__ import annotations

import re

import pytest

from app.i18n import text_direction
from config.settings import SUPPORTED_UI_LANGUAGES
from tests.helpers import PASSWORD
from tests.staff_pages import seed_staff_pages

ID = re.compile(r'\sid="([^"]+)"')
SWITCH = re.compile(r'<form class="language" method="get" action="/language">.*?'
                    r'<select id="lang-switch" name="lang">', re.S)


@pytest.mark.parametrize("tag", SUPPORTED_UI_LANGUAGES)
def test_every_staff_page__renders_in_the_language(client, svc, make_user, auth, tag):
    pages = seed_staff_pages(svc)
    expected_html = f'<html lang="{tag}" dir="{text_direction(tag)}">'
    wrong = []
    for roles, extra, urls in pages.by_role:
        user = make_user(roles, **extra)
        client.post("/auth/logout")
        assert auth.login(user["email"], PASSWORD).status_code == 302
        client.get(f"/language?lang={tag}")
        for url in urls:
            response = client.get(url)
            html = response.get_data(as_text=True)
            if response.status_code != 200:
                wrong.append((roles, url, response.status_code))
            elif expected_html not in html:
                wrong.append((roles, url, "html lang/dir"))
            elif not SWITCH.search(html):
                wrong.append((roles, url, "no language switch"))
            elif tag != "en" and 'class="translation-review"' not in html:
                wrong.append((roles, url, "no needs-review notice"))
            elif twice := sorted({i for i in ID.findall(html) if ID.findall(html).count(i) > 1}):
                wrong.append((roles, url, f"ids used twice (labels and links break): {twice}"))
    assert wrong == []


def test_arabic__pages_right_to_left():
    assert text_direction("ar") == "rtl"
    assert all(text_direction(t) == "ltr" for t in SUPPORTED_UI_LANGUAGES if t != "ar")
