"""Duplicate keys: keyed hashes of who a case is about, for finding possible duplicates.

Pure core: takes plain values and a secret, returns strings; no Flask, Celery,
pymongo, mongomock or wtforms. The routing task stores the keys on the case and
finds earlier cases sharing one with an indexed equality query, so names and
passport numbers are never stored or queried in plain text for this purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Mapping
from typing import Any

#: Which identifying values make each duplicate key, by plain field name.
DUPLICATE_KEY_PARTS: Mapping[str, tuple[str, ...]] = {
    "wnd": ("worker_name", "nationality", "destination_country"),
    "ew": ("employer_name", "worker_name"),
    "pp": ("passport_number",),
}

#: Scripts whose combining marks are accents that reporters often leave out. In other
#: scripts (Devanagari, Bengali, Thai, Sinhala...) the marks are vowels and change the
#: name, so they are kept.
_ACCENTED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARABIC")
_APOSTROPHES = frozenset("'\u2019\u2018\u02bc`\u00b4")
#: What the rules below do to each ASCII character, as one `str.translate` table: most
#: answers are plain ASCII, and looking up every character's Unicode name and category
#: was most of the cost of filing a case (BENCHMARKS.md, "Generating data").
_ASCII_RULES = {
    code: None if chr(code) in _APOSTROPHES
    else " " if unicodedata.category(chr(code))[0] in "PSZ" or unicodedata.category(chr(code)) == "Cc"
    else chr(code).lower()
    for code in range(128)
}


def duplicate_keys(case_fields: Mapping[str, Any], secret: bytes) -> list[str]:
    """Keyed hashes of a case's identifying values, for finding possible duplicates.

    `case_fields` holds the plain values by name: worker_name, nationality,
    destination_country, employer_name, passport_number. Each key is
    `<kind>:<hex HMAC-SHA256>` over the normalised values, made only when every value
    it needs is present. Storing and querying these keys (an indexed equality match)
    finds cases about the same person without the names or passport numbers ever
    being stored or queried in plain text, and without the secret they cannot be
    reversed by hashing guessed names.
    """
    if not isinstance(secret, bytes) or not secret:
        raise ValueError("duplicate_keys needs a non-empty secret key (bytes)")
    keys = []
    for kind, names in DUPLICATE_KEY_PARTS.items():
        parts = [_normalised_part(name, case_fields.get(name)) for name in names]
        if all(parts):
            message = "\x1f".join([kind, *parts]).encode("utf-8")
            keys.append(f"{kind}:{hmac.new(secret, message, hashlib.sha256).hexdigest()}")
    return keys


def _normalised_part(name: str, value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = normalise_identity(value)
    # Passport numbers are written with and without spaces or dashes: drop them all.
    return text.replace(" ", "") if name == "passport_number" else text


def normalise_identity(text: str) -> str:
    """Reduce a name or number to the form two reports of the same person share.

    Case-folds, drops accents, removes apostrophes (D'Souza = DSouza), turns other
    punctuation and symbols into spaces (Siti-Nur = Siti Nur), and collapses spaces.
    """
    if text.isascii():
        return " ".join(text.translate(_ASCII_RULES).split())
    kept: list[str] = []
    base_script = ""
    # Decomposed before and after case-folding: some compatibility characters fold only
    # once decomposed (U+037A gives U+0345, which folds to "ι"), so one pass would not
    # give what a second pass over its own result gives.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    for char in folded:
        category = unicodedata.category(char)
        if category == "Mn":
            if not base_script.startswith(_ACCENTED_SCRIPTS):
                kept.append(char)
            continue
        base_script = unicodedata.name(char, "")
        if char in _APOSTROPHES:
            continue
        if category != "Cf":  # joiners and other invisible format marks carry no letter
            kept.append(" " if category[0] in "PSZ" or category == "Cc" else char)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())
