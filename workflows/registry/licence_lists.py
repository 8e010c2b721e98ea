"""Reading a licensed-agency list as an authority publishes it (CSV or XLSX).

Pure core: bytes and a column mapping in, plain rows and problems out. The member
says which of the list's columns hold what (`{"name": "Nama Perusahaan", "licence":
"No. Izin", "address": "Alamat", "status": "Status"}`; name and licence are needed)
and, when the list has a status column, what its words mean (`{"Dicabut": "revoked"}`;
our own status words are always understood).

Every problem is reported, by row and column as the spreadsheet numbers them (the
header is row 1). A list with any problem gives no rows at all: importing half a list
would record the other half's agencies as if they had vanished.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.spreadsheets import (
    EMPTY,
    TOO_LARGE,
    TOO_MANY_ROWS,
    UNREADABLE_CSV,
    UNREADABLE_XLSX,
    UnreadableSheet,
    cell_text,
    read_table,
)
from workflows.registry.entities import STATUSES
from workflows.registry.licences import normalise_licence

FIELDS = ("name", "licence", "address", "status")
REQUIRED_FIELDS = ("name", "licence")
DEFAULT_STATUS = "licensed"  # a list without a status column lists licensed agencies
MAX_ROWS = 100_000


@dataclass(frozen=True)
class ListProblem:
    """One problem of a list; `row` 0 and `column` "" when it concerns the whole list."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}" if self.row else "", f"column {self.column!r}"
                 if self.column else ""]
        place = ", ".join(part for part in where if part)
        return f"{place}: {self.message}" if place else self.message


@dataclass(frozen=True)
class ListRow:
    """One agency of the list, as plain values (`status` is one of ours)."""

    row: int
    name: str
    licence: str
    address: str | None
    status: str


@dataclass
class ListReading:
    rows: list[ListRow] = field(default_factory=list)
    problems: list[ListProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_list(data: bytes, filename: str, columns: Mapping[str, str],
              status_words: Mapping[str, str] | None = None) -> ListReading:
    """Read the list in `data` (XLSX when it starts as a ZIP archive does, else CSV)."""
    reading = ListReading()
    words = _status_words(status_words or {}, reading.problems)
    _check_mapping(columns, reading.problems)
    if reading.problems:
        return reading
    try:
        table = iter(read_table(data, max_rows=MAX_ROWS + 2).rows)
    except UnreadableSheet as exc:
        return ListReading(problems=[ListProblem(0, "", f"{filename}: {_unreadable(exc)}")])
    header = next(table, None)
    if header is None:
        return ListReading(problems=[ListProblem(0, "", f"{filename}: the list is empty")])
    positions = _positions(header, columns, reading.problems)
    if reading.problems:
        return reading
    rows = _rows(table, positions, columns, words, reading.problems)
    if not reading.problems:
        reading.rows = rows
    return reading


def _status_words(given: Mapping[str, str], problems: list[ListProblem]) -> dict[str, str]:
    words = {status.casefold(): status for status in STATUSES}
    for word, status in given.items():
        if status not in STATUSES:
            problems.append(ListProblem(0, "", f"the status word {word!r} is mapped to "
                                               f"{status!r}, which is not one of "
                                               f"{', '.join(STATUSES)}"))
        words[word.strip().casefold()] = status
    return words


def _check_mapping(columns: Mapping[str, str], problems: list[ListProblem]) -> None:
    for name in columns:
        if name not in FIELDS:
            problems.append(ListProblem(0, "", f"{name!r} is not something the registry reads "
                                               f"from a list (known: {', '.join(FIELDS)})"))
    for name in REQUIRED_FIELDS:
        if not str(columns.get(name) or "").strip():
            problems.append(ListProblem(0, "", f"say which column holds the {name}"))


def _positions(header: list[Any], columns: Mapping[str, str],
               problems: list[ListProblem]) -> dict[str, int]:
    """Where each mapped column is, matched ignoring case and surrounding spaces."""
    titles = [_text(cell).casefold() for cell in header]
    positions = {}
    for name, title in columns.items():
        wanted = title.strip().casefold()
        if wanted in titles:
            positions[name] = titles.index(wanted)
        else:
            present = ", ".join(repr(_text(c)) for c in header if _text(c))
            problems.append(ListProblem(1, title, f"the list has no column {title!r} for the "
                                                  f"{name} (its columns: {present})"))
    return positions


def _rows(table: Iterable[list[Any]], positions: Mapping[str, int], columns: Mapping[str, str],
          words: Mapping[str, str], problems: list[ListProblem]) -> list[ListRow]:
    rows: list[ListRow] = []
    first_row_of: dict[str, int] = {}
    for number, cells in enumerate(table, start=2):
        if number > MAX_ROWS + 1:
            problems.append(ListProblem(number, "", f"a list may have at most {MAX_ROWS} rows"))
            break
        values = {name: _text(cells[i]) if i < len(cells) else ""
                  for name, i in positions.items()}
        if not any(values.values()):
            continue  # blank lines between blocks of a list are not agencies
        row = _row(number, values, columns, words, problems)
        if row is None:
            continue
        key = normalise_licence(row.licence)
        if key in first_row_of:
            problems.append(ListProblem(number, columns["licence"],
                                        f"licence {row.licence} is already on row "
                                        f"{first_row_of[key]}"))
            continue
        first_row_of[key] = number
        rows.append(row)
    return rows


def _row(number: int, values: Mapping[str, str], columns: Mapping[str, str],
         words: Mapping[str, str], problems: list[ListProblem]) -> ListRow | None:
    before = len(problems)
    for name in REQUIRED_FIELDS:
        if not values[name]:
            problems.append(ListProblem(number, columns[name], f"the {name} is empty"))
    status = DEFAULT_STATUS
    if "status" in values:
        word = values["status"]
        status = words.get(word.casefold(), "")
        if not status:
            problems.append(ListProblem(number, columns["status"],
                                        f"the status {word!r} is not one the import knows; "
                                        "map it with --status-word" if word else
                                        "the status is empty"))
    if len(problems) > before:
        return None
    return ListRow(row=number, name=values["name"], licence=values["licence"],
                   address=values.get("address") or None, status=status)


def _text(value: Any) -> str:
    return cell_text(value)


#: Why a list cannot be read, by the shared reader's code (forms/spreadsheets.py).
_UNREADABLE = {
    UNREADABLE_CSV: "the file is neither an XLSX workbook nor UTF-8 text; "
                    "save it as XLSX or as CSV in UTF-8",
    UNREADABLE_XLSX: "the workbook cannot be read",
    TOO_MANY_ROWS: f"a list may have at most {MAX_ROWS} rows",
    TOO_LARGE: "the file is too large",
    EMPTY: "the list is empty",
}


def _unreadable(exc: UnreadableSheet) -> str:
    return _UNREADABLE.get(exc.code, exc.code)
