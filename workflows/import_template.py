"""The template spreadsheet of a form version, for members who fill it instead of mapping.

Row 1 holds the question ids (so a filled template maps itself), then
`original_reference` and `attachments`. Each header cell carries a note with the
question's label in the chosen language, whether it is required, and for choice
questions the allowed codes; choice columns get a drop-down list (data validation)
read from a `choices` sheet, so a spreadsheet program offers only codes the form
takes. The data starts on row 2, as in any sheet the import reads.
"""

from __future__ import annotations

import io

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from forms.schema import FormDefinition
from workflows.case_import import importable_fields, question_labels

REFERENCE_TITLE, ATTACHMENTS_TITLE = "original_reference", "attachments"
#: Rows the drop-down lists cover.
TEMPLATE_ROWS = 10_000


def template_xlsx(definition: FormDefinition, lang: str, *, notes: dict[str, str]) -> bytes:
    """The template as XLSX bytes; `notes` are translated words: "required", "choices",
    "reference" and "attachments" (the page or command line passes them in its language)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "cases"
    codes = book.create_sheet("choices")
    labels = question_labels(definition, lang)
    fields = importable_fields(definition)
    titles = [f.id for f in fields] + [REFERENCE_TITLE, ATTACHMENTS_TITLE]
    sheet.append(titles)
    for index, question in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=index)
        allowed = [c.value for c in question.choices]
        if question.type in ("boolean", "yesno"):
            allowed = ["yes", "no"]
        text = labels.get(question.id, question.id)
        if question.required:
            text += f"\n({notes['required']})"
        if allowed:
            text += f"\n{notes['choices']}: " + ", ".join(allowed)
            _choice_list(sheet, codes, index, allowed, multiple=question.type == "multichoice")
        cell.comment = Comment(text, "MRVRS")
    sheet.cell(row=1, column=len(fields) + 1).comment = Comment(notes["reference"], "MRVRS")
    sheet.cell(row=1, column=len(fields) + 2).comment = Comment(notes["attachments"], "MRVRS")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 2)
    sheet.freeze_panes = "A2"
    codes.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _choice_list(sheet, codes, index: int, allowed: list[str], *, multiple: bool) -> None:
    """A drop-down of the codes, kept in column `index` of the hidden choices sheet.
    Several choices are written separated by ";", which a list cannot hold, so a
    multiple-choice column only suggests (its error style is a warning)."""
    letter = get_column_letter(index)
    for row, value in enumerate(allowed, start=1):
        codes.cell(row=row, column=index, value=value)
    rule = DataValidation(type="list", formula1=f"=choices!${letter}$1:${letter}${len(allowed)}",
                          allow_blank=True, errorStyle="warning" if multiple else "stop")
    sheet.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
