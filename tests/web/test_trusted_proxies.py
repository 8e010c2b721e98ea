"""Behind MRVRS_TRUSTED_PROXIES proxies, the client address and scheme come from the proxy.

The proxy (nginx on the same host) connects from 127.0.0.1 and appends the address
it saw to X-Forwarded-For. Rate limits must count each client apart, and a header a
client forged must change nothing.
"""

from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings
from tests.helpers import base_environ, csrf_token

PROXY = "127.0.0.1"


def _app(trusted: str | None, **extra: str):
    from app import create_app

    environ = base_environ(MRVRS_RATE_LIMIT_LOGIN="3 per minute", **extra)
    if trusted is not None:
        environ["MRVRS_TRUSTED_PROXIES"] = trusted
    return create_app(load_settings(environ))


def _login_statuses(client, forwarded_for: str, attempts: int) -> list[int]:
    """Wrong logins from one client, as the proxy passes them on."""
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "http"}
    statuses = []
    for i in range(attempts):
        token = csrf_token(client.get("/auth/login", headers=headers).get_data(as_text=True))
        statuses.append(client.post("/auth/login", headers=headers, data={
            "email": f"nobody{i}@example.org", "password": "wrong", "csrf_token": token,
        }, environ_base={"REMOTE_ADDR": PROXY}).status_code)
    return statuses


def test_behind_one_proxy__each_client_has_its_own_rate_limit():
    client = _app("1").test_client()
    assert _login_statuses(client, "203.0.113.7", 4)[-1] == 429
    assert 429 not in _login_statuses(client, "198.51.100.20", 3), "one client blocked another"


def test_behind_one_proxy__forged_left_entries_do_not_escape_the_limit():
    """nginx appends the address it saw; only the last entry is trusted."""
    client = _app("1").test_client()
    statuses = []
    for i in range(4):
        statuses += _login_statuses(client, f"10.9.9.{i}, 203.0.113.7", 1)
    assert statuses[-1] == 429


def test_behind_one_proxy__ipv6_client__one_bucket_for_its_64():
    """Changing address inside one's own /64 is free; it must not reset the limit."""
    client = _app("1").test_client()
    statuses = []
    for i in range(4):
        statuses += _login_statuses(client, f"2001:db8:5:7::{i + 1:x}", 1)
    assert statuses[-1] == 429
    assert 429 not in _login_statuses(client, "2001:db8:5:8::1", 3)


def test_no_trusted_proxy__forged_forwarded_for_is_ignored():
    client = _app(None).test_client()
    statuses = []
    for i in range(4):
        statuses += _login_statuses(client, f"10.9.9.{i}", 1)
    assert statuses[-1] == 429


def _status_post(client, referer: str) -> int:
    """A status check the TLS proxy passes on for https://reports.example.org."""
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "reports.example.org", "X-Forwarded-Port": "443"}
    token = csrf_token(client.get("/status", headers=headers).get_data(as_text=True))
    return client.post("/status", headers={**headers, "Referer": referer}, data={
        "reference": "MY-1", "code": "x", "csrf_token": token}).status_code


def test_behind_one_proxy__https_scheme_and_host_from_the_proxy():
    """Over HTTPS, Flask-WTF wants a Referer of this site: https and the public host name."""
    client = _app("1").test_client()
    assert _status_post(client, "https://reports.example.org/status") != 400
    assert _status_post(client, "https://evil.example.net/status") == 400
    assert _status_post(client, "http://reports.example.org/status") == 400


def test_no_trusted_proxy__forwarded_scheme_and_host_are_ignored():
    """Nobody vouches for those headers: the request is what the socket says (plain HTTP)."""
    client = _app(None).test_client()
    assert _status_post(client, "https://reports.example.org/status") != 400
    assert _status_post(client, "https://evil.example.net/status") != 400


@pytest.mark.parametrize("raw", ["-1", "one", "1.5", ""])
def test_trusted_proxies__bad_value__names_the_variable(raw):
    with pytest.raises(SettingsError, match="MRVRS_TRUSTED_PROXIES"):
        load_settings(base_environ(MRVRS_TRUSTED_PROXIES=raw))


def test_trusted_proxies__default_none():
    assert load_settings(base_environ()).trusted_proxies == 0
    assert load_settings(base_environ(MRVRS_TRUSTED_PROXIES="0")).trusted_proxies == 0
    assert load_settings(base_environ(MRVRS_TRUSTED_PROXIES=" 2 ")).trusted_proxies == 2
