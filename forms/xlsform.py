"""Turn an XLSForm (KoboToolbox, ODK) into a country definition that extends the base form.

National members who used KoboToolbox or ODK already have their questionnaire as an
XLSForm. The workbook is read by pyxform, the reference implementation, so its
sheets and cells are read as those tools read them; this module maps the rows to
the definition format and reports every construct it cannot map, by sheet and row.

Fatal (nothing is produced): anything that would change what is asked or what an
answer means — an unsupported question type (repeat, geopoint, range, rank,
select ... or_other, ...), a condition (`relevant`) other than `${q} = 'v'`,
`selected(${q}, 'v')` and an `or` of those on one question, a missing or empty
choice list, a bad or repeated name or one the base form has, nested groups, a
row without a label, a bad `required` or `mwc` cell, a language column without a
tag, and a form without an id or country.
Reported, not fatal (the row or cell is left out): `constraint` and the other
columns the format has no place for (appearance, default, ...), `note` and
`calculate` rows, and the metadata types (start, end, today, deviceid, ...), since
MRVRS records its own.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform

from forms.mwc import Taxonomy, describe_ranges
from forms.sheet_problems import WHOLE_FILE, SheetCode, SheetProblem
from forms.vocabulary import FORM_ID_PATTERN, ITEM_ID_PATTERN, LANGUAGE_PATTERN

BASE_FORM = "mwc-base"
SIMPLE_TYPES = {"text": "text", "integer": "integer", "decimal": "decimal", "date": "date",
                "image": "file", "file": "file"}
SELECT_TYPES = {"select_one": "choice", "select_multiple": "multichoice"}
SKIPPED_TYPES = frozenset({"start", "end", "today", "deviceid", "phonenumber", "username",
                           "simserial", "subscriberid", "audit", "email", "note", "calculate",
                           "start-geopoint", "background-audio"})
#: Columns read on the survey sheet; any other column with a value is reported.
SURVEY_COLUMNS = frozenset({"type", "name", "label", "hint", "required", "relevant", "mwc",
                            "required_message"})
CHOICE_COLUMNS = frozenset({"list_name", "name", "label", "mwc"})
SUPPORTED = "text, integer, decimal, date, image, file, select_one, select_multiple, " \
            "begin group, end group"
_NAME_RE = re.compile(ITEM_ID_PATTERN)
_TAG_RE = re.compile(LANGUAGE_PATTERN)
_COND = re.compile(
    r"""^\s*(?:\$\{(?P<q1>[^}]+)\}\s*=\s*(?P<v1>'[^']*'|"[^"]*")"""
    r"""|selected\(\s*\$\{(?P<q2>[^}]+)\}\s*,\s*(?P<v2>'[^']*'|"[^"]*")\s*\))\s*$""")
#: Spellings XLSForm accepts for the two select types.
_TYPE_ALIASES = {"select one": "select_one", "select all that apply": "select_multiple",
                 "select multiple": "select_multiple"}
_TRUE = {"yes", "true", "1", "true()"}
_FALSE = {"no", "false", "0", "false()", ""}


@dataclass(frozen=True)
class XLSFormResult:
    """The definition's YAML text (None if any problem is fatal) and every problem."""

    text: str | None
    form_id: str | None
    problems: tuple[SheetProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.text is not None


def read_workbook(data: bytes) -> tuple[Any, list[SheetProblem]]:
    """The workbook's sheets as rows of {column: text}, read by pyxform."""
    try:
        return get_xlsform(io.BytesIO(data), file_type=".xlsx"), []
    except (PyXFormError, OSError, ValueError, KeyError) as exc:
        return None, [SheetProblem(SheetCode.UNREADABLE_XLSFORM, WHOLE_FILE, None,
                                   {"detail": str(exc)[:200]})]


def import_xlsform(data: bytes, *, taxonomy: Taxonomy, parent_ids: Mapping[str, str],
                   country: str | None = None, source_name: str = "the workbook"
                   ) -> XLSFormResult:
    """Map an XLSForm to a definition extending the base form.

    `parent_ids` names every section ("section") and field ("field") of the base
    form: a group named like a base section adds its questions to that section; a
    question named like a base field is refused.
    """
    book, problems = read_workbook(data)
    if book is None:
        return XLSFormResult(None, None, tuple(problems))
    mapper = _Mapper(book, taxonomy, parent_ids, country)
    definition = mapper.run()
    problems = mapper.problems
    if definition is None or any(p.fatal for p in problems):
        return XLSFormResult(None, mapper.form_id, tuple(problems))
    header = (f"# Imported from {source_name} (XLSForm). Check it, preview it in each "
              "language and\n# confirm the MWC articles before publishing.\n")
    text = header + yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)
    return XLSFormResult(text, mapper.form_id, tuple(problems))


def language_tag(column_language: str) -> str | None:
    """"English (en)" → "en", "km" → "km"; None when no tag can be read."""
    match = re.search(r"\(([^()]+)\)\s*$", column_language)
    tag = (match.group(1) if match else column_language).strip()
    return tag if _TAG_RE.match(tag) else None


class _Mapper:
    def __init__(self, book: Any, taxonomy: Taxonomy, parent_ids: Mapping[str, str],
                 country: str | None) -> None:
        self.book = book
        self.taxonomy = taxonomy
        self.parent_ids = parent_ids
        self.country = country
        self.problems: list[SheetProblem] = []
        self.form_id: str | None = None
        self.languages: list[str] = []
        self.default: str | None = None
        self.title: dict[str, str] = {}

    def problem(self, code: SheetCode, sheet: str, row: int | None, fatal: bool = True,
                **params: Any) -> None:
        self.problems.append(SheetProblem(code, sheet, row, params, fatal))

    # -- the whole form ---------------------------------------------------------------

    def run(self) -> dict[str, Any] | None:
        survey = list(self.book.survey or [])
        if not survey:
            self.problem(SheetCode.MISSING_SHEET, "survey", None, sheet="survey")
            return None
        settings = (self.book.settings or [{}])[0] if self.book.settings else {}
        self._languages(survey, settings)
        self.title = self.texts(settings, "form_title")
        lists = self._choice_lists()
        sections = _Survey(self, lists).read(survey)
        top = self._settings(settings)
        if not any(s.get("fields") for s in sections):
            self.problem(SheetCode.NO_QUESTIONS, "survey", None)
        return {**top, "sections": sections}

    def _languages(self, survey: list[dict[str, str]], settings: Mapping[str, str]) -> None:
        seen: list[str] = []
        columns = [c for row in [*survey, *(self.book.choices or [])] for c in row]
        for column in dict.fromkeys(columns):
            base, _sep, lang = column.partition("::")
            if lang and base in ("label", "hint"):
                tag = language_tag(lang)
                if tag is None:
                    sheet = "survey" if any(column in r for r in survey) else "choices"
                    self.problem(SheetCode.UNKNOWN_LANGUAGE, sheet, 1, language=lang,
                                 column=column)
                elif tag not in seen:
                    seen.append(tag)
        default = language_tag(settings.get("default_language", "")) if \
            settings.get("default_language") else None
        if default is None:
            default = seen[0] if seen else "en"
        self.default = default
        self.languages = [default, *[t for t in seen if t != default]]

    def texts(self, row: Mapping[str, str], column: str) -> dict[str, str]:
        out: dict[str, str] = {}
        if row.get(column):
            out[self.default or "en"] = row[column]
        for key, value in row.items():
            base, _sep, lang = key.partition("::")
            tag = language_tag(lang) if lang else None
            if base == column and tag and value:
                out[tag] = value
        return {lang: out[lang] for lang in self.languages if lang in out}

    def _settings(self, settings: Mapping[str, str]) -> dict[str, Any]:
        country = (self.country or settings.get("country") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            self.problem(SheetCode.BAD_SETTING, "settings", 2, setting="country",
                         value=country, reason="give the ISO country code of two letters "
                                               "(a country column, or --country)")
        form_id = (settings.get("form_id") or f"{country.lower()}-intake").strip()
        if not re.match(FORM_ID_PATTERN, form_id):
            self.problem(SheetCode.BAD_FORM_ID, "settings", 2, value=form_id)
        self.form_id = form_id
        return {"form": form_id, "extends": BASE_FORM, "country": country,
                "languages": self.languages, "title": self.title or {
                    self.default or "en": form_id}}

    def mwc(self, sheet: str, row: int, value: str | None) -> list[int]:
        if not value:
            return []
        codes: list[int] = []
        allowed = set(self.taxonomy.violation_codes())
        for part in re.split(r"[\s,;]+", value.strip()):
            number = part.upper().removeprefix("MWC-")
            if number.isdecimal() and int(number) in allowed:
                codes.append(int(number))
            else:
                self.problem(SheetCode.BAD_MWC, sheet, row, value=part,
                             ranges=describe_ranges(sorted(allowed)))
        return codes

    def _choice_lists(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        seen: dict[tuple[str, str], int] = {}
        for number, row in enumerate(self.book.choices or [], start=2):
            if not row:
                continue
            list_name, name = row.get("list_name", ""), row.get("name", "")
            self._unsupported_columns("choices", number, row, CHOICE_COLUMNS)
            if (list_name, name) in seen:
                self.problem(SheetCode.DUPLICATE_NAME, "choices", number, name=name,
                             first=seen[(list_name, name)])
                continue
            seen[(list_name, name)] = number
            label = self.texts(row, "label")
            if not label:
                self.problem(SheetCode.NO_LABEL, "choices", number)
            choice: dict[str, Any] = {"value": name, "label": label}
            codes = self.mwc("choices", number, row.get("mwc"))
            if codes:
                choice["mwc"] = codes
            lists.setdefault(list_name, []).append(choice)
        return lists

    def _unsupported_columns(self, sheet: str, number: int, row: Mapping[str, str],
                             known: Collection[str]) -> None:
        for column, value in row.items():
            if value and column.partition("::")[0] not in known:
                reason = " (the answer is not checked against it)" \
                    if column == "constraint" else ""
                self.problem(SheetCode.UNSUPPORTED_COLUMN, sheet, number, fatal=False,
                             column=column, reason=reason)


class _Survey:
    """The survey sheet, row by row: groups become sections, questions fields."""

    def __init__(self, mapper: _Mapper, lists: Mapping[str, list[dict[str, Any]]]) -> None:
        self.m = mapper
        self.lists = lists
        self.names: dict[str, int] = {}
        self.fields: dict[str, dict[str, Any]] = {}
        self.sections: list[dict[str, Any]] = []
        self.group: tuple[dict[str, Any], int] | None = None
        self.loose: dict[str, Any] | None = None

    def read(self, survey: list[dict[str, str]]) -> list[dict[str, Any]]:
        for number, row in enumerate(survey, start=2):
            if row:
                self._row(number, row)
        if self.group is not None:
            self.m.problem(SheetCode.UNCLOSED_GROUP, "survey", self.group[1],
                           name=self.group[0]["id"])
        return self.sections

    def _row(self, number: int, row: Mapping[str, str]) -> None:
        kind = " ".join(row.get("type", "").split())
        for alias, name in _TYPE_ALIASES.items():
            if kind.startswith(alias + " "):
                kind = name + kind[len(alias):]
        if kind in ("begin group", "begin_group"):
            self._begin(number, row)
        elif kind in ("end group", "end_group"):
            if self.group is None:
                self.m.problem(SheetCode.UNOPENED_GROUP, "survey", number)
            self.group = None
        elif kind in SKIPPED_TYPES:
            self.m.problem(SheetCode.UNSUPPORTED_TYPE, "survey", number, fatal=False,
                           type=kind, reason=" and the row is left out", supported=SUPPORTED)
        else:
            self._question(number, kind, row)

    def _name(self, number: int, name: str, kind: str) -> bool:
        if not _NAME_RE.match(name):
            self.m.problem(SheetCode.BAD_NAME, "survey", number, name=name)
            return False
        if name in self.names:
            self.m.problem(SheetCode.DUPLICATE_NAME, "survey", number, name=name,
                           first=self.names[name])
            return False
        self.names[name] = number
        if self.m.parent_ids.get(name) and not (kind == "group" and
                                                self.m.parent_ids[name] == "section"):
            self.m.problem(SheetCode.NAME_TAKEN, "survey", number, name=name)
            return False
        return True

    def _begin(self, number: int, row: Mapping[str, str]) -> None:
        if self.group is not None:
            self.m.problem(SheetCode.NESTED_GROUP, "survey", number)
            return
        name = row.get("name", "")
        section: dict[str, Any] = {"id": name}
        self.group = (section, number)
        if not self._name(number, name, "group"):
            return
        self.m._unsupported_columns("survey", number, row, SURVEY_COLUMNS)
        if self.m.parent_ids.get(name) != "section":  # a base section keeps its title
            title = self.m.texts(row, "label")
            if not title:
                self.m.problem(SheetCode.NO_LABEL, "survey", number)
            section["title"] = title
        condition = self._relevant(number, row.get("relevant"))
        if condition:
            section["show_if"] = condition
        section["fields"] = []
        self.sections.append(section)

    def _question(self, number: int, kind: str, row: Mapping[str, str]) -> None:
        base, _sep, list_name = kind.partition(" ")
        ftype = SIMPLE_TYPES.get(kind) or (SELECT_TYPES.get(base) if list_name and
                                           " " not in list_name else None)
        if ftype is None:
            reason = " (a repeated group has no place in a case)" if "repeat" in kind else ""
            self.m.problem(SheetCode.UNSUPPORTED_TYPE, "survey", number, type=kind,
                           reason=reason, supported=SUPPORTED)
            return
        name = row.get("name", "")
        if not self._name(number, name, "question"):
            return
        self.m._unsupported_columns("survey", number, row, SURVEY_COLUMNS)
        field: dict[str, Any] = {"id": name, "type": ftype, "label": self.m.texts(row, "label")}
        if not field["label"]:
            self.m.problem(SheetCode.NO_LABEL, "survey", number)
        hint = self.m.texts(row, "hint")
        if hint:
            field["help"] = hint
        required = (row.get("required") or "").strip().lower()
        if required in _TRUE:
            field["required"] = True
        elif required not in _FALSE:
            self.m.problem(SheetCode.BAD_REQUIRED, "survey", number, value=row["required"])
        if ftype in ("choice", "multichoice"):
            if list_name not in self.lists:
                self.m.problem(SheetCode.MISSING_LIST, "survey", number, list=list_name)
            field["choices"] = [dict(c) for c in self.lists.get(list_name, [])]
        condition = self._relevant(number, row.get("relevant"))
        if condition:
            field["show_if"] = condition
        codes = self.m.mwc("survey", number, row.get("mwc"))
        if codes:
            field["mwc"] = codes
        self.fields[name] = field
        self._section().setdefault("fields", []).append(field)

    def _section(self) -> dict[str, Any]:
        if self.group is not None:
            return self.group[0]
        if self.loose is None:
            # Titled like the form, the one text sure to be in every language.
            self.loose = {"id": "more_questions", "title": dict(self.m.title) or {
                self.m.languages[0]: "More questions"}, "fields": []}
            self.sections.append(self.loose)
        return self.loose

    def _relevant(self, number: int, relevant: str | None) -> dict[str, Any] | None:
        if not relevant:
            return None
        if re.search(r"\band\b", relevant):
            self._bad_relevant(number, relevant, " A condition can name one question only, "
                                                 "so \"and\" cannot be imported.")
            return None
        parts = [_COND.match(p) for p in re.split(r"\bor\b", relevant)]
        if not all(parts):
            self._bad_relevant(number, relevant, "")
            return None
        names = {p.group("q1") or p.group("q2") for p in parts if p}
        values = [(p.group("v1") or p.group("v2"))[1:-1] for p in parts if p]
        if len(names) != 1:
            self._bad_relevant(number, relevant, " All parts must name the same question.")
            return None
        name = names.pop()
        target = self.fields.get(name)
        if target is None:
            self.m.problem(SheetCode.UNKNOWN_QUESTION, "survey", number, name=name)
            return None
        allowed = [c["value"] for c in target.get("choices", [])]
        wrong = [v for v in values if allowed and v not in allowed]
        if wrong:
            self._bad_relevant(number, relevant, f" {name} has no choice \"{wrong[0]}\".")
            return None
        if len(values) == 1:
            return {"field": name, "equals": values[0]}
        return {"field": name, "in": values}

    def _bad_relevant(self, number: int, relevant: str, reason: str) -> None:
        self.m.problem(SheetCode.UNSUPPORTED_RELEVANT, "survey", number, relevant=relevant,
                       reason=reason)
