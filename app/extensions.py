"""CSRF protection, rate limits, security headers and compression, each from a
maintained library.

Flask-WTF's CSRFProtect guards every form post; Flask-Limiter throttles the login
and public forms; Flask-Talisman sets the Content-Security-Policy (no inline
scripts), frame denial, no-sniff and, in production, HTTPS and secure cookies;
Flask-Compress compresses what `compression_wanted` allows (see there for why not
everything).
"""

from __future__ import annotations

import hashlib
import ipaddress

from flask import Flask, Response, g, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from app import roles as r
from app.services import services

csrf = CSRFProtect()
compress = Compress()

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

#: endpoint -> (settings attribute holding its rate, the methods it applies to).
RATE_LIMITED_ENDPOINTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "auth.login": ("rate_limit_login", ("POST",))}


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


def compression_wanted(response: Response) -> bool:
    """Whether this response may be compressed: static files, and pages of the public path.

    Compression lets an observer of the encrypted traffic guess a secret in a page one
    character at a time, if they can also make the victim's browser load that page many
    times with text of their choosing in it (BREACH). So a page is compressed only where
    that cannot pay:

    - static files (CSS, scripts): public, the same for everyone;
    - pages for a visitor who is not signed in, or signed in as a reporter only (the
      public path, read on phones over slow links, where size matters most). Their
      secrets are the CSRF token, which Flask-WTF signs anew every second so no two
      loads a second apart carry the same one, and the tracking code, which appears
      only in answers to a posted form (the receipt, a status check): another site
      cannot send those posts (no CSRF token) and gets no session cookie on its own
      requests (SameSite=Lax). Their only text taken from the address, the language
      switch's return path, leaves the query string out for them (base.html).

    Pages for staff stay uncompressed: they show case data beside text taken from the
    address (a queue's search filter), which is what BREACH needs, and staff work on
    office connections. The API's answers are for scripts and stay as they are.
    """
    if request.endpoint == "static":
        return True
    if response.mimetype != "text/html":
        return False
    user = g.get("user")
    return user is None or set(user.get("roles", [])) <= {r.REPORTER}


def _compress_if_wanted(response: Response) -> Response:
    if not compression_wanted(response):
        return response
    if request.endpoint == "static" and response.is_streamed and response.status_code == 200:
        # A static file arrives as an open file: read here (a few KB) and closed at once.
        # Flask-Compress would stream it without closing the file, and only in zstd,
        # Brotli or deflate, never to a browser that asks for gzip.
        stream = response.response
        response.set_data(b"".join(response.iter_encoded()))
        response.direct_passthrough = False
        stream.close()
    status = response.status_code
    if 400 <= status < 500:
        # Flask-Compress leaves every answer outside 2xx alone, but a form sent back with
        # its errors (400) is as heavy as the form itself.
        response.status_code = 200
        try:
            return compress.after_request(response)
        finally:
            response.status_code = status
    return compress.after_request(response)


def init_app(app: Flask) -> None:
    settings = app.extensions["mrvrs"].settings
    csrf.init_app(app)
    # Flask-Compress picks the encoding the browser prefers, Brotli first when it takes
    # several: at the library's default levels the Bengali questionnaire (104 KB) is
    # 16.9 KB in Brotli, 17.0 KB in gzip, 18.4 KB in zstd. It is not registered for every
    # response but called through `compression_wanted`.
    app.config.update(COMPRESS_REGISTER=False, COMPRESS_MIN_SIZE=500,
                      COMPRESS_ALGORITHM=["br", "zstd", "gzip", "deflate"])
    compress.init_app(app)
    app.after_request(_compress_if_wanted)
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
    RATE_LIMITED_ENDPOINTS[endpoint] = (setting, tuple(methods))


def apply_rate_limits(app: Flask) -> None:
    limiter: Limiter = app.extensions["mrvrs_limiter"]
    settings = app.extensions["mrvrs"].settings
    for endpoint, (setting, methods) in RATE_LIMITED_ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            # The decorated view does the check itself, so it replaces the registered one.
            app.view_functions[endpoint] = limiter.limit(getattr(settings, setting),
                                                         methods=list(methods))(view)
