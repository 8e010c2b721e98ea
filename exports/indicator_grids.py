"""Indicator tables as grids of words and numbers, for pages, reports and aggregate files.

`exports.indicators` keeps rows and columns as keys (article numbers, codes, None
for "not recorded"); people read an article's title, a perpetrator type's label,
"Not recorded". Labels of articles and dimension values come in the chosen
language from the taxonomy and the dimension definitions; the few fixed words
(titles, "Total", "Not recorded"...) are English unless the caller passes
translated `words`, as the web pages do. Cells go through `suppression.publish`,
so a published grid shows "<5" and "x" where it must and `threshold=None` keeps
exact numbers. Countries are named in the chosen language (Babel's territory names).

A year the cases cannot fully cover (the current one, or one the selection cuts) is
"partial": its row says so and no change is computed from or to it, since a partial
year would read as a fall (a "-100%" trend on the first of January).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError

from exports.indicator_runs import IndicatorSet
from exports.indicators import IndicatorTable, Key
from exports.suppression import publish, published_median, published_trend
from exports.tabular import Column, Table, TaggedRow
from forms.dimensions import load_dimensions
from forms.mwc import code, load_taxonomy

#: Table key -> (title, what the rows are), in the order pages and reports show them.
TABLES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "by_article_destination": ("Violations by MWC article and destination country",
                               ("MWC article",)),
    "by_article_dest_gender": ("Violations by MWC article and destination country, "
                                  "split by gender", ("MWC article", "Destination country")),
    "by_article_gender": ("Violations by MWC article, split by gender", ("MWC article",)),
    "by_perpetrator": ("Violations by perpetrator type, split by gender",
                       ("Perpetrator type",)),
    "by_status": ("Violations by immigration status, split by gender",
                  ("Immigration status",)),
    "by_outcome": ("Cases by outcome, split by gender", ("Outcome",)),
    "per_year": ("Violations per year of filing, split by gender", ("Year",)),
}
#: The indicators page's first table: the cases of every destination country in scope.
OVERVIEW = {"cases_by_destination": ("Cases by destination country, split by gender",
                         ("Destination country",))}
ROW_DIMENSIONS = {"by_perpetrator": "perpetrator_type", "by_status": "immigration_status"}
OUTCOMES = {"resolved": "Resolved", "referred": "Referred", "unresolved": "Unresolved",
            "withdrawn": "Withdrawn", None: "Open (no outcome yet)"}
NOT_RECORDED = "Not recorded"
TOTAL = "Total"
PARTIAL = "partial"


@dataclass(frozen=True)
class Grid:
    """One table as shown: headers, lines of (row words, cells, row total), totals line."""

    key: str
    title: str
    unit: str
    row_headers: tuple[str, ...]
    column_headers: tuple[str, ...]
    lines: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]
    totals: tuple[Any, ...]
    notes: tuple[str, ...]


class Words:
    """The fixed words, English unless translated ones are given."""

    def __init__(self, lang: str = "en", words: Mapping[str, str] | None = None) -> None:
        self.lang = lang
        self._words = dict(words or {})

    def __call__(self, text: str) -> str:
        return self._words.get(text, text)

    def gender(self, value: Key) -> str:
        if value is None:
            return self(NOT_RECORDED)
        return self._label("gender", value)

    def _label(self, dimension: str, value: Key) -> str:
        labels = load_dimensions().get(dimension).labels.get(value) or {}
        return labels.get(self.lang) or labels.get("en") or str(value)

    def country(self, code: Key) -> str:
        """A country's name in the chosen language; its code when Babel has no name."""
        if not code:
            return self(NOT_RECORDED)
        return _territories(self.lang).get(str(code), str(code))

    def article(self, number: Key) -> str:
        taxonomy = load_taxonomy()
        if isinstance(number, int) and number in taxonomy:
            return f"{code(number)} {taxonomy.title(number, self.lang)}"
        return str(number)

    def row(self, table_key: str, row: Key) -> tuple[str, ...]:
        """An article with its title, a country code, a dimension label, an outcome."""
        if table_key == "by_article_dest_gender" and isinstance(row, tuple):
            return (self.article(row[0]), self.country(row[1]))
        if table_key == "cases_by_destination":
            return (self.country(row),)
        if table_key.startswith("by_article"):
            return (self.article(row),)
        if row is None and table_key != "by_outcome":
            return (self(NOT_RECORDED),)
        if table_key in ROW_DIMENSIONS:
            return (self._label(ROW_DIMENSIONS[table_key], row),)
        if table_key == "by_outcome":
            return (self(OUTCOMES.get(row, str(row))),)
        return (str(row),)

    def column(self, table_key: str, column: Key) -> str:
        """Destination countries head the first table's columns; gender heads the others."""
        if table_key == "by_article_destination":
            return self.country(column)
        return self.gender(column)


@lru_cache(maxsize=32)
def _territories(lang: str) -> Mapping[str, str]:
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return dict(locale.territories)


def partial_years(years: Iterable[int], today: date, start: date | None = None,
                  end: date | None = None) -> frozenset[int]:
    """The years not wholly counted: not over yet, or cut by the selection's first or last day."""
    partial = set()
    for year in years:
        first, last = date(year, 1, 1), date(year, 12, 31)
        if today <= last or (start and start > first) or (end and end < last):
            partial.add(year)
    return frozenset(partial)


def grid(key: str, table: IndicatorTable, *, threshold: int | None = None,
         words: Words | None = None, partial: Collection[int] = ()) -> Grid:
    """The table in words; small cells shown "<threshold" unless `threshold` is None."""
    words = words or Words()
    shown = publish(table, threshold)
    lines = shown.as_rows()
    title, row_headers = {**TABLES, **OVERVIEW}.get(key, (key, ("",)))

    def row_words(row: Key) -> tuple[str, ...]:
        if key == "per_year" and row in partial:
            return (f"{row} ({words(PARTIAL)})",)
        return words.row(key, row)

    body = tuple((row_words(line[0]), tuple(line[1:])) for line in lines[:-1])
    return Grid(key, words(title), table.unit, tuple(words(h) for h in row_headers),
                tuple(words.column(key, c) for c in table.columns) + (words(TOTAL),),
                body, tuple(lines[-1][1:]), shown.notes)


def grids(found: IndicatorSet, *, threshold: int | None = None,
          words: Words | None = None, partial: Collection[int] = ()) -> list[Grid]:
    return [grid(key, found.table(key), threshold=threshold, words=words, partial=partial)
            for key in TABLES if key in found.tables]


def trend_lines(found: IndicatorSet, threshold: int | None = None,
                partial: Collection[int] = ()) -> list[dict[str, Any]]:
    """Year, count and change from the year before, shown only where both years are shown
    and complete; a partial year is marked and neither has nor gives a change."""
    lines = published_trend(found.trend, publish(found.table("per_year"), threshold))
    previous_partial = False
    for line in lines:
        line["partial"] = line["year"] in partial
        if line["partial"] or previous_partial:
            line["change"] = line["percent"] = None
        previous_partial = bool(line["partial"])
    return lines


def duration_lines(found: IndicatorSet,
                   threshold: int | None = None) -> list[tuple[str, Any, int]]:
    """(what, median days, cases it is taken from) for verification and closure."""
    d = found.durations
    return [("Filing to verification", published_median(d.to_verification, threshold),
             d.to_verification.cases),
            ("Filing to closure", published_median(d.to_closure, threshold),
             d.to_closure.cases)]


# -- aggregate exports ------------------------------------------------------------------


def aggregate_tables(found: IndicatorSet, lang: str = "en",
                     threshold: int | None = None) -> tuple[list[Table], Iterator[TaggedRow]]:
    """Every grid as an export table (a sheet or a file), then trend and durations."""
    shown = grids(found, threshold=threshold, words=Words(lang))
    tables = [_table(g) for g in shown]
    tables.append(Table("trend", tuple(Column(k, k.capitalize()) for k in
                                       ("year", "count", "change", "percent"))))
    tables.append(Table("durations", (Column("measure", "Median days"),
                                      Column("days", "Days"), Column("cases", "Cases"))))

    def rows() -> Iterator[TaggedRow]:
        for g, table in zip(shown, tables, strict=False):
            keys = table.keys
            for words_, cells in g.lines:
                yield g.key, dict(zip(keys, (*words_, *cells), strict=True))
            yield g.key, dict(zip(keys, (TOTAL, *[""] * (len(g.row_headers) - 1),
                                         *g.totals), strict=True))
        for line in trend_lines(found, threshold):
            yield "trend", {k: line[k] for k in ("year", "count", "change", "percent")}
        for what, days, cases in duration_lines(found, threshold):
            yield "durations", {"measure": what, "days": days, "cases": cases}

    return tables, rows()


def _table(g: Grid) -> Table:
    rows = [Column(f"row_{i + 1}", h) for i, h in enumerate(g.row_headers)]
    cells = [Column(f"col_{i + 1}", h) for i, h in enumerate(g.column_headers)]
    return Table(g.key, (*rows, *cells))
