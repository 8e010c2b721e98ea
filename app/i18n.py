"""Interface language: choice, direction and names, through Flask-Babel.

Language tags are BCP 47 as in form definitions (`zh-Hant`); Babel's catalogues
use underscores (`zh_Hant`).
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask, g, request, session
from flask_babel import Babel, format_decimal
from flask_babel import gettext as _

from config.settings import SUPPORTED_UI_LANGUAGES


def babel_name(tag: str) -> str:
    return tag.replace("-", "_")


@lru_cache(maxsize=64)
def _locale(tag: str) -> Locale:
    return Locale.parse(babel_name(tag))


def text_direction(tag: str) -> str:
    return _locale(tag).text_direction


def native_name(tag: str) -> str:
    name = _locale(tag).get_display_name(babel_name(tag)) or tag
    return name[:1].upper() + name[1:]


def current_language() -> str:
    """The tag chosen for this request: explicit choice, then account, then browser."""
    cached = g.get("language")
    if cached:
        return cached
    chosen = session.get("lang")
    user = g.get("user")
    if chosen not in SUPPORTED_UI_LANGUAGES and user:
        chosen = user.get("language")
    if chosen not in SUPPORTED_UI_LANGUAGES:
        chosen = request.accept_languages.best_match(SUPPORTED_UI_LANGUAGES)
    if chosen not in SUPPORTED_UI_LANGUAGES:
        from app.services import services

        chosen = services().settings.default_language
    g.language = chosen
    return chosen


def file_size(size: int | None) -> str:
    """A file's size in the interface language (Jinja's `filesizeformat` is English)."""
    size = int(size or 0)
    if size < 1000:
        return _("%(size)s bytes", size=format_decimal(size))
    if size < 1_000_000:
        return _("%(size)s kB", size=format_decimal(round(size / 1e3, 1)))
    return _("%(size)s MB", size=format_decimal(round(size / 1e6, 1)))


def _select_locale() -> str:
    return babel_name(current_language())


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=_select_locale)
    from app.roles import role_label

    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(lambda roles: ", ".join(role_label(x) for x in roles or ()),
                            "role_names")

    @app.context_processor
    def language_context() -> dict:
        tag = current_language()
        return {
            "lang_tag": tag,
            "text_dir": text_direction(tag),
            "ui_languages": [(t, native_name(t)) for t in SUPPORTED_UI_LANGUAGES],
        }
