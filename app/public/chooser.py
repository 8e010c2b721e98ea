"""The form chooser: every published country form, with its languages, named in
the visitor's language.

Registered on the intake blueprint by `app.public.questionnaire`.
"""

from __future__ import annotations

from babel import Locale
from flask import render_template
from flask_babel import lazy_gettext as _l

from app.i18n import babel_name, current_language, native_name
from app.navigation import NavEntry
from app.navigation import register as register_nav
from app.public.support import public
from app.services import services

register_nav(NavEntry("intake.choose", _l("Report a violation"), public=True))


def _country_name(country: str) -> str:
    locale = Locale.parse(babel_name(current_language()))
    return locale.territories.get(country, country)


def form_menu() -> list[dict]:
    """Published country forms, each with its languages, for the chooser."""
    svc = services()
    ui = current_language()
    menu = []
    for record in svc.forms.list_latest():
        definition = svc.forms.definition(record["form_id"], int(record["version"]))
        if not definition.country:
            continue
        title_lang = ui if ui in definition.languages else definition.default_language
        menu.append({"id": definition.id, "country": definition.country,
                     "country_name": _country_name(definition.country),
                     "title": definition.text(definition.title, title_lang),
                     "title_lang": title_lang,
                     "languages": [(tag, native_name_or_tag(tag)) for tag in definition.languages]})
    return sorted(menu, key=lambda item: item["country_name"])


def native_name_or_tag(tag: str) -> str:
    try:
        return native_name(tag)
    except ValueError:
        return tag


@public
def choose():
    return render_template("intake/choose.html", forms=form_menu())


def register(bp) -> None:
    bp.add_url_rule("/report", "choose", choose)
