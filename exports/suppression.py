"""Small-cell suppression for published indicator tables.

A count of 1 to 4 women from one nationality in one town can point at a person,
so published tables show such counts as "<5" (the threshold is configurable;
internal views keep exact numbers). Hiding a cell is not enough when its row or
column total is shown: the total minus the other cells gives it back. So, after
the small cells, further cells are withheld (shown "x") until no row, column or
totals line with a visible total has exactly one hidden cell. This is the usual
simple heuristic of statistical offices, not an optimal pattern.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from exports.indicators import IndicatorTable, Key, Median, YearChange

DEFAULT_THRESHOLD = 5
WITHHELD = "x"
Shown = int | str
Position = tuple[Any, Any]  # (row, column); TOTAL stands for a totals line
TOTAL = ("__total__",)


def marker(threshold: int) -> str:
    return f"<{threshold}"


@dataclass(frozen=True)
class PublishedTable:
    """A table as shown: exact numbers, "<5" for small counts, "x" for withheld ones."""

    table: IndicatorTable
    threshold: int | None
    shown: Mapping[Position, Shown] = field(repr=False)

    def cell(self, row: Key, column: Key) -> Shown:
        return self.shown.get((row, column), 0)

    def row_total(self, row: Key) -> Shown:
        return self.shown.get((row, TOTAL), 0)

    def column_total(self, column: Key) -> Shown:
        return self.shown.get((TOTAL, column), 0)

    @property
    def total(self) -> Shown:
        return self.shown[(TOTAL, TOTAL)]

    def as_rows(self) -> list[list[Any]]:
        columns = (*self.table.columns, TOTAL)
        lines = [[r, *(self.shown[(r, c)] for c in columns)] for r in self.table.rows]
        lines.append(["total", *(self.shown[(TOTAL, c)] for c in columns)])
        return lines

    @property
    def notes(self) -> tuple[str, ...]:
        if self.threshold is None:
            return self.table.notes
        hidden = set(self.shown.values())
        notes = list(self.table.notes)
        if marker(self.threshold) in hidden:
            notes.append(f"{marker(self.threshold)}: a count from 1 to {self.threshold - 1}, "
                         f"not shown so that no one can be singled out.")
        if WITHHELD in hidden:
            notes.append(f"{WITHHELD}: withheld so that a small count cannot be worked out "
                         f"from the totals.")
        return tuple(notes)


def publish(table: IndicatorTable, threshold: int | None = DEFAULT_THRESHOLD) -> PublishedTable:
    """The table as published; `threshold=None` keeps every number (internal views)."""
    values = _grid(table)
    if threshold is None:
        return PublishedTable(table, None, dict(values))
    if threshold < 1:
        raise ValueError("the threshold is a count of at least 1")
    hidden = {p for p, v in values.items() if 0 < v < threshold}
    withheld = _complement(table, values, hidden)
    shown: dict[Position, Shown] = {}
    for position, value in values.items():
        if position in hidden:
            shown[position] = marker(threshold)
        elif position in withheld:
            shown[position] = WITHHELD
        else:
            shown[position] = value
    return PublishedTable(table, threshold, shown)


def _grid(table: IndicatorTable) -> dict[Position, int]:
    values = {(r, c): table.cell(r, c) for r in table.rows for c in table.columns}
    values.update(((r, TOTAL), table.row_totals.get(r, 0)) for r in table.rows)
    values.update(((TOTAL, c), table.column_totals.get(c, 0)) for c in table.columns)
    values[(TOTAL, TOTAL)] = table.total
    return values


def _lines(table: IndicatorTable) -> Iterator[tuple[Position, list[Position]]]:
    """Each line of the grid: its total's position and its members' positions."""
    rows = (*table.rows, TOTAL)
    for row in rows:
        yield (row, TOTAL), [(row, c) for c in table.columns]
    for column in (*table.columns, TOTAL):
        yield (TOTAL, column), [(r, column) for r in table.rows]


def _complement(table: IndicatorTable, values: Mapping[Position, int],
                hidden: set[Position]) -> set[Position]:
    """Withhold cells until no line with a visible total has exactly one hidden member."""
    withheld: set[Position] = set()
    lines = list(_lines(table))
    changed = True
    while changed:
        changed = False
        for total, members in lines:
            gone = hidden | withheld
            if total in gone or sum(m in gone for m in members) != 1:
                continue
            candidates = [m for m in members if m not in gone]
            if not candidates:
                continue
            # the smallest count that is not zero hides least; a zero only if nothing else
            pick = min(candidates, key=lambda m: (values[m] == 0, values[m]))
            withheld.add(pick)
            changed = True
    return withheld


def published_median(median: Median,
                     threshold: int | None = DEFAULT_THRESHOLD) -> float | str | None:
    """A median from fewer cases than the threshold is not shown (it may be one person's)."""
    if median.days is None:
        return None
    if threshold is not None and median.cases < threshold:
        return marker(threshold)
    return median.days


def published_trend(changes: tuple[YearChange, ...],
                    table: PublishedTable) -> list[dict[str, float | str | None]]:
    """Year-on-year change, shown only between two years whose totals are both shown."""
    out: list[dict[str, float | str | None]] = []
    previous_shown = False
    for change in changes:
        count = table.row_total(change.year)
        shown = isinstance(count, int)
        both = shown and previous_shown
        out.append({"year": change.year, "count": count,
                    "change": change.change if both else None,
                    "percent": change.percent if both else None})
        previous_shown = shown
    return out
