"""JSON Schemas of the API's request bodies and responses, as plain data.

One source: `app.api.json_body` checks every request body against these before a
view reads it, and `app.api.openapi` publishes the same objects in the OpenAPI
description, so the description cannot drift from what is enforced. The request
schemas bound everything a body can make the server do: the shape (answers are
flat values, never objects, so nesting is at most two levels), the size of every
text and list, number ranges a database integer holds, and text that is valid
Unicode (a lone surrogate such as "\\ud800" cannot be stored).

Response schemas state the types of what is sent and require only what every
role receives: a case is read whole by staff, in part by its reporter, and
pseudonymised by a mission, so no case field is required.
"""

from __future__ import annotations

from typing import Any

from workflows.case_service import MAX_NOTE
from workflows.follow_ups import FIELDS as FOLLOW_UP_FIELDS

#: Text without lone surrogates, which UTF-8 (and so the database) cannot hold.
UNICODE_TEXT = "^[^\\ud800-\\udfff]*$"
#: The largest whole number a case or form version may be (a 32-bit signed integer).
MAX_VERSION = 2**31 - 1
#: Numbers in answers stay within what a double holds exactly.
MAX_NUMBER = 2**53
MAX_ANSWERS = 500
MAX_ANSWER_CHARS = 100_000
MAX_CHOICES = 500


def text(max_length: int, min_length: int = 0) -> dict[str, Any]:
    return {"type": "string", "minLength": min_length, "maxLength": max_length,
            "pattern": UNICODE_TEXT}


def text_or_null(max_length: int) -> dict[str, Any]:
    return {**text(max_length), "type": ["string", "null"]}


VERSION = {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}
NAME = text(100, 1)
NUMBER = {"type": "number", "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}

ANSWER = {
    "description": "Text, a number, true or false, null (not answered), or a list of "
                   "choice values; never an object. A yes/no question takes true, false "
                   "or \"prefer_not_to_say\"; leave it out (or null) when not answered.",
    "anyOf": [
        text(MAX_ANSWER_CHARS), NUMBER, {"type": "boolean"}, {"type": "null"},
        {"type": "array", "maxItems": MAX_CHOICES,
         "items": {"anyOf": [text(1_000), NUMBER, {"type": "boolean"}]}},
    ],
}


def _body(properties: dict[str, Any], required: tuple[str, ...] = (),
          extra: dict[str, Any] | bool = False, **more: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": extra, **more}


#: Request bodies, by the name the views validate with.
REQUESTS: dict[str, dict[str, Any]] = {
    "CaseCreate": _body({
        "form_id": NAME, "version": VERSION, "language": text(35, 1),
        "answers": {"type": "object", "maxProperties": MAX_ANSWERS, "propertyNames": NAME,
                    "additionalProperties": ANSWER},
    }, ("form_id", "version", "language", "answers")),
    "Transition": _body(
        {"to": NAME, "version": VERSION}, ("to", "version"),
        extra=text_or_null(MAX_NOTE), propertyNames=NAME, maxProperties=20,
        description="`to` names a transition or its target stage; other keys are the data "
                    "the transition requires (note, reason, duplicate_of, outcome...)."),
    "FollowUp": _body({"version": VERSION, **{name: text_or_null(MAX_NOTE)
                                              for name in FOLLOW_UP_FIELDS}}),
    "Assignee": _body({"assignee": NAME, "version": VERSION}, ("assignee",),
                      description='A user id, or "me" to take the case.'),
    "Note": _body({"text": text(MAX_NOTE, 1), "version": VERSION}, ("text",)),
}

_TIME = {"type": ["string", "null"]}
_STRINGS = {"type": "array", "items": {"type": "string"}}

#: Responses. Open objects (more keys may come); only what every reader gets is required.
RESPONSES: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {
            "error": {"type": "object", "required": ["status", "message"],
                      "properties": {"status": {"type": "integer"},
                                     "message": {"type": "string"},
                                     "reason": {"type": "string"},
                                     "fields": _STRINGS}},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
            "case": {"$ref": "#/components/schemas/Case"},
        },
    },
    "Case": {
        "type": "object",
        "description": "A case as the caller may read it: whole for staff, where it stands "
                       "for its reporter, pseudonymised for a mission.",
        "properties": {
            "reference": {"type": "string"}, "pseudonym": {"type": "string"},
            "country": {"type": ["string", "null"]}, "stage": {"type": ["string", "null"]},
            "version": {"type": "integer"}, "form": {"type": ["object", "null"]},
            "language": {"type": ["string", "null"]}, "created_at": _TIME,
            "updated_at": _TIME, "transitions": _STRINGS,
            "events": {"type": "array", "items": {"type": "object"}},
            "follow_ups": {"type": "array", "items": {"type": "object"}},
        },
    },
    "CaseList": {
        "type": "object", "required": ["items", "next_after"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                       "next_after": {"type": ["string", "null"]}},
    },
    "CaseFiled": {
        "type": "object", "required": ["reference", "tracking_code"],
        "properties": {"reference": {"type": "string"}, "tracking_code": {"type": "string"}},
    },
    "Me": {
        "type": "object", "required": ["id", "email", "roles", "org_id", "countries"],
        "properties": {"id": {"type": "string"}, "email": {"type": "string"},
                       "roles": _STRINGS, "org_id": {"type": ["string", "null"]},
                       "countries": _STRINGS},
    },
    "FormSummary": {
        "type": "object", "required": ["id", "version", "hash", "languages", "url"],
        "properties": {"id": {"type": "string"}, "version": {"type": "integer"},
                       "hash": {"type": "string"}, "country": {"type": ["string", "null"]},
                       "languages": _STRINGS, "title": {"type": "object"},
                       "extends": {"type": ["string", "null"]},
                       "published_at": {"type": "string"}, "url": {"type": "string"}},
    },
    "FormList": {
        "type": "object", "required": ["forms"],
        "properties": {"forms": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/FormSummary"}}},
    },
    "Form": {
        "type": "object",
        "description": "A published form, every text in `language`.",
        "required": ["id", "version", "hash", "languages", "language", "direction", "sections"],
        "properties": {"id": {"type": "string"}, "version": {"type": "integer"},
                       "hash": {"type": "string"}, "languages": _STRINGS,
                       "language": {"type": "string"}, "direction": {"enum": ["ltr", "rtl"]},
                       "title": {"type": ["string", "null"]},
                       "sections": {"type": "array", "items": {"type": "object"}}},
    },
    "OpenApi": {"type": "object", "required": ["openapi", "paths"]},
}
