"""The countries a case may name: ISO 3166-1 alpha-2 codes, named from Babel's CLDR data.

One list for the country questions of the built forms and for every check that a
configured code is one of them (routing rules), so a code the form cannot store is
never accepted elsewhere.
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError

#: Territory codes Babel names that are not countries a person can come from.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


@functools.cache
def country_names(lang: str) -> tuple[tuple[str, str], ...]:
    """(ISO code, name in `lang`) of every country, sorted by name; English if unknown."""
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("en")
    names = locale.territories
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES]
    return tuple(sorted(((c, names[c]) for c in codes), key=lambda pair: pair[1].casefold()))


@functools.cache
def country_codes() -> frozenset[str]:
    """Every code a country question accepts (the same in every language)."""
    return frozenset(code for code, _ in country_names("en"))
