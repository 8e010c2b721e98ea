"""Public pages stay light for a low-end phone on a slow connection: under 150 KB each,
counting the HTML and every stylesheet and script it loads (attachments excluded)."""

import re

import pytest

from tests.intake_helpers import forms_published, post_report  # noqa: F401
from tests.intake_helpers import receipt as _receipt

LIMIT = 150 * 1024
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"]+)"')


def _size(client, path: str) -> int:
    response = client.get(path)
    try:
        return len(response.data)
    finally:
        response.close()  # static files are streamed from an open file


def weight(client, html: str) -> int:
    return len(html.encode()) + sum(_size(client, path) for path in set(ASSET.findall(html)))


def _questionnaires(svc):
    return [(d["form_id"], lang) for d in svc.forms.list_latest() if d.get("country")
            for lang in d["languages"]]


@pytest.mark.usefixtures("forms_published")
def test_public_pages__under_150_kb_with_their_css_and_js(client, svc):
    pages = {url: client.get(url).get_data(as_text=True)
             for url in ("/", "/report", "/status", "/auth/login", "/no-such-page")}
    for form_id, lang in _questionnaires(svc):
        url = f"/report/{form_id}/{lang}"
        pages[url] = client.get(url).get_data(as_text=True)
    refused = post_report(client, "sa-intake", "ar", data={})
    pages["questionnaire with every error"] = refused.get_data(as_text=True)
    filed = post_report(client)
    pages["receipt"] = filed.get_data(as_text=True)
    assert _receipt(pages["receipt"])
    sizes = {name: weight(client, html) for name, html in pages.items()}
    heaviest = max(sizes, key=sizes.get)
    print("\nheaviest public page:", heaviest, sizes[heaviest], "bytes")
    assert len(sizes) > 20
    assert all(size < LIMIT for size in sizes.values()), sizes
