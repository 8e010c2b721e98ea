"""Bulk import of case files a member already keeps: check every row, then file them.

Pure core, no Flask or database: a sheet (`forms.spreadsheets.Table`), a mapping of
its columns to a published form version's questions, and optionally a ZIP archive of
attachments go in; checked rows with their problems come out (`check_sheet`).

- Every row is checked by the very form class intake uses (`forms.wtf`, built from
  `forms.audience.for_reporters`): required questions, choices, dates, numbers,
  patterns and relevance (`show_if`) are the definition's rules and nothing else.
- A problem names the row as the spreadsheet program numbers it (the header is row 1)
  and the column by its title. Its sentence is kept as an English msgid with its
  parameters (`RowProblem.message`, `.params`) and translated where it is shown, in
  the reader's language: a job's problems are read later, perhaps by someone else.
- Rows are keyed (`import_key`): by the original reference when the sheet has one
  (per organisation and form country), else by a hash of the row's answers and file
  names, so the same row imported twice is the same case.
- Attachments are read from the archive by file name, in memory and never past the
  intake limit, then checked by `workflows.attachments.check_uploads` as intake does.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from forms.audience import for_reporters
from forms.schema import Field, FormDefinition
from forms.spreadsheets import Table, cell_text
from forms.vocabulary import YES_NO_POSTED
from forms.wtf import build_form_class
from workflows.attachments import AttachmentsRefused, Upload, check_uploads, safe_name


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


#: Most rows of one import (the header not counted).
MAX_ROWS = 10_000
#: Rows between two reports of progress while checking.
PROGRESS_ROWS = 50
#: What a column may be mapped to besides a question.
REFERENCE, ATTACHMENTS, SKIP = "_reference", "_attachments", ""
#: Most entries and declared bytes of an attachments archive.
MAX_ARCHIVE_ENTRIES = 10_000
MAX_ARCHIVE_BYTES = 2 * 1024 ** 3
#: Question types a column cannot fill (files come through the archive).
NOT_MAPPABLE = frozenset({"file"})
#: Separators of several values in one cell (multiple choices, file names).
LIST_SEPARATORS = re.compile(r"\s*[;\n]\s*")
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "ya", "oo", "si", "sí", "oui", "ja"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "tidak", "hindi", "non", "nein"})

# -- sentences (msgids) of the problems this module finds itself ---------------------------
UNREADABLE = {
    "unreadable_csv": N_("The file cannot be read as CSV text in UTF-8: save it from your "
                         "spreadsheet program as CSV UTF-8, or as an Excel workbook (.xlsx)."),
    "unreadable_xlsx": N_("The file cannot be read as an Excel workbook (.xlsx): save it "
                          "again from your spreadsheet program, or as CSV UTF-8."),
    "too_large": N_("The file is too large to import (at most %(max)s bytes)."),
    "too_many_rows": N_("The file has more rows than one import takes (at most %(max)s)."),
    "empty": N_("The file has no rows."),
}
NO_ROWS = N_("The sheet has a header row but no cases under it.")
NOTHING_MAPPED = N_("No column is matched to a question of the form.")
UNKNOWN_QUESTION = N_("%(question)s is not a question of this form version.")
MAPPED_TWICE = N_("Two columns are matched to the question %(question)s: %(columns)s.")
TITLED_TWICE = N_("Two columns are titled %(column)s; give each column its own title.")
NO_SUCH_COLUMN = N_("The sheet has no column %(column)s.")
REFERENCE_TWICE = N_("The original reference %(reference)s is also on row %(row)s.")
SAME_AS_ROW = N_("This row repeats row %(row)s; give each case its original reference.")
REFERENCE_TOO_LONG = N_("An original reference may have at most %(max)s characters.")
NO_ARCHIVE = N_("This row names files, but no ZIP archive of attachments was uploaded.")
NOT_IN_ARCHIVE = N_("The file %(name)s is not in the ZIP archive.")
NAMED_TWICE_IN_ARCHIVE = N_("The ZIP archive holds more than one file named %(name)s.")
BAD_ARCHIVE = N_("The attachments are not a ZIP archive that can be read.")
ARCHIVE_TOO_LARGE = N_("The ZIP archive holds too many files or too many bytes to import.")
ATTACHMENT_REFUSED = {
    "too_large": N_("The file %(name)s is larger than the %(max)s bytes a report may attach."),
    "too_many": N_("This row names more files than a report may attach (%(max)s)."),
    "empty": N_("The file %(name)s is empty."),
    "type_refused": N_("The file %(name)s is not a document, photo, sound or video that "
                       "reports may attach."),
}
MAX_REFERENCE_CHARS = 200


@dataclass(frozen=True)
class RowProblem:
    """One problem: `row` 0 and `column` "" when it concerns the whole file."""

    row: int
    column: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, gettext: Callable[[str], str] | None = None) -> str:
        template = gettext(self.message) if gettext else self.message
        return template % dict(self.params) if self.params else template

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message,
                "params": {k: str(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RowProblem:
        return cls(int(data["row"]), str(data["column"]), str(data["message"]),
                   dict(data.get("params") or {}))


@dataclass(frozen=True)
class ColumnMap:
    """Which question each column (by its title) answers; `REFERENCE`, `ATTACHMENTS` or
    `SKIP` instead of a question id for the original reference, file names, or nothing."""

    columns: Mapping[str, str]

    @property
    def reference(self) -> str | None:
        return next((c for c, q in self.columns.items() if q == REFERENCE), None)

    @property
    def attachments(self) -> str | None:
        return next((c for c, q in self.columns.items() if q == ATTACHMENTS), None)

    def questions(self) -> dict[str, str]:
        """Column title -> question id, for the columns that answer a question."""
        return {c: q for c, q in self.columns.items() if q not in (REFERENCE, ATTACHMENTS, SKIP)}


@dataclass
class CheckedRow:
    """One row after the checks: its answers as intake stores them, or its problems."""

    row: int
    reference: str
    answers: dict[str, Any]
    files: list[str]
    key: str = ""
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class SheetCheck:
    rows: list[CheckedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)  # whole-file ones

    def all_problems(self) -> list[RowProblem]:
        return [*self.problems, *(p for row in self.rows for p in row.problems)]

    @property
    def ok(self) -> bool:
        return not self.all_problems()


# -- the questions a column may answer -------------------------------------------------------

def importable_fields(definition: FormDefinition) -> list[Field]:
    """The questions a sheet may fill: a reporter's, files excepted."""
    return [f for f in for_reporters(definition).fields() if f.type not in NOT_MAPPABLE]


def question_labels(definition: FormDefinition, lang: str) -> dict[str, str]:
    """Question id -> its label in `lang` (the form's first language when it lacks it)."""
    language = lang if lang in definition.languages else definition.languages[0]
    texts = build_form_class(for_reporters(definition), language).texts
    wanted = {f.id for f in importable_fields(definition)}
    return {f.id: f.label for s in texts.sections for f in s.fields if f.id in wanted}


def suggested_map(header: Iterable[Any], definition: FormDefinition,
                  lang: str) -> dict[str, str]:
    """Columns titled as a question's id or label (a filled template, a careful sheet) are
    matched to it; "original_reference" and "attachments" to those; others to nothing."""
    labels = question_labels(definition, lang)
    by_title = {key.casefold(): key for key in labels}
    by_title.update({label.casefold(): key for key, label in labels.items()})
    by_title.update({"original_reference": REFERENCE, "attachments": ATTACHMENTS})
    titles = [cell_text(c) for c in header]
    return {t: by_title.get(t.casefold(), SKIP) for t in titles if t}


# -- checking ----------------------------------------------------------------------------------

def check_sheet(definition: FormDefinition, table: Table, mapping: ColumnMap, *,
                org_id: str, archive: Archive | None = None, max_bytes: int = 10 * 1024 ** 2,
                max_files: int = 10,
                progress: Callable[[int, int], None] | None = None) -> SheetCheck:
    """Every row checked as intake checks a report; nothing is stored. `progress` is told
    (rows checked, rows in all) every `PROGRESS_ROWS` rows and at the end."""
    result = SheetCheck()
    form = for_reporters(definition)
    result.problems = _mapping_problems(form, table, mapping)
    if result.problems:
        return result
    if len(table.rows) < 2:
        result.problems.append(RowProblem(0, "", NO_ROWS))
        return result
    positions = _positions(table.header)
    form_class = build_form_class(form, definition.languages[0])
    keys: dict[str, int] = {}
    body = table.body()
    for done, (number, cells) in enumerate(body, start=1):
        if progress is not None and (done % PROGRESS_ROWS == 0 or done == len(body)):
            progress(done, len(body))
        if not any(cell_text(c) for c in cells):
            continue  # blank lines between blocks are not cases
        row = _check_row(form, form_class, number, cells, positions, mapping)
        _check_files(row, mapping.attachments or "", archive, max_bytes, max_files)
        row.key = import_key(definition, org_id, row)
        _check_unique(row, keys, mapping.reference or "")
        row.problems.sort(key=lambda p: positions.get(p.column, len(positions)))
        result.rows.append(row)
    return result


def _mapping_problems(form: FormDefinition, table: Table,
                      mapping: ColumnMap) -> list[RowProblem]:
    titles = [cell_text(c) for c in table.header]
    twice = sorted(t for t, n in Counter(titles).items() if t and n > 1)
    if twice:
        return [RowProblem(1, title, TITLED_TWICE, {"column": title}) for title in twice]
    known = {f.id for f in form.fields() if f.type not in NOT_MAPPABLE}
    problems = [RowProblem(1, column, NO_SUCH_COLUMN, {"column": column})
                for column, target in mapping.columns.items()
                if target != SKIP and column not in titles]
    questions = mapping.questions()
    problems += [RowProblem(1, column, UNKNOWN_QUESTION, {"question": question})
                 for column, question in questions.items() if question not in known]
    columns_of: dict[str, list[str]] = {}
    for column, target in mapping.columns.items():
        if target != SKIP:
            columns_of.setdefault(target, []).append(column)
    problems += [RowProblem(1, ", ".join(cols), MAPPED_TWICE,
                            {"question": target, "columns": ", ".join(cols)})
                 for target, cols in columns_of.items() if len(cols) > 1]
    if not questions:
        problems.append(RowProblem(0, "", NOTHING_MAPPED))
    return problems


def _positions(header: list[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, cell in enumerate(header):
        positions.setdefault(cell_text(cell), i)
    return positions


def _cell(cells: list[Any], positions: Mapping[str, int], column: str) -> Any:
    i = positions.get(column)
    return cells[i] if i is not None and i < len(cells) else None


def _check_row(form: FormDefinition, form_class: Any, number: int, cells: list[Any],
               positions: Mapping[str, int], mapping: ColumnMap) -> CheckedRow:
    fields = {f.id: f for f in form.fields()}
    posted = {q: as_posted(fields[q], _cell(cells, positions, c))
              for c, q in mapping.questions().items()}
    built = form_class(formdata=_FormData({k: v for k, v in posted.items() if v}),
                       meta={"translations": MSGIDS})
    reference = cell_text(_cell(cells, positions, mapping.reference)) if mapping.reference \
        else ""
    files = [n for n in LIST_SEPARATORS.split(cell_text(
        _cell(cells, positions, mapping.attachments))) if n] if mapping.attachments else []
    row = CheckedRow(number, reference, {}, files)
    if not built.validate():
        column_of = {q: c for c, q in mapping.questions().items()}
        for question in fields:
            for error in built.by_id(question).errors:
                if error:
                    row.problems.append(_problem(number, column_of.get(question, question),
                                                 error))
    else:
        row.answers = built.answers()
    if len(reference) > MAX_REFERENCE_CHARS:
        row.problems.append(RowProblem(number, mapping.reference or "", REFERENCE_TOO_LONG,
                                       {"max": MAX_REFERENCE_CHARS}))
    return row


def _check_unique(row: CheckedRow, keys: dict[str, int], reference_column: str) -> None:
    first = keys.setdefault(row.key, row.row)
    if first == row.row:
        return
    if row.reference:
        row.problems.append(RowProblem(row.row, reference_column, REFERENCE_TWICE,
                                       {"reference": row.reference, "row": first}))
    else:
        row.problems.append(RowProblem(row.row, "", SAME_AS_ROW, {"row": first}))


def as_posted(question: Field, value: Any) -> list[str]:
    """A cell as the strings a browser would post for the question (nothing when empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    if question.type in ("boolean", "yesno"):
        return _yes_no(question, value)
    if question.type in ("multichoice", "mwc"):
        return [v for v in LIST_SEPARATORS.split(cell_text(value).replace(",", ";")) if v]
    if question.type in ("text", "textarea") and isinstance(value, str):
        return [value.strip()]
    return [cell_text(value)]


def _yes_no(question: Field, value: Any) -> list[str]:
    word = value if isinstance(value, bool) else cell_text(value).casefold()
    answer: Any = (True if word is True or word in TRUE_WORDS else
                   False if word is False or word in FALSE_WORDS else word)
    if question.type == "boolean":
        return ["y"] if answer is True else [] if answer is False else [str(word)]
    return [YES_NO_POSTED.get(answer, str(word))]


class _FormData(dict):
    def getlist(self, key: str) -> list[str]:
        return list(self.get(key, []))


# -- messages kept untranslated ------------------------------------------------------------------

class _Msgid(str):
    """A message as its msgid; `%` keeps the parameters beside the filled text."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, text: str, msgid: str | None = None,
                params: Mapping[str, Any] | None = None) -> Self:
        made = super().__new__(cls, text)
        made.msgid = text if msgid is None else msgid
        made.params = dict(params or {})
        return made

    def __mod__(self, params: Any) -> _Msgid:
        filled = str.__mod__(str(self), params)
        return _Msgid(filled, self.msgid, params if isinstance(params, Mapping) else {})


class _Msgids:
    """Translations for a built form that translate nothing and remember the msgid."""

    def gettext(self, string: str) -> str:
        return _Msgid(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _Msgid(singular if n == 1 else plural)


MSGIDS = _Msgids()


def _problem(number: int, column: str, error: Any) -> RowProblem:
    if isinstance(error, _Msgid):
        return RowProblem(number, column, error.msgid, error.params)
    return RowProblem(number, column, str(error))


# -- keys ------------------------------------------------------------------------------------------

def import_key(definition: FormDefinition, org_id: str, row: CheckedRow) -> str:
    """The row's identity: the original reference, normalised, per organisation and form
    country; without one, the form id, the answers and the file names."""
    if row.reference:
        basis = ["ref", str(org_id), definition.country or "", " ".join(
            row.reference.split()).casefold()]
    else:
        content = json.dumps({"answers": row.answers, "files": sorted(row.files)},
                             sort_keys=True, ensure_ascii=False, default=str)
        basis = ["content", str(org_id), definition.country or "", definition.id, content]
    return hashlib.sha256("\x1f".join(basis).encode("utf-8")).hexdigest()


# -- attachments ------------------------------------------------------------------------------------

class Archive:
    """A ZIP of attachments read in memory by file name; never extracted to disk.

    Names are matched without folders and ignoring case. An entry is read at most one
    byte past the intake limit, whatever its header claims, so a zip bomb costs no more
    than the largest file a report may attach.
    """

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = [i for i in self.zip.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ArchiveRefused(BAD_ARCHIVE) from exc
        if len(infos) > MAX_ARCHIVE_ENTRIES or \
                sum(i.file_size for i in infos) > MAX_ARCHIVE_BYTES:
            raise ArchiveRefused(ARCHIVE_TOO_LARGE)
        self.entries: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            self.entries.setdefault(safe_name(info.filename).casefold(), []).append(info)

    def find(self, name: str) -> tuple[zipfile.ZipInfo | None, str | None]:
        """The entry of `name`, or the msgid saying why there is none."""
        found = self.entries.get(safe_name(name).casefold(), [])
        if not found:
            return None, NOT_IN_ARCHIVE
        if len(found) > 1:
            return None, NAMED_TWICE_IN_ARCHIVE
        return found[0], None

    def read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        try:
            with self.zip.open(info) as stream:
                return stream.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError,
                NotImplementedError) as exc:
            raise ArchiveRefused(BAD_ARCHIVE) from exc


class ArchiveRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def row_uploads(row: CheckedRow, archive: Archive, max_bytes: int,
                field_id: str = "attachments") -> list[Upload]:
    """The row's files read from the archive (each at most one byte past `max_bytes`)."""
    uploads = []
    for name in row.files:
        info, _why = archive.find(name)
        if info is not None:
            uploads.append(Upload(field_id, safe_name(name), archive.read(info, max_bytes)))
    return uploads


def _check_files(row: CheckedRow, column: str, archive: Archive | None, max_bytes: int,
                 max_files: int) -> None:
    if not row.files:
        return
    if archive is None:
        row.problems.append(RowProblem(row.row, column, NO_ARCHIVE))
        return
    found = True
    for name in row.files:
        _info, why = archive.find(name)
        if why:
            found = False
            row.problems.append(RowProblem(row.row, column, why, {"name": name}))
    if not found:
        return
    try:
        check_uploads(row_uploads(row, archive, max_bytes), max_bytes=max_bytes,
                      max_files=max_files)
    except AttachmentsRefused as refused:
        for problem in refused.problems:
            max_value = problem.detail if problem.code in ("too_large", "too_many") else ""
            row.problems.append(RowProblem(row.row, column, ATTACHMENT_REFUSED[problem.code],
                                           {"name": problem.name, "max": max_value}))
    except ArchiveRefused as refused:
        row.problems.append(RowProblem(row.row, column, refused.message))
