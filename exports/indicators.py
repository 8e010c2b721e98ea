"""Indicator tables from aggregation results: plain arithmetic, same data, same numbers.

Input is what the pipelines of `exports.pipelines` return (lists of plain dicts);
output is `IndicatorTable` values with rows, columns, totals and exact counts. The
counting rule (domain reference §3): one violation per case per MWC article, so a
case citing three articles is three violations and the same article cited twice in
one case is one. Only articles in `countable` count (pass the taxonomy's violation
codes to leave out the articles that describe scope).

Every table can be split by gender: its columns are then the gender values, with
None for "not recorded". Totals are counted, not added up: where a case can sit in
several rows (several perpetrator types), the column totals still count it once.
Small-cell suppression for published tables is in `exports.suppression`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from exports.pipelines import LIST_KEYS

Key = Any  # a row or column value: an article number, a code, a year, a tuple, or None
GENDERS: tuple[Key, ...] = ("woman", "man", "non_binary", "other", "undisclosed", None)
UNITS = ("violations", "cases")
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class IndicatorTable:
    """Exact counts by row and column, with counted totals."""

    name: str
    unit: str
    rows: tuple[Key, ...]
    columns: tuple[Key, ...]
    cells: Mapping[tuple[Key, Key], int] = field(repr=False)
    row_totals: Mapping[Key, int] = field(repr=False)
    column_totals: Mapping[Key, int] = field(repr=False)
    total: int = 0
    notes: tuple[str, ...] = ()

    def cell(self, row: Key, column: Key) -> int:
        return self.cells.get((row, column), 0)

    def as_rows(self) -> list[list[Any]]:
        """[row, cells..., row total] lines, then the totals line: for pages and tests."""
        lines = [[r, *(self.cell(r, c) for c in self.columns), self.row_totals.get(r, 0)]
                 for r in self.rows]
        lines.append(["total", *(self.column_totals.get(c, 0) for c in self.columns),
                      self.total])
        return lines


@dataclass(frozen=True)
class Entry:
    """One group's contribution: to each of its rows, and once to its column and the total."""

    rows: tuple[Key, ...]
    column: Key
    per_row: int
    once: int


def order(key: Key) -> tuple[Any, ...]:
    """Sort numbers as numbers, text as text, tuples by their parts, None last."""
    if isinstance(key, tuple):
        return (False, "tuple", tuple(order(k) for k in key))
    if key is None:
        return (True, "", 0)
    return (False, type(key).__name__, key)


def crosstab(name: str, entries: Iterable[Entry], *, unit: str,
             rows: Sequence[Key] | None = None, columns: Sequence[Key] | None = None,
             notes: Sequence[str] = ()) -> IndicatorTable:
    """Add entries up; fixed `rows`/`columns` appear even when zero, others as seen."""
    cells: Counter[tuple[Key, Key]] = Counter()
    row_totals: Counter[Key] = Counter()
    column_totals: Counter[Key] = Counter()
    total = 0
    for entry in entries:
        if entry.once == 0 and entry.per_row == 0:
            continue
        for row in entry.rows:
            cells[(row, entry.column)] += entry.per_row
            row_totals[row] += entry.per_row
        column_totals[entry.column] += entry.once
        total += entry.once
    all_rows = _keys(rows, row_totals)
    all_columns = _keys(columns, column_totals)
    return IndicatorTable(name, unit, all_rows, all_columns, dict(cells), dict(row_totals),
                          dict(column_totals), total, tuple(notes))


def _keys(fixed: Sequence[Key] | None, seen: Iterable[Key]) -> tuple[Key, ...]:
    extra = sorted((k for k in seen if fixed is None or k not in fixed), key=order)
    return (*fixed, *extra) if fixed is not None else tuple(extra)


def _group_id(group: Mapping[str, Any]) -> Mapping[str, Any]:
    group_id = group.get("_id")
    return group_id if isinstance(group_id, Mapping) else {}


def articles(value: Any, countable: Collection[int] | None) -> tuple[int, ...]:
    """The articles of one group, each once: the counting rule."""
    values = value if isinstance(value, list) else []
    found = {v for v in values if isinstance(v, int) and not isinstance(v, bool)}
    return tuple(sorted(n for n in found if countable is None or n in countable))


def values_of(value: Any) -> tuple[Key, ...]:
    """A key's values: a list once each (empty: not recorded), a value as itself."""
    if isinstance(value, list):
        return tuple(dict.fromkeys(value)) or (None,)
    return (value,)


def _weight(group: Mapping[str, Any], unit: str, countable: Collection[int] | None) -> int:
    cases = int(group.get("n", 0))
    if unit == "cases":
        return cases
    return cases * len(articles(_group_id(group).get("mwc"), countable))


def split_by_gender(groups: Iterable[Mapping[str, Any]], key: str, *, name: str | None = None,
                    unit: str = "violations",
                    countable: Collection[int] | None = None) -> IndicatorTable:
    """Rows by `key` (perpetrator, status, outcome, destination...), columns by gender."""
    _check_unit(unit)

    def entries() -> Iterator[Entry]:
        for group in groups:
            gid = _group_id(group)
            weight = _weight(group, unit, countable)
            yield Entry(values_of(gid.get(key)), gid.get("gender"), weight, weight)

    note = (f"A case naming several values of {key} is counted under each; the totals "
            f"count it once.")
    notes = [note] if key in LIST_KEYS else []
    return crosstab(name or f"{unit}_by_{key}_and_gender", entries(), unit=unit,
                    columns=GENDERS, notes=notes)


def by_article(groups: Iterable[Mapping[str, Any]], column_key: str | None = "gender", *,
               name: str | None = None,
               countable: Collection[int] | None = None) -> IndicatorTable:
    """Violations by MWC article (rows) and `column_key` (destination, gender...)."""

    def entries() -> Iterator[Entry]:
        for group in groups:
            gid = _group_id(group)
            found = articles(gid.get("mwc"), countable)
            cases = int(group.get("n", 0))
            column = gid.get(column_key) if column_key else "all"
            yield Entry(found, column, cases, cases * len(found))

    columns = GENDERS if column_key == "gender" else None
    return crosstab(name or f"violations_by_article_and_{column_key}", entries(),
                    unit="violations", columns=columns)


def by_article_country_and_gender(groups: Iterable[Mapping[str, Any]], *,
                                  countable: Collection[int] | None = None) -> IndicatorTable:
    """Rows (article, destination country), columns by gender."""

    def entries() -> Iterator[Entry]:
        for group in groups:
            gid = _group_id(group)
            cases = int(group.get("n", 0))
            found = articles(gid.get("mwc"), countable)
            rows = tuple((a, gid.get("destination")) for a in found)
            yield Entry(rows, gid.get("gender"), cases, cases * len(found))

    return crosstab("violations_by_article_country_and_gender", entries(), unit="violations",
                    columns=GENDERS)


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; use {' or '.join(UNITS)}")


def per_year(results: Mapping[int, Iterable[Mapping[str, Any]]], *, unit: str = "violations",
             countable: Collection[int] | None = None) -> IndicatorTable:
    """Rows by year (every year asked for, even with nothing), columns by gender."""
    _check_unit(unit)

    def entries() -> Iterator[Entry]:
        for year, groups in results.items():
            for group in groups:
                weight = _weight(group, unit, countable)
                yield Entry((year,), _group_id(group).get("gender"), weight, weight)

    return crosstab(f"{unit}_per_year", entries(), unit=unit, rows=sorted(results),
                    columns=GENDERS)


@dataclass(frozen=True)
class YearChange:
    year: int
    count: int
    change: int | None  # from the year before; None for the first year
    percent: float | None  # None when the year before had none


def trend(table: IndicatorTable) -> tuple[YearChange, ...]:
    """Year-on-year change of a `per_year` table's row totals."""
    changes: list[YearChange] = []
    previous: int | None = None
    for year in table.rows:
        count = table.row_totals.get(year, 0)
        change = None if previous is None else count - previous
        percent = round(100 * change / previous, 1) if change is not None and previous else None
        changes.append(YearChange(year, count, change, percent))
        previous = count
    return tuple(changes)


@dataclass(frozen=True)
class Median:
    days: float | None  # None when there were no cases
    cases: int


@dataclass(frozen=True)
class Durations:
    to_verification: Median
    to_closure: Median


def durations(rows: Iterable[Mapping[str, Any]]) -> Durations:
    """Median days from filing to the first verification, and to closure.

    Closure counts only cases closed now, at their last closing (a case reopened
    and closed again took that long); a reopened case still open has not closed.
    """
    to_verification: list[float] = []
    to_closure: list[float] = []
    for row in rows:
        filed = _utc(row.get("created_at"))
        times = [(e.get("to"), _utc(e.get("at"))) for e in row.get("events") or ()
                 if isinstance(e, Mapping)]
        verified = [at for to, at in times if to == "verified" and at is not None]
        closed = [at for to, at in times if to == "closed" and at is not None]
        if filed is None:
            continue
        if verified:
            to_verification.append(_days(filed, min(verified)))
        if closed and row.get("stage") == "closed":
            to_closure.append(_days(filed, max(closed)))
    return Durations(_median(to_verification), _median(to_closure))


def _utc(value: Any) -> datetime | None:
    """Aware datetimes as they are; naive ones (a client without tz_aware) read as UTC."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / SECONDS_PER_DAY


def _median(values: list[float]) -> Median:
    if not values:
        return Median(None, 0)
    return Median(round(statistics.median(values), 1), len(values))
