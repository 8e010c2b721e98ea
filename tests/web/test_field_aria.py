"""Fields drawn by macros.html tell a screen reader what the eye sees: which are required,
which are wrong, and which hint and error messages belong to each."""

import re

from tests.helpers import csrf_token


def _input(html: str, field_id: str) -> str:
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, f"no input #{field_id}"
    return match.group(0)


def test_required_field__with_its_hint(client):
    html = client.get("/status").get_data(as_text=True)
    control = _input(html, "reference")
    assert 'aria-required="true"' in control
    assert 'aria-describedby="reference-hint"' in control and 'id="reference-hint"' in html
    assert "aria-invalid" not in control


def test_refused_field__invalid_and_described_by_its_hint_and_errors(client):
    page = client.get("/status").get_data(as_text=True)
    html = client.post("/status", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    control = _input(html, "code")
    assert 'aria-invalid="true"' in control
    assert 'aria-describedby="code-hint code-errors"' in control
    assert re.search(r'<ul class="errors" id="code-errors"><li>[^<]+</li>', html)


def test_field_without_hint__described_by_nothing_until_refused(client):
    control = _input(client.get("/auth/login").get_data(as_text=True), "email")
    assert 'aria-required="true"' in control and "aria-describedby" not in control
