"""The form chooser: every published country form, described and named in the
visitor's language.

A form's own title exists only in the form's languages, so the chooser describes
each form with a catalogue sentence built around the country's name (Babel's
territory names), which every interface language has. Forms offered in the
visitor's language come first; the others say so and still link to every language
they have, each named in that language, so nobody is kept from filing.

Registered on the intake blueprint by `app.public.questionnaire`.
"""

from __future__ import annotations

from babel import Locale
from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.i18n import babel_name, current_language, native_name
from app.navigation import NavEntry
from app.navigation import register as register_nav
from app.public.support import public
from app.services import services
from forms.schema import FormDefinition

register_nav(NavEntry("intake.choose", _l("Report a violation"), public=True))


def _country_name(country: str) -> str:
    locale = Locale.parse(babel_name(current_language()))
    return locale.territories.get(country, country)


def is_origin_form(definition: FormDefinition) -> bool:
    """A form of a country of origin preselects its country as the nationality;
    a destination state's form preselects it as the place of work."""
    return any(f.dimension == "nationality" and f.default == definition.country
               for f in definition.fields())


def describe(definition: FormDefinition, country_name: str) -> str:
    """One sentence in the visitor's language saying who the form is for."""
    if is_origin_form(definition):
        return _("For workers from %(country)s, wherever they worked: report what "
                 "happened to you or to someone you know.", country=country_name)
    return _("Work in %(country)s: report what happened to you or to someone you know.",
             country=country_name)


def menu_entry(definition: FormDefinition, ui: str) -> dict:
    """What the chooser shows of one form, in the visitor's language `ui`."""
    country_name = _country_name(definition.country or "")
    offered = ui in definition.languages
    languages = sorted(definition.languages, key=lambda tag: tag != ui)
    return {"id": definition.id, "country": definition.country,
            "country_name": country_name,
            "description": describe(definition, country_name),
            "offered": offered,
            "title": definition.text(definition.title, ui) if offered else None,
            "languages": [(tag, native_name_or_tag(tag)) for tag in languages]}


def form_menu() -> list[dict]:
    """Published country forms for the chooser: those in the visitor's language
    first, then the rest, each group by country name."""
    svc = services()
    ui = current_language()
    menu = []
    for record in svc.forms.list_latest():
        definition = svc.forms.definition(record["form_id"], int(record["version"]))
        if definition.country:
            menu.append(menu_entry(definition, ui))
    return sorted(menu, key=lambda item: (not item["offered"], item["country_name"]))


def native_name_or_tag(tag: str) -> str:
    try:
        return native_name(tag)
    except ValueError:
        return tag


@public
def choose():
    return render_template("intake/choose.html", forms=form_menu(),
                           ui_language_name=native_name(current_language()))


def register(bp) -> None:
    bp.add_url_rule("/report", "choose", choose)
