"""Helpers shared by the questionnaire, the status page and the cases API.

Views stay thin adapters: find the published form, turn uploaded files into
plain `Upload` values, and say who is filing, with nothing about the device.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Response, g, make_response, session
from flask_babel import refresh
from flask_wtf import FlaskForm

from app.i18n import babel_name
from app.public.text import TRANSLATIONS
from app.services import services
from config.settings import SUPPORTED_UI_LANGUAGES
from workflows.attachments import Upload
from workflows.intake import FormRecord


class PublicForm(FlaskForm):
    """A Flask-WTF form whose built-in messages come from our catalogues."""

    class Meta:
        def get_translations(self, form: Any) -> Any:
            return TRANSLATIONS


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as deliberately open to visitors (checked by the roles test)."""
    view.public_view = True  # type: ignore[attr-defined]
    return view


def no_store(body: Any, status: int = 200) -> Any:
    """A response no cache keeps: receipts and status pages carry private codes."""
    return forbid_caching(make_response(body, status))


def forbid_caching(response: Response) -> Response:
    """Mark a response that no browser or proxy may keep: it carries case data.

    Registered as `after_request` on every blueprint that serves case data (case
    pages, the API, exports), so no view can forget it.
    """
    response.headers["Cache-Control"] = "no-store, max-age=0"
    response.headers["Pragma"] = "no-cache"
    return response


def use_language(tag: str) -> None:
    """Make a form language the interface language too, when we have it."""
    if tag in SUPPORTED_UI_LANGUAGES:
        session["lang"] = tag
        g.language = tag
        refresh()


def ui_locale(tag: str) -> str:
    """The catalogue name for a form language, or the current one when we lack it."""
    from app.i18n import current_language

    return babel_name(tag if tag in SUPPORTED_UI_LANGUAGES else current_language())


def reporter_of(user: dict | None) -> dict[str, Any]:
    """Who is filing: the account and organisation, or anonymous. Never the device."""
    if not user:
        return {"anonymous": True, "user_id": None, "org_id": None}
    return {"anonymous": False, "user_id": user["_id"], "org_id": user.get("org_id")}


def uploads_from(files: dict[str, Iterable[Any]], max_bytes: int) -> dict[str, list[Upload]]:
    """Plain uploads from Werkzeug files; reads one byte past the limit to notice excess."""
    result: dict[str, list[Upload]] = {}
    for field_id, storages in files.items():
        for storage in storages:
            name = getattr(storage, "filename", "") or ""
            data = storage.stream.read(max_bytes + 1) if name else b""
            if name or data:
                result.setdefault(field_id, []).append(Upload(field_id, name, data))
    return result


def published(form_id: str, version: int | None = None) -> tuple[Any, FormRecord] | None:
    """The definition and record of a published form version (latest when None)."""
    store = services().forms
    record = store.summary(form_id, version)
    if record is None:
        return None
    number = int(record["version"])
    definition = store.definition(form_id, number)
    return definition, FormRecord(form_id, number, record.get("hash") or
                                  definition.definition_hash())
