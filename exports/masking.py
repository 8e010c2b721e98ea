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

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

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
_WORD = re.compile(r"\w+")
_NON_DIGIT = re.compile(r"\D")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
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
    """Replace every secret inside a text; build once per case, use on each of its texts.

    Building compiles nothing per case (a per-case regular expression cost more
    than the rest of an export row): words are matched by looking them up, and only
    values in scripts without spaces between words get a pattern, cached by value.
    """

    def __init__(self, secrets: Iterable[Secret]) -> None:
        self._words = _WordTerms()
        self._inside: dict[str, str] = {}  # values matched inside words -> replacement
        self._phones: list[tuple[str, str]] = []
        for secret in secrets:
            replacement = REPLACEMENTS.get(secret.kind or "", DEFAULT_REPLACEMENT)
            for term in _terms(secret):
                if _bounded(term):
                    self._words.add(term, replacement)
                else:
                    self._inside.setdefault(term, replacement)
            digits = _NON_DIGIT.sub("", secret.value)
            if len(digits) >= MIN_PHONE_DIGITS:
                self._phones.append((digits, replacement))

    def mask(self, text: str) -> str:
        for term in sorted(self._inside, key=lambda t: (-len(t), t)):
            text = _inside_pattern(term).sub(self._inside[term], text)
        text = self._words.mask(text)
        if self._phones:
            text = _DIGIT_RUN.sub(self._replace_number, text)
        return _REPEATED.sub(r"\1", text)  # "[name] [name]" from "SITI AMINAH" reads as one

    def _replace_number(self, match: re.Match[str]) -> str:
        found = _NON_DIGIT.sub("", match.group())
        for digits, replacement in self._phones:
            if _same_number(found, digits):
                return replacement
        return match.group()


class _Sequence(NamedTuple):  # a tuple: made for every term of every case, so cheaply
    words: tuple[str, ...]  # case-folded
    separators: tuple[str, ...]  # between the words; " " stands for any run of spaces
    replacement: str
    lead: str = ""  # what the value has before its first word ("+" of "+60 12...")
    trail: str = ""  # ... and after its last word


class _WordTerms:
    """Values found as whole words: a value's words in a row, its separators between."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[_Sequence]] = {}

    def add(self, term: str, replacement: str) -> None:
        spans = list(_WORD.finditer(term))
        separators = tuple(_separator(term[a.end():b.start()]) for a, b in pairwise(spans))
        sequence = _Sequence(tuple(m.group().casefold() for m in spans), separators, replacement,
                             term[:spans[0].start()], term[spans[-1].end():])
        found = self._by_first.setdefault(sequence.words[0], [])
        if all(s.words != sequence.words or s.separators != separators for s in found):
            found.append(sequence)
            found.sort(key=lambda s: -len(s.words))  # the longest value wins

    def mask(self, text: str) -> str:
        folded = text.casefold()
        if not any(first in folded for first in self._by_first):
            return text  # the common case, checked at the speed of a substring search
        words = list(_WORD.finditer(text))
        pieces: list[str] = []
        done = i = 0
        while i < len(words):
            sequence = self._match(text, words, i)
            if sequence is None:
                i += 1
                continue
            start = words[i].start()
            end = words[i + len(sequence.words) - 1].end()
            if sequence.lead and text[max(done, start - len(sequence.lead)):start] == sequence.lead:
                start -= len(sequence.lead)
            if sequence.trail and text[end:end + len(sequence.trail)] == sequence.trail:
                end += len(sequence.trail)
            pieces += [text[done:start], sequence.replacement]
            done = end
            i += len(sequence.words)
            while i < len(words) and words[i].start() < done:
                i += 1
        pieces.append(text[done:])
        return "".join(pieces)

    def _match(self, text: str, words: list[re.Match[str]], i: int) -> _Sequence | None:
        for sequence in self._by_first.get(words[i].group().casefold(), ()):
            n = len(sequence.words)
            if i + n > len(words):
                continue
            if all(words[i + k].group().casefold() == sequence.words[k] for k in range(1, n)) \
                    and all(_separator(text[words[i + k].end():words[i + k + 1].start()])
                            == sequence.separators[k] for k in range(n - 1)):
                return sequence
        return None


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
    spaced = part.isascii() or all(_spaced(ch) for ch in part if ch.isalpha())
    return len(part) >= (MIN_SPACED_PART if spaced else MIN_OTHER_PART)


@functools.lru_cache(maxsize=8192)
def _spaced(ch: str) -> bool:
    """True for letters of scripts that put spaces between words."""
    return ch.isascii() or unicodedata.name(ch, "").startswith(_SPACED_SCRIPTS)


def _separator(between: str) -> str:
    """What lies between two words, with any run of spaces read as one space."""
    return " " if between and between.isspace() else between


@functools.lru_cache(maxsize=4096)
def _inside_pattern(term: str) -> re.Pattern[str]:
    """A value in a script without word spaces, found anywhere, spaces flexible."""
    return re.compile(r"\s+".join(re.escape(word) for word in term.split()), re.IGNORECASE)


def _bounded(term: str) -> bool:
    """True when every letter of `term` is from a script that puts spaces between words."""
    if term.isascii():  # the common case, without looking at each letter's script
        return _ASCII_ALNUM.search(term) is not None
    return any(ch.isalnum() for ch in term) and all(_spaced(ch) for ch in term if ch.isalpha())


def _same_number(found: str, digits: str) -> bool:
    """Equal last digits, so a number written with or without its country code matches."""
    tail = min(8, len(found), len(digits))
    return tail >= MIN_PHONE_DIGITS and found[-tail:] == digits[-tail:]
