"""What is compressed: public pages and static files in the encoding the browser asks for;
staff pages and API answers never (BREACH: app/extensions.py, `compression_wanted`)."""

import gzip

import brotli
import pytest

from tests.helpers import csrf_token
from tests.intake_helpers import forms_published, post_report  # noqa: F401
from tests.intake_helpers import receipt as _receipt

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def _decoded(response) -> bytes:
    body, encoding = response.get_data(), response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    assert encoding is None, encoding
    return body


@pytest.mark.parametrize("asked, sent", [("gzip", "gzip"), ("br", "br"),
                                         ("zstd", "zstd"),
                                         ("gzip, deflate, br, zstd", "br"), ("", None)])
def test_public_page__in_the_encoding_asked_for(client, asked, sent):
    plain = client.get("/status").get_data()
    response = client.get("/status", headers={"Accept-Encoding": asked})
    assert response.headers.get("Content-Encoding") == sent
    assert "Accept-Encoding" in response.headers["Vary"]
    if sent in ("gzip", "br", None):
        # The page differs by its CSRF token only.
        assert len(_decoded(response)) == len(plain)
    else:
        assert len(response.get_data()) < len(plain) / 2


@pytest.mark.usefixtures("forms_published")
def test_questionnaire_and_receipt__compressed_to_a_fraction(client):
    page = client.get("/report/my-intake/en", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert len(page.get_data()) * 3 < len(_decoded(page))
    filed = post_report(client)
    assert _receipt(filed.get_data(as_text=True))  # the receipt the helper asks for is plain


def test_static_files__compressed(client):
    response = client.get("/static/style.css", headers={"Accept-Encoding": "br"})
    try:
        assert response.headers["Content-Encoding"] == "br"
        assert b".quick-exit" in brotli.decompress(response.get_data())
    finally:
        response.close()


def test_staff_pages__never_compressed(client, login_as):
    login_as("reviewer")
    response = client.get("/cases/", headers=BROWSER)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_reporter_pages__compressed(client, login_as):
    login_as("reporter")
    response = client.get("/my-reports", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"


def test_api_answers__never_compressed(client):
    response = client.get("/healthz", headers=BROWSER)
    assert "Content-Encoding" not in response.headers


def test_public_page__takes_no_text_from_the_query(client, login_as):
    """A compressed page holds nothing an attacker wrote into its address."""
    public = client.get("/status?probe=guess-of-the-secret").get_data(as_text=True)
    assert 'name="next" value="/status"' in public
    assert "guess-of-the-secret" not in public
    login_as("reviewer")
    staff = client.get("/cases/?q=passport").get_data(as_text=True)
    assert "/cases/?q=passport" in staff  # the language switch returns to the same search


@pytest.mark.usefixtures("forms_published")
def test_pages_sent_back_with_errors__compressed_too(client):
    url = "/report/sa-intake/ar"
    token = csrf_token(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"csrf_token": token}, headers={"Accept-Encoding": "gzip"})
    assert refused.status_code == 400
    assert refused.headers["Content-Encoding"] == "gzip"
    assert b"error-summary" in gzip.decompress(refused.get_data())
    missing = client.get("/no-such-page", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404
    assert gzip.decompress(missing.get_data()).startswith(b"<!doctype html>")
