"""The text a form editor works on, and the spreadsheet steps that change it.

The working copy of a form is its saved draft, else its latest published source,
else its shipped file. Translation sheets are exported from it and imported into
it; an import always lands in the draft, which the editor then checks, previews
and publishes. Shared by the web pages and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from forms.inheritance import resolve
from forms.loader import ParsedSource, parse_definition
from forms.mwc import load_taxonomy
from forms.provenance import MergedForm
from forms.sheet_files import read_sheet, write_sheet
from forms.shipped import shipped_sources
from forms.store import FormStore
from forms.translation_sheet import ImportResult, apply_sheet, sheet_rows
from forms.xlsform import BASE_FORM, XLSFormResult, import_xlsform


@dataclass(frozen=True)
class WorkingCopy:
    """A form's current text and where it came from ("draft", "published", "shipped")."""

    form_id: str
    text: str
    kind: str

    @property
    def origin(self) -> str:
        return f"{self.form_id}.yaml"


def working_copy(store: FormStore, form_id: str) -> WorkingCopy | None:
    draft = store.draft(form_id)
    if draft is not None:
        return WorkingCopy(form_id, draft["text"], "draft")
    latest = store.latest(form_id)
    if latest is not None:
        return WorkingCopy(form_id, latest.get("source") or "", "published")
    shipped = shipped_sources().get(form_id)
    if shipped is not None:
        return WorkingCopy(form_id, _shipped_text(form_id), "shipped")
    return None


def _shipped_text(form_id: str) -> str:
    name = shipped_sources()[form_id].origin.rsplit("/", 1)[-1]
    return resources.files("forms").joinpath("definitions", name).read_text(encoding="utf-8")


def library(store: FormStore) -> dict[str, ParsedSource]:
    """Parents a working copy may extend: shipped files, replaced by published versions."""
    return {**shipped_sources(), **store.library_sources()}


def merged_copy(store: FormStore, copy: WorkingCopy) -> MergedForm | None:
    """The working copy merged with its parents, problems or not (None: it cannot be
    merged at all, such as a YAML syntax error or a missing parent)."""
    sources = {**library(store), copy.form_id: parse_definition(copy.text, copy.origin)}
    merged, _problems = resolve(copy.form_id, sources)
    return merged


def languages_of(merged: MergedForm) -> list[str]:
    return [lang for lang in merged.get("languages") or () if isinstance(lang, str)]


def export_sheet(merged: MergedForm, lang: str, source: str, fmt: str) -> bytes:
    return write_sheet(sheet_rows(merged, lang, source), source, lang, fmt)


def import_sheet(store: FormStore, copy: WorkingCopy, merged: MergedForm, data: bytes,
                 fmt: str) -> ImportResult:
    """Apply a filled sheet to the working copy; nothing is saved here."""
    rows, problems = read_sheet(data, fmt)
    if problems:
        return ImportResult(None, None, 0, 0, tuple(problems))
    return apply_sheet(copy.text, merged, rows)


def save_import(store: FormStore, copy: WorkingCopy, result: ImportResult, actor: str,
                audit: Any) -> None:
    """Keep an imported sheet's result as the form's draft, and audit it."""
    assert result.text is not None
    store.save_draft(copy.form_id, result.text, actor)
    audit.record("form.translations_import", actor=actor, target=copy.form_id,
                 form_id=copy.form_id, language=result.language, changed=result.changed)



def base_ids(store: FormStore) -> dict[str, str]:
    """Every section ("section") and field ("field") id of the base form, as published."""
    merged, _problems = resolve(BASE_FORM, library(store))
    ids: dict[str, str] = {}
    for section in (merged or {}).get("sections") or ():
        ids[section.get("id")] = "section"
        for field in section.get("fields") or ():
            ids.setdefault(field.get("id"), "field")
    return ids


def import_workbook(store: FormStore, data: bytes, country: str | None,
                    name: str) -> XLSFormResult:
    """An XLSForm as a definition text extending the base form; nothing is saved here."""
    return import_xlsform(data, taxonomy=load_taxonomy(), parent_ids=base_ids(store),
                          country=country, source_name=name)


def save_xlsform(store: FormStore, result: XLSFormResult, actor: str, audit: Any) -> None:
    """Keep an imported XLSForm as its form's draft, and audit it."""
    assert result.text is not None and result.form_id is not None
    store.save_draft(result.form_id, result.text, actor)
    audit.record("form.xlsform_import", actor=actor, target=result.form_id,
                 form_id=result.form_id,
                 warnings=sum(1 for p in result.problems if not p.fatal))
