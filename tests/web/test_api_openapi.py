"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 description of every API route, built
from the schemas the API enforces, whose response schemas hold for what each role gets."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app.api.openapi import document
from app.api.schemas import REQUESTS
from tests.intake_helpers import forms_published  # noqa: F401

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
ANSWERS = {"destination_country": "MY", "narrative": "Wages unpaid for three months.",
           "acts": ["unpaid_wages"], "consent_case_work": True}


def _described(path: str, status: int, response, doc) -> None:
    """Check a response against the schema the description gives for it."""
    method = response.request.method.lower()
    spec = doc["paths"][path][method]["responses"][str(status)]
    schema = spec["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": doc["components"]})
    problems = [f"{list(e.absolute_path)}: {e.message}"
                for e in validator.iter_errors(response.json)]
    assert problems == [], (path, status, problems)


def test_document__public_and_a_valid_openapi_3_1_description(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert response.json["openapi"] == "3.1.0"
    validate(response.json)


def test_document__every_api_route_described_and_every_description_routed(app):
    routes = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
        for method in rule.methods & HTTP_METHODS
    }
    described = {(path, method) for path, item in document()["paths"].items()
                 for method in item}
    assert routes - described == set(), "routes without a description"
    assert described - routes == set(), "descriptions without a route"


def test_document__request_bodies_are_the_enforced_schemas():
    """One source: the published schemas are the objects `checked_body` validates with."""
    schemas = document()["components"]["schemas"]
    assert all(schemas[name] is schema for name, schema in REQUESTS.items())
    bodies = [op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
              for item in document()["paths"].values() for op in item.values()
              if "requestBody" in op]
    assert sorted({ref.rsplit("/", 1)[1] for ref in bodies}) == sorted(REQUESTS)


@pytest.mark.usefixtures("forms_published")
def test_responses__match_their_descriptions_for_every_role(client, svc, make_user):
    doc = client.get("/api/v1/openapi.json").json
    org = svc.organisations.create("Partner Desk", "MY")
    tokens = {}
    for role in ("member", "reporter", "reviewer", "coordinator", "mission"):
        user = make_user((role,), org_id=org["_id"], countries=["MY"])
        tokens[role] = {"Authorization": f"Bearer {svc.tokens.create(user['_id'], 't')[1]}"}

    forms = client.get("/api/v1/forms")
    _described("/api/v1/forms", 200, forms, doc)
    _described("/api/v1/forms/{form_id}", 200, client.get("/api/v1/forms/my-intake"), doc)
    _described("/api/v1/forms/{form_id}", 404, client.get("/api/v1/forms/nope"), doc)
    _described("/api/v1/me", 200, client.get("/api/v1/me", headers=tokens["member"]), doc)
    _described("/api/v1/me", 401, client.get("/api/v1/me"), doc)

    body = {"form_id": "my-intake", "version": 1, "language": "en", "answers": ANSWERS}
    filed = client.post("/api/v1/cases", json=body, headers=tokens["reporter"])
    _described("/api/v1/cases", 201, filed, doc)
    refused = client.post("/api/v1/cases", json={**body, "version": 10**30},
                          headers=tokens["reporter"])
    _described("/api/v1/cases", 400, refused, doc)
    reference = filed.json["reference"]
    for headers in tokens.values():
        listed = client.get("/api/v1/cases", headers=headers)
        _described("/api/v1/cases", 200, listed, doc)
        one = client.get(f"/api/v1/cases/{reference}", headers=headers)
        _described("/api/v1/cases/{reference}", one.status_code, one, doc)
    moved = client.post(f"/api/v1/cases/{reference}/transitions", headers=tokens["coordinator"],
                        json={"to": "flying", "version": 1})
    _described("/api/v1/cases/{reference}/transitions", 422, moved, doc)
