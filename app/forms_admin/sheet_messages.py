"""Spreadsheet problems (forms.sheet_problems) in the page's language.

The forms package writes English for the command line; the pages translate the
same codes here, with the same parameters.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forms.sheet_problems import WHOLE_FILE, SheetCode, SheetProblem

TEMPLATES = {
    SheetCode.UNREADABLE_XLSFORM: _l("The file cannot be read as an XLSForm workbook: save it "
                                     "from your spreadsheet program as an Excel workbook "
                                     "(.xlsx) and upload it again."),
    SheetCode.UNREADABLE_XLSX: _l("The file cannot be read as an XLSX workbook: save it from "
                                  "your spreadsheet program as an Excel workbook (.xlsx), or "
                                  "as CSV UTF-8, and upload it again."),
    SheetCode.UNREADABLE_CSV: _l("The file cannot be read as CSV text in UTF-8: save it from "
                                 "your spreadsheet program as CSV UTF-8, or as an Excel "
                                 "workbook (.xlsx), and upload it again."),
    SheetCode.BAD_HEADER: _l("The first row must name the columns: key, context, the source "
                             "language and the language of the translations (as exported)."),
    SheetCode.NOT_A_FORM_LANGUAGE: _l("The translations are in “%(language)s”, which is not "
                                      "one of the form's languages (%(languages)s). Add it to "
                                      "the form's languages first."),
    SheetCode.EMPTY_KEY: _l("This row has a translation but no key; copy the key back."),
    SheetCode.UNKNOWN_KEY: _l("The key “%(key)s” is not a text of this form."),
    SheetCode.NO_SUCH_TEXT: _l("The form has no text “%(key)s” to translate (the %(item)s has "
                               "no %(attribute)s)."),
    SheetCode.DUPLICATE_KEY: _l("The key “%(key)s” is also on row %(first)s; keep one row."),
    SheetCode.PLACEHOLDERS: _l("The translation must keep the placeholders of the source text "
                               "exactly: %(expected)s (found: %(found)s)."),
    SheetCode.EMPTY_CELL: _l("The translation cell is empty, but this text is translated "
                             "already. Write the translation, or delete the row to keep the "
                             "current one."),
    SheetCode.MISSING_SHEET: _l("The workbook has no “%(sheet)s” sheet."),
    SheetCode.MISSING_COLUMN: _l("The “%(sheet)s” sheet has no “%(column)s” column."),
    SheetCode.UNSUPPORTED_TYPE: _l("The question type “%(type)s” is not supported%(reason)s. "
                                   "Supported: %(supported)s."),
    SheetCode.UNSUPPORTED_COLUMN: _l("The “%(column)s” column is not supported and is ignored "
                                     "here%(reason)s."),
    SheetCode.UNSUPPORTED_RELEVANT: _l("The condition “%(relevant)s” cannot be imported: only "
                                       "${q} = 'v', selected(${q}, 'v') and “or” of those on "
                                       "one question are.%(reason)s"),
    SheetCode.UNKNOWN_QUESTION: _l("The condition names “${%(name)s}”, which is not a question "
                                   "before this one."),
    SheetCode.BAD_NAME: _l("“%(name)s” cannot be an id: use lowercase letters, digits and _, "
                           "starting with a letter."),
    SheetCode.DUPLICATE_NAME: _l("The name “%(name)s” is also used on row %(first)s."),
    SheetCode.NAME_TAKEN: _l("The name “%(name)s” is already a question or section of the base "
                             "form; choose another."),
    SheetCode.MISSING_LIST: _l("The choice list “%(list)s” is not on the choices sheet."),
    SheetCode.EMPTY_LIST: _l("The choice list “%(list)s” has no choices."),
    SheetCode.NO_LABEL: _l("This row has no label in any language."),
    SheetCode.BAD_MWC: _l("“%(value)s” is not an MWC article to code a violation with. Use "
                          "article numbers separated by spaces or commas, from: %(ranges)s."),
    SheetCode.UNKNOWN_LANGUAGE: _l("The language “%(language)s” of the column “%(column)s” is "
                                   "not a language tag; write it as in label::English (en)."),
    SheetCode.BAD_REQUIRED: _l("required is “%(value)s”; only yes, no, true, false or empty "
                               "can be imported."),
    SheetCode.UNCLOSED_GROUP: _l("The group “%(name)s” begun here is never ended."),
    SheetCode.UNOPENED_GROUP: _l("This row ends a group that was never begun."),
    SheetCode.NESTED_GROUP: _l("Groups inside groups cannot be imported: a form has one level "
                               "of sections."),
    SheetCode.BAD_SETTING: _l("The setting %(setting)s “%(value)s” cannot be used: %(reason)s."),
    SheetCode.BAD_FORM_ID: _l("The form_id “%(value)s” cannot be a form id: use lowercase "
                              "letters, digits and -."),
    SheetCode.NO_QUESTIONS: _l("The survey sheet has no question that can be imported."),
}


def place(problem: SheetProblem) -> str:
    if problem.sheet == WHOLE_FILE:
        return _("the file")
    if problem.row is None:
        return _("sheet %(sheet)s", sheet=problem.sheet)
    return _("sheet %(sheet)s, row %(row)s", sheet=problem.sheet, row=problem.row)


def detail(problem: SheetProblem) -> str:
    template = TEMPLATES.get(problem.code)
    if template is None:
        return problem.detail
    params = {k: ("" if v is None else v) for k, v in problem.params.items()}
    return str(template) % _Params(params)


class _Params(dict):
    """Leave a parameter's slot empty rather than fail (hints are English-only)."""

    def __missing__(self, key: str) -> str:
        return ""
