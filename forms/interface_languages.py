"""Which of a form's languages the app's own pages can speak.

A form may be written in any language, but the navigation, buttons, error messages,
receipt and status page around it come from the app's catalogues (app/translations/).
A reporter who picks a language without one reads the form in it and everything else
in English: publishing stays allowed, but the editor must know before reporters do.
"""

from __future__ import annotations

from config.languages import SUPPORTED_UI_LANGUAGES
from forms.errors import ProblemCode

#: Tags a form may use for a language whose catalogue goes by another tag.
_SAME_LANGUAGE = {"fil": "tl"}


def has_interface(tag: str) -> bool:
    """True when the app's pages exist in the language of this form tag."""
    lowered = tag.lower()
    supported = {t.lower() for t in SUPPORTED_UI_LANGUAGES}
    return _SAME_LANGUAGE.get(lowered, lowered) in supported or \
        lowered.split("-")[0] in supported


def warn_languages_without_interface(ctx) -> None:
    """One warning per form language the app's pages cannot be shown in."""
    languages = ctx.data.get("languages")
    for index, tag in enumerate(languages if isinstance(languages, list) else []):
        if isinstance(tag, str) and not has_interface(tag):
            ctx.report(ProblemCode.NO_INTERFACE_LANGUAGE, ("languages", index), language=tag)
