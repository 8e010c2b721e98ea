"""What every writer shares: the result it returns and the cell rules.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, so an answer such as ``=HYPERLINK("http://…")`` typed on the public form
would act on the computer of whoever opens the export. Following OWASP's CSV
injection guidance, such a cell gets a leading ``'`` so it stays text; real
numbers, and strings that are nothing but a number, are left as they are.

Spreadsheets set up for East Asian input also read the full-width and small forms
(``＝``, ``＋``, ``－``, ``＠``, ``﹦``...) as those characters, and reporters here
type in Chinese, Korean and Japanese layouts: a first character is compared after
Unicode compatibility folding (NFKC), which maps each of those forms to its
ASCII character, and the minus sign ``−`` counts as ``-``.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, Protocol

from exports.tabular import Table, TaggedRow

#: First characters that make a spreadsheet read a cell as a formula (OWASP, ASVS 1.2.10).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)  # every trigger is one character
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

Scalar = str | int | float | bool | None
Notes = Callable[[], Sequence[str]]


class UnknownTableError(ValueError):
    """A row named a table the writer was not given headers for."""


@dataclass(frozen=True)
class WriteResult:
    """How many rows went into each table, for the audit record and the page."""

    rows: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def count(self, table: str) -> int:
        return self.rows.get(table, 0)


class Writer(Protocol):
    """Write tagged rows into one output stream in one pass, in constant memory."""

    format: ClassVar[str]

    def media_type(self, tables: Sequence[Table]) -> str: ...

    def suffix(self, tables: Sequence[Table]) -> str: ...

    def write(self, rows: Iterable[TaggedRow], headers: Sequence[Table], out: IO[bytes], *,
              notes: Notes | None = None) -> WriteResult: ...


def plain(value: Any) -> Scalar:
    """Any value as a JSON scalar: dates as ISO text, anything unknown as text."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return str(value)


def neutralise(text: str) -> str:
    """Make a string that a spreadsheet would run as a formula inert text."""
    first = text[:1]
    if first in _TRIGGER_CHARS:
        return text if _PLAIN_NUMBER.fullmatch(text) else "'" + text
    if first > "\x7f" and _folded(first) in _TRIGGER_CHARS:
        return "'" + text  # a full-width "－5" is not a number a spreadsheet keeps as typed
    return text


@functools.lru_cache(maxsize=4096)
def _folded(char: str) -> str:
    """The character a spreadsheet may read `char` as: its NFKC form, minus signs as "-"."""
    if char in _MINUS_SIGNS:
        return "-"
    return unicodedata.normalize("NFKC", char)[:1]


#: Dashes read as a minus by spreadsheets that NFKC leaves alone (MINUS SIGN).
_MINUS_SIGNS = frozenset({"\u2212"})


def spreadsheet_value(value: Any) -> Scalar:
    """The value a spreadsheet cell gets: numbers and booleans kept, text neutralised."""
    value = plain(value)
    return neutralise(value) if isinstance(value, str) else value


def csv_text(value: Any) -> str:
    """The text of a CSV cell: empty for no value, lower-case booleans."""
    kind = type(value)  # the common exact types first: this runs for every cell
    if kind is str:
        return neutralise(value)
    if value is None:
        return ""
    if kind is int or kind is float:
        return str(value)
    value = spreadsheet_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table_index(headers: Sequence[Table]) -> dict[str, Table]:
    """Headers by table name, refusing two tables of one name."""
    index = {t.name: t for t in headers}
    if len(index) != len(headers):
        raise ValueError("two tables share one name")
    if not index:
        raise ValueError("an export needs at least one table")
    return index


class Sink(Protocol):
    """Where the rows of one table go."""

    def row(self, values: Mapping[str, Any]) -> None: ...


def stream_rows(rows: Iterable[TaggedRow], sinks: Mapping[str, Sink]) -> dict[str, int]:
    """Send each row to its table's sink, one at a time; return the rows per table."""
    counts = dict.fromkeys(sinks, 0)
    for name, values in rows:
        sink = sinks.get(name)
        if sink is None:
            raise UnknownTableError(f"a row for table {name!r}, which has no headers")
        sink.row(values)
        counts[name] += 1
    return counts


def collect_notes(notes: Notes | None) -> tuple[str, ...]:
    """Ask for the notes only now, after the rows, so counts made while streaming are final."""
    return tuple(notes()) if notes is not None else ()
