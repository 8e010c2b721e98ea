"""Helpers of the form editor: who may edit which form, reading the posted
definition, compiling it against the published forms, and building previews.

Kept apart from the views so each view reads as: read, check, compile, act.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel import UnknownLocaleError
from flask_babel import get_translations
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden
from werkzeug.utils import secure_filename

from app import roles as r
from app.i18n import native_name
from forms.audience import for_reporters
from forms.compiler import CompileResult, compile_text
from forms.loader import ParsedSource, parse_definition
from forms.schema import FormDefinition
from forms.store import MAX_SOURCE_CHARS, TypeChange
from forms.wtf import DefinitionForm, build_form_class

#: The WTForms prefix of the preview, so its inputs never clash with the editor's.
PREVIEW_PREFIX = "preview"


def may_edit(user: dict, country: str | None) -> bool:
    """Coordinators edit every form; a form editor only the forms of their countries."""
    if r.has_role(user, r.COORDINATOR):
        return True
    return bool(country) and country in (user.get("countries") or ())


def require_edit(user: dict, *countries: str | None) -> None:
    """Refuse (403, with the reason) unless the user may edit forms of every country."""
    for country in countries:
        if may_edit(user, country):
            continue
        if not country:
            message = _("Only coordinators may edit forms that belong to no country, "
                        "such as the base form.")
        else:
            message = _("This form is for %(country)s; you may edit only the forms of "
                        "%(countries)s.", country=country,
                        countries=", ".join(user.get("countries") or ()) or _("no country"))
        refusal = Forbidden(message)
        refusal.mrvrs_message = True  # type: ignore[attr-defined]
        raise refusal


@dataclass(frozen=True)
class Posted:
    """The definition text an editor sent, where it came from, and what went wrong."""

    text: str
    origin: str
    errors: tuple[str, ...] = ()


def posted_text(source: str | None, upload: Any, form_id: str | None) -> Posted:
    """The uploaded file when one was chosen, else the text area's text."""
    origin = f"{form_id}.yaml" if form_id else "definition.yaml"
    text = (source or "").replace("\r\n", "\n")
    if upload is not None and getattr(upload, "filename", ""):
        origin = secure_filename(upload.filename) or origin
        data = upload.read(MAX_SOURCE_CHARS * 4 + 1)
        try:
            text = data.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            return Posted(text, origin, (_("The file is not UTF-8 text. Save it as UTF-8 "
                                           "and upload it again."),))
    if len(text) > MAX_SOURCE_CHARS:
        return Posted(text[:MAX_SOURCE_CHARS], origin, (
            _("The definition is too long: at most %(max)s characters.", max=MAX_SOURCE_CHARS),))
    return Posted(text, origin)


def compile_posted(posted: Posted, library: dict[str, ParsedSource]) -> CompileResult:
    return compile_text(posted.text, posted.origin, library)


def written_form(posted: Posted) -> tuple[str | None, str | None]:
    """The form id and country written in the text, read even when it does not compile."""
    parsed = parse_definition(posted.text, posted.origin)
    data = parsed.data if isinstance(parsed.data, dict) else {}
    country = data.get("country")
    return parsed.form_id, country if isinstance(country, str) else None


def preview_form(definition: FormDefinition, lang: str | None) -> DefinitionForm:
    """The questionnaire as reporters will see it, in `lang` or the form's first language."""
    lang = lang if lang in definition.languages else definition.default_language
    form_class = build_form_class(for_reporters(definition), lang)
    return form_class(prefix=PREVIEW_PREFIX, meta={"translations": get_translations()})


def language_names(tags: Iterable[str]) -> dict[str, str]:
    """Each language named in itself, for language switchers; the tag when Babel has none."""
    names = {}
    for tag in tags:
        try:
            names[tag] = native_name(tag)
        except (ValueError, UnknownLocaleError):
            names[tag] = tag
    return names


def type_change_text(change: TypeChange) -> str:
    return _('The field "%(field)s" was published as a %(old)s field (version %(version)s) '
             "and cannot become a %(new)s field. Give the new question a new id instead, "
             "so answers already given keep their meaning.", field=change.field_id,
             old=change.old_type, new=change.new_type, version=change.version)


def record_publication(svc: Any, record: dict, actor: str) -> None:
    """The audit event every new version gets, whoever published it."""
    svc.audit.record("form.publish", actor=actor,
                     target=f"{record['form_id']}:{record['version']}",
                     form_id=record["form_id"], version=record["version"],
                     hash=record["hash"], country=record.get("country"))


def uncovered_text(country: str) -> str:
    """Why a form for `country` is not published, and who fixes it where."""
    return _("No team covers %(country)s, so its reports would reach the secretariat "
             "unnoticed; the form was not published. An administrator or coordinator gives "
             "%(country)s to a team on the Routing page, or an "
             "administrator accepts the secretariat for %(country)s there; then publish "
             "again.", country=country)
