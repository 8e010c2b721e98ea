"""Mask removed values wherever they appear inside free text.

Removing the name field is not enough when the narrative says "Siti Aminah's
employer kept her passport A1234567". A `Masker` is built per case from the values
redaction removed and replaces each of them inside the remaining free text:

- case-insensitively, with any run of spaces between the words of a value;
- for names and places, also each word of a multi-word value ("Siti", "Aminah"),
  except short words and name particles ("bin", "binti", "van"), which would mask
  ordinary words;
- on word boundaries in scripts written with spaces between words, so "Ana" does not
  mask "banana"; in scripts where names attach to other letters (Chinese, Korean,
  Thai, Arabic, Bengali...) anywhere, since masking too much is the safe mistake;
- phone-like numbers by their digits, so "+60 12-345 6789" is also found written
  "012 3456789".

What it cannot know: a name that appears only inside another removed text (a
cousin named in the safe-contact note) is masked with that whole text, not alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

REPLACEMENTS = {"name": "[name]", "contact": "[contact]", "document": "[document]",
                "location": "[location]"}
DEFAULT_REPLACEMENT = "[removed]"

#: Words inside names that are not names themselves (Malay, Arabic, Dutch, Spanish...).
NAME_PARTICLES = frozenset({
    "bin", "binti", "bte", "bt", "al", "el", "ibn", "abu", "umm", "van", "von", "der",
    "den", "de", "del", "della", "da", "das", "dos", "di", "du", "la", "le", "mr", "mrs",
    "ms", "miss", "madam", "mdm", "sir", "sdn", "bhd", "pte", "ltd", "llc", "inc", "co",
    "company", "and", "the",
})
MIN_SPACED_PART = 3  # shortest word of a name masked alone in scripts written with spaces
MIN_OTHER_PART = 2  # ... in other scripts (a one-character part is too common)
MIN_VALUE = 2  # shortest whole value masked
MIN_PHONE_DIGITS = 7  # digits a number needs before it is compared by its digits
_SPACED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
_PART_SPLIT = re.compile(r"[\s,.;:/()\[\]\"'’‘\-–—]+")
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d\s().\-/]{4,}\d")
_REPEATED = re.compile(
    "(" + "|".join(re.escape(r) for r in [*REPLACEMENTS.values(), DEFAULT_REPLACEMENT])
    + r")(?:\s+\1)+")


@dataclass(frozen=True)
class Secret:
    """A removed value; `kind` is the field's personal kind (None: other sensitive text)."""

    value: str
    kind: str | None = None
    split: bool = False


class Masker:
    """Replace every secret inside a text; build once per case, use on each of its texts."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        terms: dict[str, tuple[str, str]] = {}  # lower-cased term -> (term, replacement)
        self._phones: list[tuple[str, str]] = []
        for secret in secrets:
            replacement = REPLACEMENTS.get(secret.kind or "", DEFAULT_REPLACEMENT)
            for term in _terms(secret):
                terms.setdefault(term.lower(), (term, replacement))
            digits = re.sub(r"\D", "", secret.value)
            if len(digits) >= MIN_PHONE_DIGITS:
                self._phones.append((digits, replacement))
        ordered = sorted(terms.values(), key=lambda t: (-len(t[0]), t[0]))  # values, then parts
        self._replacements = [replacement for _, replacement in ordered]
        patterns = [f"(?P<s{i}>{_pattern(term)})" for i, (term, _) in enumerate(ordered)]
        self._pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def mask(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(self._replace_term, text)
        if self._phones:
            text = _DIGIT_RUN.sub(self._replace_number, text)
        return _REPEATED.sub(r"\1", text)  # "[name] [name]" from "SITI AMINAH" reads as one

    def _replace_term(self, match: re.Match[str]) -> str:
        return self._replacements[int((match.lastgroup or "s0")[1:])]

    def _replace_number(self, match: re.Match[str]) -> str:
        found = re.sub(r"\D", "", match.group())
        for digits, replacement in self._phones:
            if _same_number(found, digits):
                return replacement
        return match.group()


def _terms(secret: Secret) -> list[str]:
    value = " ".join(secret.value.split())
    if len(value) < MIN_VALUE:
        return []
    terms = [value]
    if secret.split:
        terms += [part for part in _PART_SPLIT.split(value) if _maskable_part(part)]
    if "@" in value:  # an e-mail address: its user name is often a handle used elsewhere
        user = value.split("@", 1)[0]
        terms += [user] if len(user) >= 4 else []
    return terms


def _maskable_part(part: str) -> bool:
    if not part or part.casefold() in NAME_PARTICLES or part.isdigit():
        return False
    spaced = all(_spaced(ch) for ch in part if ch.isalpha())
    return len(part) >= (MIN_SPACED_PART if spaced else MIN_OTHER_PART)


def _spaced(ch: str) -> bool:
    """True for letters of scripts that put spaces between words."""
    return ch.isascii() or unicodedata.name(ch, "").startswith(_SPACED_SCRIPTS)


def _pattern(term: str) -> str:
    body = r"\s+".join(re.escape(word) for word in term.split())
    left = r"(?<!\w)" if _bounded(term[0]) else ""
    right = r"(?!\w)" if _bounded(term[-1]) else ""
    return left + body + right


def _bounded(ch: str) -> bool:
    return ch.isalnum() and _spaced(ch)


def _same_number(found: str, digits: str) -> bool:
    """Equal last digits, so a number written with or without its country code matches."""
    tail = min(8, len(found), len(digits))
    return tail >= MIN_PHONE_DIGITS and found[-tail:] == digits[-tail:]
