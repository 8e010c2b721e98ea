"""An entity's verified cases counted for its page: by destination state, MWC article
and period, each split by gender.

Pure core: plain case dicts in (what `ENTITY_CASE_FIELDS` projects), `IndicatorTable`s
out, with the counting rule of the indicators (one violation per case per MWC
article). The caller selects the cases (verified ones linked to the entity, within
the reader's scope) and publishes the tables through `exports.suppression`, as every
published table is.

The period is the year the events happened (the case's event period, its first day),
or, when the case gives no date of the events, the year it was filed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from exports.indicators import GENDERS, Entry, IndicatorTable, articles, crosstab
from forms.mwc import load_taxonomy

#: The fields of a case these tables read.
ENTITY_CASE_FIELDS = {"dimensions.destination_country": 1, "dimensions.gender": 1, "mwc": 1,
                      "event": 1, "created_at": 1}
#: Table keys: the first names the indicator grids' destination table, whose rows are
#: countries in words; the second their article table.
BY_DESTINATION = "cases_by_destination"
BY_ARTICLE = "by_article_gender"
BY_PERIOD = "entity_cases_by_period"


def period_year(case: Mapping[str, Any]) -> int | None:
    """The year of the events, else the year of filing; None when neither is known."""
    start = (case.get("event") or {}).get("start") if isinstance(case.get("event"), Mapping) \
        else None
    if isinstance(start, str) and len(start) >= 4 and start[:4].isdigit():
        return int(start[:4])
    filed = case.get("created_at")
    return filed.year if isinstance(filed, datetime) else None


def _gender(case: Mapping[str, Any]) -> Any:
    gender = (case.get("dimensions") or {}).get("gender")
    return gender if gender in GENDERS else None


def entity_tables(cases: Iterable[Mapping[str, Any]]) -> dict[str, IndicatorTable]:
    """The three tables of an entity's page, from its counted cases."""
    cases = list(cases)
    countable = frozenset(load_taxonomy().violation_codes())  # as the indicators count
    by_destination = crosstab(BY_DESTINATION, (
        Entry(((c.get("dimensions") or {}).get("destination_country"),), _gender(c), 1, 1)
        for c in cases), unit="cases", columns=GENDERS)
    by_article = crosstab(BY_ARTICLE, (
        Entry(found, _gender(c), 1, len(found))
        for c in cases for found in [articles(c.get("mwc"), countable)]),
        unit="violations", columns=GENDERS)
    by_period = crosstab(BY_PERIOD, (Entry((period_year(c),), _gender(c), 1, 1) for c in cases),
                         unit="cases", columns=GENDERS)
    return {BY_DESTINATION: by_destination, BY_ARTICLE: by_article, BY_PERIOD: by_period}
