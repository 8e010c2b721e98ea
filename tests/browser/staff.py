"""Steps staff take in the browser, shared by the browser tests."""

from __future__ import annotations


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Through the sign-in page, as a person does; waits for the home page after it."""
    page.goto(base_url + "/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")
