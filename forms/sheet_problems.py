"""Problems found in a spreadsheet (a translation sheet or an XLSForm), by sheet and row.

A spreadsheet has no YAML lines, so these problems name the sheet and the row a
member sees in their spreadsheet program. Each code carries an English template
for the command line; the web pages translate the same codes in the page's
language (app/forms_admin/sheet_messages.py), so tests assert on codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.errors import MessageCode


class SheetCode(MessageCode):
    """Every kind of spreadsheet problem, with its English message template."""

    # -- reading a file --------------------------------------------------------------
    UNREADABLE_XLSFORM = (
        "unreadable_xlsform",
        "The file cannot be read as an XLSForm workbook: save it from your spreadsheet "
        "program as an Excel workbook (.xlsx) and upload it again.",
    )
    UNREADABLE_XLSX = (
        "unreadable_xlsx",
        "The file cannot be read as an XLSX workbook: save it from your spreadsheet "
        "program as an Excel workbook (.xlsx), or as CSV UTF-8, and upload it again.",
    )
    UNREADABLE_CSV = (
        "unreadable_csv",
        "The file cannot be read as CSV text in UTF-8: save it from your spreadsheet "
        "program as CSV UTF-8, or as an Excel workbook (.xlsx), and upload it again.",
    )
    # -- translation sheets ----------------------------------------------------------
    BAD_HEADER = (
        "bad_header",
        "The first row must name the columns: key, context, the source language and the "
        "language of the translations (as exported).",
    )
    NOT_A_FORM_LANGUAGE = (
        "not_a_form_language",
        'The translations are in "{language}", which is not one of the form\'s languages '
        "({languages}). Add it to the form's languages first.",
    )
    EMPTY_KEY = ("empty_key", "This row has a translation but no key; copy the key back.")
    UNKNOWN_KEY = ("unknown_key", 'The key "{key}" is not a text of this form.{hint}')
    NO_SUCH_TEXT = (
        "no_such_text",
        'The form has no text "{key}" to translate (the {item} has no {attribute}).',
    )
    DUPLICATE_KEY = ("duplicate_key", 'The key "{key}" is also on row {first}; keep one row.')
    PLACEHOLDERS = (
        "placeholders",
        "The translation must keep the placeholders of the source text exactly: "
        "{expected} (found: {found}).",
    )
    EMPTY_CELL = (
        "empty_cell",
        "The translation cell is empty, but this text is translated already. Write the "
        "translation, or delete the row to keep the current one.",
    )
    # -- XLSForm ---------------------------------------------------------------------
    MISSING_SHEET = ("missing_sheet", 'The workbook has no "{sheet}" sheet.')
    MISSING_COLUMN = ("missing_column", 'The "{sheet}" sheet has no "{column}" column.')
    UNSUPPORTED_TYPE = (
        "unsupported_type",
        'The question type "{type}" is not supported{reason}. Supported: {supported}.',
    )
    UNSUPPORTED_COLUMN = (
        "unsupported_column",
        'The "{column}" column is not supported and is ignored here{reason}.',
    )
    UNSUPPORTED_RELEVANT = (
        "unsupported_relevant",
        'The condition "{relevant}" cannot be imported: only ${{q}} = \'v\', '
        "selected(${{q}}, 'v') and \"or\" of those on one question are.{reason}",
    )
    UNKNOWN_QUESTION = (
        "unknown_question",
        'The condition names "${{{name}}}", which is not a question before this one.',
    )
    BAD_NAME = (
        "bad_name",
        '"{name}" cannot be an id: use lowercase letters, digits and _, starting with a '
        "letter.",
    )
    DUPLICATE_NAME = ("duplicate_name", 'The name "{name}" is also used on row {first}.')
    NAME_TAKEN = (
        "name_taken",
        'The name "{name}" is already a question or section of the base form; choose '
        "another.",
    )
    MISSING_LIST = (
        "missing_list",
        'The choice list "{list}" is not on the choices sheet.',
    )
    EMPTY_LIST = ("empty_list", 'The choice list "{list}" has no choices.')
    NO_LABEL = ("no_label", "This row has no label in any language.")
    BAD_MWC = (
        "bad_mwc",
        '"{value}" is not an MWC article to code a violation with. Use article numbers '
        "separated by spaces or commas, from: {ranges}.",
    )
    UNKNOWN_LANGUAGE = (
        "unknown_language",
        'The language "{language}" of the column "{column}" is not a language tag; write '
        "it as in label::English (en).",
    )
    BAD_REQUIRED = (
        "bad_required",
        'required is "{value}"; only yes, no, true, false or empty can be imported.',
    )
    UNCLOSED_GROUP = ("unclosed_group", 'The group "{name}" begun here is never ended.')
    UNOPENED_GROUP = ("unopened_group", "This row ends a group that was never begun.")
    NESTED_GROUP = (
        "nested_group",
        "Groups inside groups cannot be imported: a form has one level of sections.",
    )
    BAD_SETTING = ("bad_setting", 'The setting {setting} "{value}" cannot be used: {reason}.')
    BAD_FORM_ID = (
        "bad_form_id",
        'The form_id "{value}" cannot be a form id: use lowercase letters, digits and -.',
    )
    NO_QUESTIONS = ("no_questions", "The survey sheet has no question that can be imported.")


#: `SheetProblem.sheet` of a problem with the whole file (it could not be read at all).
WHOLE_FILE = ""


@dataclass(frozen=True)
class SheetProblem:
    """One problem, at a sheet and row (None: the whole file); fatal ones stop the import."""

    code: SheetCode
    sheet: str
    row: int | None
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    fatal: bool = True

    @property
    def detail(self) -> str:
        return self.code.text(self.params)

    @property
    def where(self) -> str:
        if self.sheet == WHOLE_FILE:
            return "the file"
        return f"{self.sheet}, row {self.row}" if self.row is not None else self.sheet

    @property
    def message(self) -> str:
        return f"{self.where}: {self.detail}"

    def __str__(self) -> str:
        return self.message
