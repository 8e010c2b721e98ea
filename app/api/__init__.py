"""The JSON API under /api/v1, authenticated by per-user bearer tokens."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from app.extensions import csrf
from app.public.support import forbid_caching
from app.roles import login_required
from app.services import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, never cookie-authenticated
bp.after_request(forbid_caching)  # case data and tokens: never kept by a cache


@bp.before_request
def authenticate() -> None:
    """Only a bearer token counts here: a browser session cookie is ignored."""
    g.user = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return
    svc = services()
    record = svc.tokens.resolve(token.strip())
    if record is None:
        return
    user = svc.users.get(record["user_id"])
    if user and user.get("active", True):
        g.user = user
        g.api_token_id = record["_id"]


@bp.route("/me")
@login_required
def me():
    user = g.user
    return jsonify({"id": user["_id"], "email": user["email"], "roles": user["roles"],
                    "org_id": user.get("org_id"), "countries": user.get("countries", [])})


from app.api import (
    cases,  # noqa: E402,F401  (registers POST /cases on this blueprint)
    openapi,  # noqa: E402,F401  (GET /openapi.json, the description of it all)
    workflow,  # noqa: E402,F401  (the case workflow routes on this blueprint)
)
