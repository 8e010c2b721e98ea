"""The event period: when what a case reports happened, as a span of days.

A reporter gives a day (`violation_date`), or only a year and perhaps a month
(`event_year`, `event_month`), and may say it is approximate (`event_approximate`);
these are questions of the base form, so every country form asks them. The case keeps
the span those answers cover, `{"start", "end", "precision", "approximate"}` with ISO
days, so a mission selecting "2005" finds the case whose events happened "around March
2005" and the one of "14 June 2005" alike: a case is selected when its span and the
chosen period overlap.

Pure: plain answers in, plain data out. Intake stores it, `mrvrs db migrate` fills it
in for cases filed before it existed, filters select by it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

DAY, MONTH, YEAR = "day", "month", "year"
#: A period as written in a filter or on the command line: 2005, 2005-03 or 2005-03-14.
PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


def event_period(answers: Mapping[str, Any]) -> dict[str, Any] | None:
    """The span the answers give, the day first, else the year and month; None when
    the reporter gave neither."""
    approximate = answers.get("event_approximate") is True
    day = _day(answers.get("violation_date"))
    if day is not None:
        return _span(day, day, DAY, approximate)
    year = answers.get("event_year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9999:
        return None
    month = _month(answers.get("event_month"))
    if month is None:
        return _span(date(year, 1, 1), date(year, 12, 31), YEAR, approximate)
    last = calendar.monthrange(year, month)[1]
    return _span(date(year, month, 1), date(year, month, last), MONTH, approximate)


def period_bounds(text: str) -> tuple[date, date]:
    """The first and last day of a period written 2005, 2005-03 or 2005-03-14;
    ValueError when it is none of them."""
    found = PERIOD.match(text.strip())
    if found is None:
        raise ValueError(text)
    year = int(found["year"])
    if found["month"] is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(found["month"])
    if found["day"] is None:
        if not 1 <= month <= 12:
            raise ValueError(text)
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date(year, month, int(found["day"]))
    return day, day


def overlapping(start: date | None, end: date | None) -> list[dict[str, Any]]:
    """Query clauses for the cases whose event span overlaps [start, end] (either may be
    open); cases without an event period never match. Written with `$gte` and `$lt`, as
    the filing filter is (ISO days compare as text)."""
    clauses: list[dict[str, Any]] = []
    if start is not None:
        clauses.append({"event.end": {"$gte": start.isoformat()}})
    if end is not None:
        clauses.append({"event.start": {"$lt": (end + timedelta(days=1)).isoformat()}})
    return clauses


def _span(start: date, end: date, precision: str, approximate: bool) -> dict[str, Any]:
    return {"start": start.isoformat(), "end": end.isoformat(), "precision": precision,
            "approximate": approximate}


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _month(value: Any) -> int | None:
    if isinstance(value, str) and value.isdecimal() and 1 <= int(value) <= 12:
        return int(value)
    return None
