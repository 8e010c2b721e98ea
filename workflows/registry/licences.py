"""Licence and registration numbers, normalised so that one number matches itself
however a list or a person writes it.

Lists write the same number with different case, spaces and dash characters:
"kep. 123/2019" and "KEP.123 / 2019" are one licence, and so are "POEA-123" and
"POEA–123" (an en dash). Only case, white space and the kind of dash are
forgotten: dots, slashes and leading zeros can tell two licences apart.
"""

from __future__ import annotations

import re
import unicodedata

_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")
_SPACE = re.compile(r"\s+")


def normalise_licence(number: str) -> str:
    """The comparable form of a licence number: NFKC, upper case, no white space,
    every dash an ASCII hyphen."""
    text = unicodedata.normalize("NFKC", str(number))
    return _SPACE.sub("", _DASHES.sub("-", text)).upper()


def licence_key(authority: str, number: str) -> str:
    """The key that identifies a licence across the registry: `AUTHORITY:NUMBER`."""
    return f"{authority}:{normalise_licence(number)}"
