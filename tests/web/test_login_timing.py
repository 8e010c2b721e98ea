"""A failed sign-in takes as long for an unknown or inactive e-mail address as for an
existing account, with the production Argon2 parameters, so timing tells an attacker
nothing about which addresses have accounts.

Measured, not assumed: medians of repeated sign-ins through the login page, with a
generous ratio so a busy machine does not make the test flaky; the figures are in
the assertion message.
"""

from __future__ import annotations

import statistics
import time

from argon2 import extract_parameters

from app.passwords import Passwords
from tests.helpers import PASSWORD, base_environ, csrf_token

ROUNDS = 9
MAX_RATIO = 2.0


def test_dummy_hash__same_parameters_as_real_hashes():
    for passwords in (Passwords(), Passwords(for_tests=True)):
        real = extract_parameters(passwords.hash("a real password here"))
        assert extract_parameters(passwords.dummy_hash) == real


def test_login_timing__existing_unknown_and_inactive_accounts_alike():
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(base_environ(MRVRS_RATE_LIMIT_LOGIN="1000 per minute",
                                                MRVRS_LOGIN_MAX_FAILURES="1000")))
    svc = app.extensions["mrvrs"]
    svc.users.passwords = Passwords()  # production parameters, as in a deployment
    existing = svc.users.create("known@example.org", PASSWORD, ["member"])
    inactive = svc.users.create("gone@example.org", PASSWORD, ["member"])
    svc.users.set_active(inactive["_id"], False)
    emails = {"existing": existing["email"], "unknown": "nobody@example.org",
              "inactive": inactive["email"]}
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    samples: dict[str, list[float]] = {kind: [] for kind in emails}
    for _ in range(ROUNDS):
        for kind, email in emails.items():
            started = time.perf_counter()
            response = client.post("/auth/login", data={
                "email": email, "password": "not the password", "csrf_token": token})
            samples[kind].append(time.perf_counter() - started)
            assert response.status_code == 400
            assert "Wrong e-mail or password." in response.get_data(as_text=True)
    medians = {kind: statistics.median(times) * 1000 for kind, times in samples.items()}
    ratio = max(medians.values()) / min(medians.values())
    figures = ", ".join(f"{kind} {ms:.1f} ms" for kind, ms in medians.items())
    assert ratio < MAX_RATIO, f"median failed sign-in: {figures}; ratio {ratio:.2f}"
    print(f"median failed sign-in: {figures}; ratio {ratio:.2f}")
