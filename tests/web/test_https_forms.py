"""Forms posted over HTTPS in production, by a client that sends the Referer a browser sends.

Over HTTPS, Flask-WTF also checks that the Referer names this site. A browser sends
the Referer the page's referrer policy allows: the page's `<meta name="referrer">`,
else its `Referrer-Policy` header. A policy of `no-referrer` therefore made every
form post in production fail with "This form expired", whatever the CSRF token.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.helpers import PASSWORD, TEST_AUDIT_KEY, TEST_DATA_KEY, csrf_token
from tests.intake_helpers import MINIMAL, publish_shipped, receipt

SITE = "https://reports.example.org"
META_POLICY = re.compile(r'<meta name="referrer" content="([^"]*)"')
#: Referrer Policy (W3C): what a same-origin request carries under each policy.
SENDS_ORIGIN_ONLY = {"origin", "strict-origin"}
SENDS_NOTHING = {"no-referrer"}
KNOWN_POLICIES = SENDS_ORIGIN_ONLY | SENDS_NOTHING | {
    "same-origin", "origin-when-cross-origin", "strict-origin-when-cross-origin",
    "no-referrer-when-downgrade", "unsafe-url"}


def effective_policy(response) -> str:
    """The policy a browser applies to requests from this page: the meta tag overrides."""
    meta = META_POLICY.search(response.get_data(as_text=True))
    if meta and meta.group(1) in KNOWN_POLICIES:
        return meta.group(1)
    tokens = [t.strip() for t in response.headers.get("Referrer-Policy", "").split(",")]
    known = [t for t in tokens if t in KNOWN_POLICIES]
    return known[-1] if known else "strict-origin-when-cross-origin"  # the browser default


def same_origin_referer(response, page_url: str) -> dict[str, str]:
    """The Referer header a browser sends when a form on `page_url` posts to this site."""
    policy = effective_policy(response)
    if policy in SENDS_NOTHING:
        return {}
    if policy in SENDS_ORIGIN_ONLY:
        parts = urlsplit(page_url)
        return {"Referer": f"{parts.scheme}://{parts.netloc}/"}
    return {"Referer": page_url}


@pytest.fixture
def production_app():
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings({"MRVRS_ENV": "production", "MRVRS_SECRET_KEY": "x" * 32,
                                    "MRVRS_DATA_KEY": TEST_DATA_KEY,
                                    "MRVRS_AUDIT_KEY": TEST_AUDIT_KEY}))
    publish_shipped(app.extensions["mrvrs"])
    return app


class HttpsClient:
    """The Flask test client speaking to https://reports.example.org."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, **kwargs):
        return self.client.get(SITE + path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.client.post(SITE + path, **kwargs)


@pytest.fixture
def https_client(production_app):
    return HttpsClient(production_app.test_client())


def _post_as_browser(client, path: str, data: dict, **kwargs):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    headers = same_origin_referer(page, SITE + path)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, headers=headers, **kwargs)


def _page_text(response) -> str:
    main = response.get_data(as_text=True).partition("<main")[2] or response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())[:300]


def test_https_login__browser_referer__signs_in(production_app, https_client):
    svc = production_app.extensions["mrvrs"]
    with production_app.app_context():
        svc.users.create("reviewer@example.org", PASSWORD, ["reviewer"], countries=["MY"])
    response = _post_as_browser(https_client, "/auth/login",
                                {"email": "reviewer@example.org", "password": PASSWORD})
    assert response.status_code == 302, _page_text(response)


def test_https_public_report_and_status__browser_referer__accepted(https_client):
    response = _post_as_browser(https_client, "/report/my-intake/en", MINIMAL,
                                content_type="multipart/form-data")
    assert response.status_code == 200, _page_text(response)
    reference, code = receipt(response.get_data(as_text=True))
    status = _post_as_browser(https_client, "/status", {"reference": reference, "code": code})
    assert status.status_code == 303
    report = https_client.get(status.headers["Location"])
    assert report.status_code == 200 and 'data-stage="' in report.get_data(as_text=True)


def test_https_referrer_policy__same_site_only_in_header_and_page(https_client):
    """The Referer still never leaves the site: no link target learns a case address."""
    page = https_client.get("/report")
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert META_POLICY.search(page.get_data(as_text=True)).group(1) == "same-origin"


def test_https_post__from_another_site__still_refused(https_client):
    """The strict Referer check stays on: a post carrying another site's Referer fails."""
    page = https_client.get("/status")
    token = csrf_token(page.get_data(as_text=True))
    for headers in ({"Referer": "https://evil.example.net/status"}, {}):
        response = https_client.post("/status", data={"reference": "MY-1", "code": "x",
                                                      "csrf_token": token}, headers=headers)
        assert response.status_code == 400
        assert "This form expired" in response.get_data(as_text=True)
