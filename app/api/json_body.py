"""Read an API request body: decoded within bounds and checked against its schema first.

Every JSON-accepting view calls `checked_body(name)` before it reads anything
else, so a malformed body is a 400 naming the fields at fault and never reaches a
query, the form rules or the database. The decoder is bounded as well: a body
over `MAX_JSON_BYTES` is not read, a nesting deeper than Python's recursion limit
is refused instead of raising `RecursionError`, and NaN or Infinity are not JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Response, abort, jsonify, request
from flask_babel import gettext as _
from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import best_match

from app.api.schemas import MAX_VERSION, REQUESTS

#: The largest JSON body read (a case's answers are a few kilobytes).
MAX_JSON_BYTES = 1024 * 1024


def _whole_number(_checker: Any, instance: Any) -> bool:
    """JSON integers only: neither true/false nor 1.0 counts as a whole number."""
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _whole_number))
_VALIDATORS = {name: _Validator(schema) for name, schema in REQUESTS.items()}
for _validator in _VALIDATORS.values():
    _Validator.check_schema(_validator.schema)


def refusal(status: int, message: str, errors: list[dict[str, str]]) -> Response:
    """The API's error body, with each problem as {field, message}."""
    response = jsonify({"error": {"status": status, "message": message,
                                  "fields": [e["field"] for e in errors]}, "errors": errors})
    response.status_code = status
    return response


def checked_body(name: str) -> dict[str, Any]:
    """The request's JSON object, valid against the schema `name`, or abort with a 400."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        abort(_too_large())
    if not request.is_json:
        abort(_body_refused(_("Send a JSON object.")))
    data = _read_at_most(MAX_JSON_BYTES + 1)  # a chunked body has no length to check
    if len(data) > MAX_JSON_BYTES:
        abort(_too_large())
    try:
        body = json.loads(data, parse_constant=_not_json)
    except RecursionError:
        abort(_body_refused(_("The JSON is nested too deeply.")))
    except ValueError:  # malformed JSON, not UTF-8, NaN or Infinity
        abort(_body_refused(_("Send a JSON object.")))
    try:
        problems = _problems(_VALIDATORS[name].iter_errors(body))
    except RecursionError:
        abort(_body_refused(_("The JSON is nested too deeply.")))
    if problems:
        abort(refusal(400, _("The request is incomplete."), problems))
    return body


def _read_at_most(limit: int) -> bytes:
    """Up to `limit` bytes of the body: a stream read may return less than asked."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = request.stream.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _too_large() -> Response:
    return refusal(413, _("The request is too large: at most %(max)s bytes.",
                          max=MAX_JSON_BYTES), [{"field": "(body)",
                                                 "message": _("Send less at once.")}])


def _body_refused(message: str) -> Response:
    return refusal(400, message, [{"field": "(body)", "message": message}])


def _problems(errors: Iterable[ValidationError]) -> list[dict[str, str]]:
    """One problem per field, in the body's order; messages never echo the value sent."""
    found: dict[str, str] = {}
    for error in sorted(errors, key=lambda e: [str(step) for step in e.absolute_path]):
        for field in _fields(error):
            found.setdefault(field, _message(error, field))
    return [{"field": field, "message": message} for field, message in found.items()]


def _fields(error: ValidationError) -> list[str]:
    """The field at fault: an answer's question id, else the top-level key."""
    path = list(error.absolute_path)
    if path[:1] == ["answers"] and len(path) > 1:
        return [str(path[1])[:100]]
    if path:
        return [str(path[0])[:100]]
    if error.validator == "required":
        return [key for key in error.validator_value if key not in error.instance]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        return [str(key)[:100] for key in error.instance if key not in known]
    return ["(body)"]


def _message(error: ValidationError, field: str) -> str:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _message(best_match(error.context), field)
    kind = error.validator
    if field == "version" and kind in ("type", "minimum", "maximum"):
        return _("Give the version as a whole number from 1 to %(max)s.", max=MAX_VERSION)
    if kind == "required" or (kind == "type" and not error.absolute_path):
        return _("This value is missing or of the wrong type.")
    if kind == "additionalProperties":
        return _("This key is not accepted here.")
    if kind == "pattern":
        return _("This text is not valid Unicode.")
    if kind in ("maxLength", "maxItems", "maxProperties"):
        return _("This is too long: at most %(max)s.", max=error.validator_value)
    if kind in ("minLength", "minItems"):
        return _("This value is missing or of the wrong type.")
    if kind in ("minimum", "maximum"):
        return _("This number is out of range.")
    if kind == "propertyNames":
        return _("A key here is empty, too long or not valid Unicode.")
    return _("This value is missing or of the wrong type.")
