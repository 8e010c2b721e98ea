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
from forms.vocabulary import CONSENT_PURPOSES

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


#: The "type" of each kind of column (English, like these docs).
LABEL_KIND = {False: 'label of a code (the code is in "{}")',
              True: 'labels joined with "; " (the codes are in "{}")'}
CODE_KIND = {False: "code", True: 'codes joined with "; "'}
_COUNTRY = "country code (ISO 3166-1 alpha-2)"
_BOOLEAN = "true or false (empty: not answered)"
_YES_NO = 'true (yes), false (no) or "prefer_not_to_say" (empty: not answered)'
ANSWER_KINDS = {
    "text": "text", "textarea": "text", "email": "text", "phone": "text",
    "integer": "whole number", "decimal": "number", "date": "date (ISO 8601)",
    "boolean": _BOOLEAN, "yesno": _YES_NO, "country": _COUNTRY,
    "file": "number of files attached", "mwc": 'MWC article codes joined with "; "',
}
DIMENSION_KINDS = {"country": _COUNTRY, "date": "date (ISO 8601)"}
DIMENSION_SENSITIVITY = "standard dimension: kept in pseudonymised exports"
FREE_TEXT_SENSITIVITY = ("free text that may name people: in pseudonymised exports the "
                         "case's removed values are masked in it")
TERM_KIND = "true or false: the case was filed in this term (empty: another country's form)"
COMMON_NOTES = {
    "reference": ColumnNote("The case's reference", "text",
                            sensitivity="identifies the case: only in full exports"),
    "pseudonym": ColumnNote("The case, under a pseudonym made for this export only", "text"),
    "country": ColumnNote("Country whose team handles the case", _COUNTRY),
    "form_id": ColumnNote("Form the case was filed on", "text"),
    "form_version": ColumnNote("Version of that form", "whole number"),
    "language": ColumnNote("Language the report was filed in", "language tag (BCP 47)"),
    "created_at": ColumnNote("When the case was filed",
                             "date and time (ISO 8601); the day only when pseudonymised"),
    "stage": ColumnNote("Stage of the case", "code"),
    "outcome": ColumnNote("Outcome of a closed case (empty while open)", "code", (
        ("resolved", "Resolved"), ("referred", "Referred"), ("unresolved", "Unresolved"),
        ("withdrawn", "Withdrawn"))),
    "mwc_codes": ColumnNote("MWC articles the case cites", 'MWC article codes joined with ";"'),
    "mwc_titles": ColumnNote("Titles of those articles", 'text joined with "; "'),
    "local_terms": ColumnNote("Local terms chosen, with their country", 'text joined with "; "'),
    "mwc_code": ColumnNote("MWC article violated (one row per case and article)", "code"),
    "mwc_article": ColumnNote("Number of that article", "whole number"),
    "mwc_title": ColumnNote("Title of that article", "text"),
    "mwc_part": ColumnNote("Part of the Convention the article is in", "text"),
    "documented_only": ColumnNote("The right is one of documented workers only", "true or false"),
    **{f"consent.{p}": ColumnNote(f"Consent to {p.replace('_', ' ')}", _BOOLEAN)
       for p in CONSENT_PURPOSES},
}


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
