"""Helpers shared by the test suites (no fixtures here)."""

from __future__ import annotations

import os
import re

import pytest

TEST_DATA_KEY = "y9xC2F7v7nq9YQ8k3e0yQ5mQ3PzV0o8cJm0a6bYwW3Q="
TEST_AUDIT_KEY = "test-audit-key-" + "a" * 32
PASSWORD = "correct horse battery"


def require_services() -> bool:
    return os.environ.get("MRVRS_TEST_REQUIRE_SERVICES") == "1"


def unavailable(reason: str):
    """Skip, or fail when the run promised real services."""
    if require_services():
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


def base_environ(**extra: str) -> dict[str, str]:
    environ = {"MRVRS_ENV": "test", "MRVRS_SECRET_KEY": "test-secret-key",
               "MRVRS_DATA_KEY": TEST_DATA_KEY, "MRVRS_AUDIT_KEY": TEST_AUDIT_KEY}
    environ.update(extra)
    return environ


CSRF_PATTERN = re.compile(r'name="(?:[\w-]*-)?csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_PATTERN.search(html) or re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                                   html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, follow: bool = False):
        page = self.client.get("/auth/login")
        token = csrf_token(page.get_data(as_text=True))
        return self.client.post("/auth/login", data={"email": email, "password": password,
                                                     "csrf_token": token},
                                follow_redirects=follow)

    def post(self, url: str, data: dict, page: str | None = None, prefix: str = "", **kwargs):
        """POST a form the way a browser would, with the CSRF token of the page it is on.

        `prefix` is the WTForms prefix of the form (its token field is `<prefix>-csrf_token`).
        """
        html = self.client.get(page or url).get_data(as_text=True)
        field = f"{prefix}-csrf_token" if prefix else "csrf_token"
        return self.client.post(url, data={**data, field: csrf_token(html)}, **kwargs)


def alias_bomb(levels: int = 9) -> str:
    """A form-shaped "billion laughs": each level repeats the one above nine times, so
    `levels` lines expand to 9**levels strings when aliases are followed."""
    lines = ["form: bomb", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def xlsx_bytes(rows: list[list]) -> bytes:
    """A one-sheet workbook of these rows, as a member's spreadsheet program saves it."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
