"""WTForms' own messages that staff forms can show, marked here so `pybabel extract`
puts them in the catalogues, and the mixin that makes a form read them from there.

WTForms formats these messages itself after translating them; the list only marks them.
The reporters' forms have their own short list in app/public/text.py.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from app.public.text import TRANSLATIONS

STAFF_MESSAGES = [
    _l("Not a valid choice."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _ln("Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.", 1),
    _ln("Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.", 1),
    _ln("'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.", 1),
    _l("Number must be between %(min)s and %(max)s."),
]


class Translated:
    """Mixin for a form whose WTForms messages come from our catalogues."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS
