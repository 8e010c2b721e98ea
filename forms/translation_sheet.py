"""Translation sheets: every text of a form in one language, and filled sheets back into YAML.

A national member adding a language should not have to find 200 inherited labels
in a base file they cannot edit. The sheet lists every text the merged form has
(its own and inherited, the same texts the translation check counts), each under a
stable key, with the source language beside it; the filled rows become the form's
own texts or `override`s in the member's definition. Rows are checked all at once
and nothing is written while any row is wrong.

Pure: merged data and sheet rows in, rows, YAML text and problems out.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from forms.errors import did_you_mean
from forms.sheet_problems import SheetCode, SheetProblem

#: The sheet (tab) name written and named in problems.
SHEET = "translations"
HEADER = ("key", "context")
#: Placeholders a translation must keep: {name}, %(name)s, %s.
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}|%\([^)]*\)[sd]|%[sd]")


@dataclass(frozen=True)
class TextRow:
    """One text of the form: its key, what it is, the source text and the translation."""

    key: str
    context: str
    source: str
    translation: str


@dataclass(frozen=True)
class _Text:
    key: str
    context: str
    texts: Mapping[str, Any]


def _items(data: Any) -> list[dict[str, Any]]:
    return [i for i in data if isinstance(i, dict)] if isinstance(data, list) else []


def _texts(merged: Mapping[str, Any]) -> Iterator[_Text]:
    """Every translatable text of a merged form, in reading order, under its key."""
    for attr in ("title", "description"):
        if isinstance(merged.get(attr), dict):
            yield _Text(f"form.{attr}", f"the form's {attr}", merged[attr])
    for term in _items(merged.get("terms")):
        for attr in ("label", "help"):
            if isinstance(term.get(attr), dict):
                yield _Text(f"term.{term.get('id')}.{attr}", f"local term, {attr}", term[attr])
    for section in _items(merged.get("sections")):
        for attr in ("title", "help"):
            if isinstance(section.get(attr), dict):
                yield _Text(f"section.{section.get('id')}.{attr}", f"section, {attr}",
                            section[attr])
        for field in _items(section.get("fields")):
            yield from _field_texts(field)


def _field_texts(field: dict[str, Any]) -> Iterator[_Text]:
    who = "question for staff" if field.get("audience") == "staff" else "question"
    fid = field.get("id")
    for attr in ("label", "help"):
        if isinstance(field.get(attr), dict):
            yield _Text(f"field.{fid}.{attr}", f"{who} ({field.get('type')}), {attr}",
                        field[attr])
    for choice in _items(field.get("choices")):
        if isinstance(choice.get("label"), dict):
            yield _Text(f"field.{fid}.choice.{choice.get('value')}", f"answer to {fid}",
                        choice["label"])


def sheet_rows(merged: Mapping[str, Any], lang: str, source: str) -> list[TextRow]:
    """Every text of the merged form, with its `source` text and current `lang` text."""
    return [TextRow(t.key, t.context, _text(t.texts, source), _text(t.texts, lang))
            for t in _texts(merged)]


def missing_count(merged: Mapping[str, Any], lang: str) -> int:
    """How many texts still have no `lang` translation."""
    return sum(1 for t in _texts(merged) if not _text(t.texts, lang))


def _text(texts: Mapping[str, Any], lang: str) -> str:
    value = texts.get(lang)
    return value if isinstance(value, str) else ""


def header(source: str, lang: str) -> list[str]:
    return [*HEADER, source, lang]


# -- importing -------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    """The new definition text (None when any row is wrong), what changed, every problem."""

    text: str | None
    language: str | None
    changed: int
    untranslated: int
    problems: tuple[SheetProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.text is not None


def apply_sheet(own_text: str, merged: Mapping[str, Any],
                rows: Sequence[Sequence[Any]]) -> ImportResult:
    """Write the filled `rows` (the header first, as exported) into `own_text`.

    `merged` is the form merged with its parents, from `own_text`; its `languages`
    are the only ones a sheet may fill.
    """
    languages = [lang for lang in merged.get("languages") or () if isinstance(lang, str)]
    lang, problems = _language(rows, languages)
    if lang is None:
        return ImportResult(None, None, 0, 0, tuple(problems))
    texts = {t.key: t for t in _texts(merged)}
    changes, untranslated = _changes(rows, texts, lang, problems)
    if problems:
        return ImportResult(None, lang, 0, 0, tuple(problems))
    text = write_translations(own_text, merged, lang, changes) if changes else own_text
    return ImportResult(text, lang, len(changes), untranslated)


def _cell(row: Sequence[Any], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def _language(rows: Sequence[Sequence[Any]],
              languages: list[str]) -> tuple[str | None, list[SheetProblem]]:
    head = rows[0] if rows else ()
    if len(head) < 4 or [_cell(head, 0).lower(), _cell(head, 1).lower()] != list(HEADER) \
            or not _cell(head, 3):
        return None, [SheetProblem(SheetCode.BAD_HEADER, SHEET, 1)]
    lang = _cell(head, 3)
    if lang not in languages:
        return None, [SheetProblem(SheetCode.NOT_A_FORM_LANGUAGE, SHEET, 1,
                                   {"language": lang, "languages": ", ".join(languages)})]
    return lang, []


def _changes(rows: Sequence[Sequence[Any]], texts: Mapping[str, _Text], lang: str,
             problems: list[SheetProblem]) -> tuple[dict[str, str], int]:
    """{key: new text} of the rows that change a text; the count of rows left empty."""
    changes: dict[str, str] = {}
    first_row: dict[str, int] = {}
    untranslated = 0
    for number, row in enumerate(rows[1:], start=2):
        key, value = _cell(row, 0), _cell(row, 3)

        def problem(code: SheetCode, row_number: int = number, **params: Any) -> None:
            problems.append(SheetProblem(code, SHEET, row_number, params))

        if not key:
            if value:
                problem(SheetCode.EMPTY_KEY)
            continue
        if key in first_row:
            problem(SheetCode.DUPLICATE_KEY, key=key, first=first_row[key])
            continue
        first_row[key] = number
        found = texts.get(key)
        if found is None:
            _unknown(key, texts, problem)
            continue
        current = _text(found.texts, lang)
        if not value:
            if current:
                problem(SheetCode.EMPTY_CELL)
            else:
                untranslated += 1
            continue
        expected = _placeholders(_reference(found.texts, lang))
        if expected != _placeholders(value):
            problem(SheetCode.PLACEHOLDERS, expected=" ".join(expected) or "none",
                    found=" ".join(_placeholders(value)) or "none")
            continue
        if value != current:
            changes[key] = value
    return changes, untranslated


def _reference(texts: Mapping[str, Any], lang: str) -> str:
    """The text placeholders are compared with: any other language that has it."""
    others = [v for k, v in texts.items() if k != lang and isinstance(v, str) and v]
    return others[0] if others else ""


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


_ITEM_ATTRS = {"form": ("title", "description"), "term": ("label", "help"),
               "section": ("title", "help"), "field": ("label", "help")}


def _unknown(key: str, texts: Mapping[str, _Text], problem: Any) -> None:
    """An unknown key: a text the form lacks on an item it has, or no such item."""
    parts = key.split(".")
    if len(parts) == 3 and parts[2] in _ITEM_ATTRS.get(parts[0], ()):
        prefix = f"{parts[0]}.{parts[1]}."
        if any(k.startswith(prefix) for k in texts):
            problem(SheetCode.NO_SUCH_TEXT, key=key, item=f"{parts[0]} {parts[1]}",
                    attribute=parts[2])
            return
    problem(SheetCode.UNKNOWN_KEY, key=key, hint=did_you_mean(key, texts))


# -- writing into the definition -------------------------------------------------------

def _yaml() -> YAML:
    """Round-trip YAML that keeps the member's comments, order and quotes."""
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def write_translations(own_text: str, merged: Mapping[str, Any], lang: str,
                       changes: Mapping[str, str]) -> str:
    """Set each changed text in the member's own definition, where the format reads it.

    A text written in this file is changed where it is; an inherited one gets an
    `override` (per language, since texts merge by language). Lists and terms are
    replaced whole by inheritance, so translating an inherited choice copies the
    choice list into an override, and an inherited term into this file's terms,
    each with its texts in the form's languages only.
    """
    rt = _yaml()
    doc = rt.load(own_text)
    writer = _Writer(doc, merged, lang)
    for key, value in changes.items():
        writer.write(key, value)
    out = io.StringIO()
    rt.dump(doc, out)
    return out.getvalue()


class _Writer:
    def __init__(self, doc: CommentedMap, merged: Mapping[str, Any], lang: str) -> None:
        self.doc = doc
        self.merged = merged
        self.lang = lang
        self.languages = [x for x in merged.get("languages") or () if isinstance(x, str)]

    def write(self, key: str, value: str) -> None:
        kind, _sep, rest = key.partition(".")
        if kind == "form":
            self._set(self.doc, rest, self._kept(self.merged.get(rest)), value)
        elif kind == "term":
            term_id, _sep, attr = rest.rpartition(".")
            self._set(self._own_term(term_id), attr, None, value)
        elif kind == "section":
            section_id, _sep, attr = rest.rpartition(".")
            self._set(self._item_holder(section_id, attr, self._own_section(section_id)),
                      attr, None, value)
        elif ".choice." in rest:
            field_id, _sep, choice_value = rest.partition(".choice.")
            self._set(self._own_choice(field_id, choice_value), "label", None, value)
        else:
            field_id, _sep, attr = rest.rpartition(".")
            self._set(self._item_holder(field_id, attr, self._own_field(field_id)),
                      attr, None, value)

    def _set(self, holder: CommentedMap, attr: str, start: Any, value: str) -> None:
        texts = holder.get(attr)
        if not isinstance(texts, dict):
            texts = CommentedMap(start or {})
            _insert(holder, attr, texts)
        texts[self.lang] = value
        if not start or holder is not self.doc:
            return
        _short_in_flow(texts)

    def _kept(self, texts: Any) -> CommentedMap | None:
        """A copy of inherited texts in this form's languages, for a key replaced whole."""
        if not isinstance(texts, dict):
            return None
        return CommentedMap((k, v) for k, v in texts.items() if k in self.languages)

    def _list(self, holder: CommentedMap, key: str) -> CommentedSeq:
        if not isinstance(holder.get(key), list):
            holder[key] = CommentedSeq()
        return holder[key]

    def _own_sections(self) -> list[Any]:
        return _items(self.doc.get("sections"))

    def _own_section(self, section_id: str) -> CommentedMap | None:
        return next((s for s in self._own_sections() if s.get("id") == section_id), None)

    def _own_field(self, field_id: str) -> CommentedMap | None:
        for section in self._own_sections():
            for field in _items(section.get("fields")):
                if field.get("id") == field_id:
                    return field
        return None

    def _override(self, item_id: str) -> CommentedMap:
        overrides = self.doc.get("override")
        if not isinstance(overrides, dict):
            overrides = self.doc["override"] = CommentedMap()
        if not isinstance(overrides.get(item_id), dict):
            overrides[item_id] = CommentedMap()
        return overrides[item_id]

    def _item_holder(self, item_id: str, attr: str, own: CommentedMap | None) -> CommentedMap:
        """Where a field's or section's text goes: an override that already sets it,
        the item written in this file, else a new override."""
        overrides = self.doc.get("override")
        patch = overrides.get(item_id) if isinstance(overrides, dict) else None
        if isinstance(patch, dict) and isinstance(patch.get(attr), dict):
            return patch
        if own is not None:
            return own
        return self._override(item_id)

    def _own_term(self, term_id: str) -> CommentedMap:
        terms = self._list(self.doc, "terms")
        for term in _items(terms):
            if term.get("id") == term_id:
                return term
        inherited = next(t for t in _items(self.merged.get("terms")) if t.get("id") == term_id)
        term = self._copy(inherited)
        terms.append(term)
        return term

    def _own_choice(self, field_id: str, value: str) -> CommentedMap:
        overrides = self.doc.get("override")
        patch = overrides.get(field_id) if isinstance(overrides, dict) else None
        choices = patch.get("choices") if isinstance(patch, dict) else None
        own_field = self._own_field(field_id)
        if not isinstance(choices, list) and own_field is not None:
            choices = own_field.get("choices")
        if not isinstance(choices, list):
            merged_field = _merged_field(self.merged, field_id)
            choices = self._override(field_id)["choices"] = CommentedSeq(
                self._copy(c) for c in _items(merged_field.get("choices")))
        return next(c for c in _items(choices) if str(c.get("value")) == value)

    def _copy(self, item: Mapping[str, Any]) -> CommentedMap:
        """An inherited term or choice, its texts kept in this form's languages only."""
        out = CommentedMap()
        for key, value in item.items():
            kept = self._kept(value) if isinstance(value, dict) else copy.deepcopy(value)
            if isinstance(kept, CommentedMap):
                _short_in_flow(kept)
            out[key] = kept
        _short_in_flow(out)
        return out


#: Texts up to this length are written on one line, as `{en: ..., th: ...}`.
_FLOW_WIDTH = 90


def _short_in_flow(mapping: CommentedMap) -> None:
    if len(str(dict(mapping))) <= _FLOW_WIDTH:
        mapping.fa.set_flow_style()
    else:
        mapping.fa.set_block_style()


def _insert(holder: CommentedMap, key: str, value: Any) -> None:
    """Add a key to a definition's top level before its lists, so texts stay near
    the title; elsewhere at the end."""
    later = [i for i, k in enumerate(holder) if k in ("terms", "sections", "override", "remove")]
    if later and "form" in holder:
        holder.insert(later[0], key, value)
    else:
        holder[key] = value


def _merged_field(merged: Mapping[str, Any], field_id: str) -> Mapping[str, Any]:
    for section in _items(merged.get("sections")):
        for field in _items(section.get("fields")):
            if field.get("id") == field_id:
                return field
    raise KeyError(field_id)
