"""The codebook of an export: what each column holds, for the researcher who opens the file.

One row per column of every table (cases and violations): the column's title as the
file shows it, its stable key (what JSON Lines and programs read), the question it
comes from, the kind of value, the codes it may hold with their labels in the
export's language, how sensitive it is, and the forms that ask it. It travels inside
the export (a `codebook` sheet, a `codebook.csv` or `codebook.jsonl` in the ZIP), so
a file passed on still explains itself, and it is written last, when the columns of
the export are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from exports.tabular import Column, Table, TaggedRow

#: Separator between the codes of one cell of the codebook ("woman = Woman; man = Man").
CODE_JOIN = "; "

#: The codebook's columns: (key, the word for its header in `column_words`).
_HEADERS = (("table", "table"), ("column", "column"), ("key", "key"), ("question", "question"),
            ("type", "type"), ("codes", "codes_allowed"), ("sensitivity", "sensitivity"),
            ("forms", "forms"))


def codebook_table(words: Mapping[str, str]) -> Table:
    """The codebook's table, headed in the export's language (`column_words`)."""
    return Table("codebook", tuple(Column(key, words[word]) for key, word in _HEADERS))

NOT_SENSITIVE = "not sensitive"


@dataclass(frozen=True)
class ColumnNote:
    """What the codebook says of one column (its title comes from the table itself)."""

    question: str
    kind: str
    codes: tuple[tuple[str, str], ...] = ()  # (code, label in the export's language)
    sensitivity: str = NOT_SENSITIVE
    forms: tuple[str, ...] = ()


def codebook_rows(tables: Iterable[Table],
                  notes: Mapping[str, ColumnNote]) -> Iterator[TaggedRow]:
    """One "codebook" row per column of `tables`, in the order the files show them."""
    for table in tables:
        for column in table.columns:
            note = notes.get(column.key) or ColumnNote(column.label, "text")
            yield "codebook", {
                "table": table.name, "column": column.label, "key": column.key,
                "question": note.question, "type": note.kind,
                "codes": CODE_JOIN.join(f"{c} = {label}" for c, label in note.codes) or None,
                "sensitivity": note.sensitivity,
                "forms": CODE_JOIN.join(note.forms) or None,
            }
