"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the whole API.

Public like the published forms: it describes the API, not anyone's data. The
request bodies are the very schemas `app.api.json_body` enforces
(`app.api.schemas.REQUESTS`), so the description and the checks cannot differ;
tests compare the operations below with the app's routes in both directions.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import jsonify

from app.api import bp
from app.api.forms import public
from app.api.schemas import NAME, REQUESTS, RESPONSES
from workflows.queue import FILTERS, MAX_LIMIT, QUEUES

TITLE = "MRVRS API"
VERSION = "1"

_ERRORS = {
    "400": "The request is malformed or breaks its schema; `errors` names each field.",
    "401": "No valid bearer token.",
    "403": "The token's user does not hold a role this operation needs.",
    "404": "No such resource, or one the caller may not see (the two are not told apart).",
    "409": "Someone else changed the case first; `case` is the case as it now stands.",
    "413": "The body is larger than the API reads.",
    "422": "The change is refused by the case's rules; `reason` says why.",
}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": NAME}


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    return {**parameter, "description": description} if description else parameter


_REFERENCE = _path("reference", "The case reference (a mission: the case's handle).")
_CASE_QUERY = [
    _query("queue", {"enum": list(QUEUES)}, "Which list; `all` unless given."),
    _query("after", {"type": "string", "maxLength": 200},
           "The `next_after` of the previous page."),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
    *(_query(name, {"type": "string", "maxLength": 200}, "A filter.") for name in FILTERS),
]

#: (path, method) -> what the operation takes and answers. Keep in step with the routes:
#: tests/web/test_api_openapi.py fails on a route without an entry and on an entry
#: without a route.
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/openapi.json", "get"): {
        "summary": "This description", "public": True, "responses": {"200": "OpenApi"}},
    ("/api/v1/me", "get"): {
        "summary": "The token's user", "responses": {"200": "Me"}, "errors": ("401",)},
    ("/api/v1/forms", "get"): {
        "summary": "The latest version of each published form", "public": True,
        "responses": {"200": "FormList"}},
    ("/api/v1/forms/{form_id}", "get"): {
        "summary": "One published form, its texts in one language", "public": True,
        "parameters": [_path("form_id", "The form's id."),
                       _query("version", {"type": "string", "maxLength": 20},
                              "A published version; the latest unless given."),
                       _query("lang", {"type": "string", "maxLength": 35},
                              "A language of the form; its first unless given.")],
        "responses": {"200": "Form"}, "errors": ("400", "404")},
    ("/api/v1/cases", "get"): {
        "summary": "One page of the cases the caller may see", "parameters": _CASE_QUERY,
        "responses": {"200": "CaseList"}, "errors": ("400", "401", "403")},
    ("/api/v1/cases", "post"): {
        "summary": "File a case with answers to a published form", "body": "CaseCreate",
        "responses": {"201": "CaseFiled"}, "errors": ("400", "401", "403", "404", "413")},
    ("/api/v1/cases/{reference}", "get"): {
        "summary": "One case, as the caller may read it", "parameters": [_REFERENCE],
        "responses": {"200": "Case"}, "errors": ("401", "403", "404")},
    ("/api/v1/cases/{reference}/transitions", "post"): {
        "summary": "Move the case on", "parameters": [_REFERENCE], "body": "Transition",
        "responses": {"200": "Case"},
        "errors": ("400", "401", "403", "404", "409", "413", "422")},
    ("/api/v1/cases/{reference}/follow-ups", "post"): {
        "summary": "Add a follow-up action", "parameters": [_REFERENCE], "body": "FollowUp",
        "responses": {"201": "Case"},
        "errors": ("400", "401", "403", "404", "409", "413", "422")},
    ("/api/v1/cases/{reference}/follow-ups/{action_id}", "patch"): {
        "summary": "Change a follow-up action", "body": "FollowUp",
        "parameters": [_REFERENCE, _path("action_id", "The action's id.")],
        "responses": {"200": "Case"},
        "errors": ("400", "401", "403", "404", "409", "413", "422")},
    ("/api/v1/cases/{reference}/assignee", "put"): {
        "summary": "Assign the case, or take it", "parameters": [_REFERENCE],
        "body": "Assignee", "responses": {"200": "Case"},
        "errors": ("400", "401", "403", "404", "409", "413", "422")},
    ("/api/v1/cases/{reference}/notes", "post"): {
        "summary": "Add a note", "parameters": [_REFERENCE], "body": "Note",
        "responses": {"201": "Case"},
        "errors": ("400", "401", "403", "404", "409", "413", "422")},
}


@cache
def document() -> dict[str, Any]:
    """The whole description; built once, it depends on code only."""
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), spec in OPERATIONS.items():
        paths.setdefault(path, {})[method] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "Record, route and follow cases of violations against "
                                "migrant workers. Authenticate with a personal API token "
                                "as `Authorization: Bearer <token>`."},
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**REQUESTS, **RESPONSES},
        },
    }


def _operation(spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": spec["summary"]}
    if spec.get("public"):
        operation["security"] = []
    if spec.get("parameters"):
        operation["parameters"] = spec["parameters"]
    if spec.get("body"):
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(spec["body"])}}}
    responses = {status: _json_response("OK" if status.startswith("2") else _ERRORS[status],
                                        name)
                 for status, name in spec["responses"].items()}
    for status in spec.get("errors", ()):
        responses[status] = _json_response(_ERRORS[status], "Error")
    operation["responses"] = responses
    return operation


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_response(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


@bp.route("/openapi.json")
@public
def openapi_document():
    response = jsonify(document())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
