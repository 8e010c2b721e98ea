"""CSRF protection, rate limits and security headers, each from a maintained library.

Flask-WTF's CSRFProtect guards every form post; Flask-Limiter throttles the login
and public forms; Flask-Talisman sets the Content-Security-Policy (no inline
scripts), frame denial, no-sniff and, in production, HTTPS and secure cookies.
"""

from __future__ import annotations

import hashlib
import ipaddress

from flask import Flask, request
from flask_limiter import Limiter
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from app.services import services

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

#: Flask-Talisman's per-view decorator, for the few responses whose policy differs from
#: the app's (a served mission report). Not bound to an app: each app's own Talisman reads
#: the options this decorator attaches to a view.
view_policy = Talisman()

#: endpoint -> settings attribute holding its rate; applied to POST only, unless
#: `RATE_LIMITED_METHODS` names the methods for the endpoint.
RATE_LIMITED_ENDPOINTS = {"auth.login": "rate_limit_login"}
RATE_LIMITED_METHODS: dict[str, tuple[str, ...]] = {}


def _client_key() -> str:
    """A keyed hash of the client: limits work without keeping anyone's IP.

    `remote_addr` is the real client behind MRVRS_TRUSTED_PROXIES proxies (ProxyFix in
    the app factory). An IPv6 client holds a whole /64, so that network is the client.
    """
    secret = services().settings.secret_key.encode()
    return hashlib.sha256(secret + b"|" + _client_network(request.remote_addr)).hexdigest()[:24]


def _client_network(address: str | None) -> bytes:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown").encode()
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped).encode()
        return str(ipaddress.ip_network(f"{ip}/64", strict=False)).encode()
    return str(ip).encode()


#: Seconds a Redis rate-limit store may take before it counts as away, so that an
#: unreachable store costs a request a moment rather than a worker's timeout.
STORAGE_TIMEOUT_SECONDS = 2


def _storage_options(uri: str) -> dict:
    """Short socket timeouts for Redis; the in-memory store takes no options."""
    if uri.startswith(("redis", "rediss")):
        return {"socket_connect_timeout": STORAGE_TIMEOUT_SECONDS,
                "socket_timeout": STORAGE_TIMEOUT_SECONDS}
    return {}


def init_app(app: Flask) -> None:
    settings = app.extensions["mrvrs"].settings
    csrf.init_app(app)
    # When the store (Redis) is away, Flask-Limiter counts the same limits in process
    # memory until it answers again, so an outage never turns a report or a login
    # into an error; any other limiter failure is logged and the request goes on.
    limiter = Limiter(key_func=_client_key, storage_uri=settings.rate_limit_storage_uri,
                      storage_options=_storage_options(settings.rate_limit_storage_uri),
                      strategy="moving-window", headers_enabled=True,
                      in_memory_fallback_enabled=True, swallow_errors=True)
    limiter.init_app(app)
    app.extensions["mrvrs_limiter"] = limiter
    Talisman(
        app,
        force_https=settings.production,
        strict_transport_security=settings.production,
        session_cookie_secure=settings.production,
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        # Not no-referrer: over HTTPS Flask-WTF refuses a form post without a Referer of
        # this site. same-origin sends it to this site only, never to a link's target.
        referrer_policy="same-origin",
        x_content_type_options=True,
    )


def register_rate_limit(endpoint: str, setting: str, methods: tuple[str, ...] = ("POST",)) -> None:
    """Blueprints of later areas (the public form) add their endpoints here."""
    RATE_LIMITED_ENDPOINTS[endpoint] = setting
    RATE_LIMITED_METHODS[endpoint] = tuple(methods)


def apply_rate_limits(app: Flask) -> None:
    limiter: Limiter = app.extensions["mrvrs_limiter"]
    settings = app.extensions["mrvrs"].settings
    for endpoint, setting in RATE_LIMITED_ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            # The decorated view does the check itself, so it replaces the registered one.
            methods = list(RATE_LIMITED_METHODS.get(endpoint, ("POST",)))
            app.view_functions[endpoint] = limiter.limit(getattr(settings, setting),
                                                         methods=methods)(view)
