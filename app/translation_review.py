"""Which interface catalogues a native speaker has reviewed, and how complete each is.

The review state is data (app/translations/review.yaml), not part of the .po files, so
translators and reviewers work on different files; it is read once per process. The
counts come from the catalogues themselves: the messages to translate are those of the
template (messages.pot), the translated ones those in the compiled .mo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.i18n import babel_name

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
REVIEW_FILE = TRANSLATIONS / "review.yaml"
#: The source language needs no translation, hence no review.
SOURCE_LANGUAGE = "en"
#: UI tags whose catalogue folder is not the tag's Babel name (Babel reads `tl` as `fil`).
FOLDERS = {"tl": "fil"}


class ReviewFileError(ValueError):
    """review.yaml is malformed; the message names the entry."""


@dataclass(frozen=True)
class Review:
    catalogue: str
    reviewed: bool
    reviewer: str = ""
    date: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CatalogueState:
    review: Review
    messages: int
    translated: int


def folder_of(tag: str) -> str:
    """The catalogue folder of UI language `tag`."""
    return FOLDERS.get(tag, babel_name(tag))


def parse_reviews(data: object, source: str = "review.yaml") -> dict[str, Review]:
    """Catalogue -> review, checked: a reviewed catalogue names its reviewer and date."""
    if not isinstance(data, dict):
        raise ReviewFileError(f"{source}: expected one entry per catalogue")
    reviews = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("reviewed"), bool):
            raise ReviewFileError(f"{source}: {name}: needs `reviewed: true` or `false`")
        review = Review(str(name), entry["reviewed"], str(entry.get("reviewer") or ""),
                        str(entry.get("date") or ""), str(entry.get("notes") or ""))
        if review.reviewed and not (review.reviewer and _is_date(review.date)):
            raise ReviewFileError(f"{source}: {name}: a reviewed catalogue names its "
                                  "reviewer and the date (YYYY-MM-DD)")
        reviews[review.catalogue] = review
    return reviews


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@cache
def reviews() -> dict[str, Review]:
    """The review file, read once; a catalogue it does not list needs review."""
    with open(REVIEW_FILE, encoding="utf-8") as handle:
        return parse_reviews(yaml.safe_load(handle))


def review_of(folder: str) -> Review:
    return reviews().get(folder) or Review(folder, False)


def needs_review(tag: str) -> bool:
    """Whether pages in UI language `tag` are shown with the needs-review notice."""
    return tag != SOURCE_LANGUAGE and not review_of(folder_of(tag)).reviewed


@cache
def _template_ids() -> frozenset:
    with open(TRANSLATIONS / "messages.pot", "rb") as pot:
        return frozenset(_key(m.id) for m in read_po(pot) if m.id)


def _key(msgid: object) -> object:
    return tuple(msgid) if isinstance(msgid, (list, tuple)) else msgid


@cache
def catalogue_state(folder: str) -> CatalogueState:
    """How many of the template's messages the compiled catalogue translates."""
    wanted = _template_ids()
    with open(TRANSLATIONS / folder / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        catalog = read_mo(mo)
    done = {_key(m.id) for m in catalog if m.id and _filled(m.string)}
    return CatalogueState(review_of(folder), len(wanted), len(wanted & done))


def _filled(string: object) -> bool:
    strings = string if isinstance(string, (list, tuple)) else (string,)
    return bool(strings) and all(strings)


def catalogue_folders() -> list[str]:
    return sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo"))
