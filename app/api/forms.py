"""Published forms as JSON: `GET /api/v1/forms` and `GET /api/v1/forms/<form id>`.

Both are public, without a token: a form holds no one's data, and partner systems
and offline intake tools need the questions before they have an account. The
views use their own blueprint under the same prefix, with the API's bearer-token
authentication, so a session cookie never counts here either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _

from app.api import authenticate
from app.errors import error_response
from app.extensions import csrf
from app.services import services
from forms.mwc import code, load_taxonomy
from forms.schema import FormDefinition
from forms.store import FormNotFound
from forms.vocabulary import text_direction

bp = Blueprint("api_forms", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only, and token-authenticated like the rest of the API
bp.before_request(authenticate)

#: Keys of a definition that hold a text per language.
TEXT_KEYS = frozenset({"title", "description", "label", "help"})
#: A published version never changes; the list of latest versions does.
VERSION_MAX_AGE = 86_400
LIST_MAX_AGE = 60


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as open to anyone (checked by the roles test)."""
    view.public_view = True  # type: ignore[attr-defined]
    return view


def _summary(record: dict) -> dict[str, Any]:
    return {
        "id": record["form_id"], "version": record["version"], "hash": record["hash"],
        "country": record.get("country"), "languages": record.get("languages", []),
        "title": record.get("title", {}), "extends": record.get("extends"),
        "published_at": record["published_at"].isoformat(),
        "url": url_for("api_forms.form", form_id=record["form_id"],
                       version=record["version"]),
    }


@bp.route("/forms")
@public
def forms_list():
    """The latest version of each published form, with its titles in every language."""
    body = {"forms": [_summary(r) for r in services().forms.list_latest()]}
    return _cached(jsonify(body), LIST_MAX_AGE)


@bp.route("/forms/<form_id>")
@public
def form(form_id: str):
    """One version (latest unless `version`), texts in `lang` (default: the form's first)."""
    store = services().forms
    version = request.args.get("version")
    record = store.latest(form_id) if version is None else store.get(form_id, version)
    if record is None and version is None:
        return error_response(404, _("There is no published form %(form)s.", form=form_id[:100]))
    if record is None:
        return error_response(404, _("The form %(form)s has no version %(version)s.",
                                     form=form_id[:100], version=version[:20]))
    try:
        definition = store.definition(record["form_id"], record["version"])
    except FormNotFound:
        return error_response(404)
    lang = request.args.get("lang") or definition.default_language
    if lang not in definition.languages:
        return error_response(400, _("This form is in %(languages)s only.",
                                     languages=", ".join(definition.languages)))
    body = {**_summary(record), "language": lang, "direction": text_direction(lang),
            **localised(definition, lang)}
    return _cached(jsonify(body), VERSION_MAX_AGE if version is not None else LIST_MAX_AGE)


def localised(definition: FormDefinition, lang: str) -> dict[str, Any]:
    """The merged definition with every text in `lang`, and the choices of mwc fields."""
    data = _texts_in(definition.to_dict(), definition, lang)
    data.pop("form", None)
    taxonomy = load_taxonomy()
    mwc_choices = [{"value": code(n), "label": taxonomy.title(n, lang)}
                   for n in taxonomy.violation_codes()]
    for section in data.get("sections", []):
        for field in section.get("fields", []):
            if field["type"] == "mwc":
                field["choices"] = mwc_choices
    return data


def _texts_in(value: Any, definition: FormDefinition, lang: str) -> Any:
    if isinstance(value, dict):
        return {k: definition.text(v, lang) if k in TEXT_KEYS and isinstance(v, dict)
                else _texts_in(v, definition, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts_in(v, definition, lang) for v in value]
    return value


def _cached(response: Any, max_age: int) -> Any:
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response
