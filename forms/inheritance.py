"""Resolve ``extends`` chains into one merged definition.

Rules, applied from the root form down to the requested one:

- top-level keys of a child replace the parent's (``languages`` included);
  ``form`` and ``extends`` are never inherited;
- terms merge by id, the child's term replacing the parent's in place;
- a child section whose id exists appends its fields to that section (its other
  keys merge like an override); new sections go at the end;
- ``remove`` drops fields or sections by id, then ``override`` deep-merges
  partial keys onto fields or sections by id (mappings merge per key, so
  translations merge per language; lists are replaced).

Pure: takes every source by form id, returns data and problems.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from forms.errors import Path, Problem, ProblemCode, describe_value, did_you_mean
from forms.loader import ParsedSource
from forms.provenance import MergedForm, Provenance

_MERGED_KEYS = ("sections", "terms", "override", "remove")


def resolve(
    form_id: str, sources: Mapping[str, ParsedSource]
) -> tuple[MergedForm | None, list[Problem]]:
    """Merge `form_id` with its ancestors; None when the chain cannot be followed."""
    chain, problems = _chain(form_id, sources)
    if not chain:
        return None, problems
    top = chain[-1]
    provenance = Provenance({s.origin: s for s in chain})
    merged: dict[str, Any] = {}
    provenance.mark(merged, top.origin, ())
    for source in chain:
        _Merger(merged, source, provenance, problems).apply()
    return MergedForm(merged, top.origin, provenance), problems


def _chain(
    form_id: str, sources: Mapping[str, ParsedSource]
) -> tuple[list[ParsedSource], list[Problem]]:
    """Follow ``extends`` from the form to its root; return root first."""
    chain: list[ParsedSource] = []
    problems: list[Problem] = []
    seen: list[str] = []
    current, child = form_id, None
    while True:
        source = sources.get(current)
        if source is None:
            problems.append(_missing(current, child, sources))
            return [], problems
        problems.extend(source.problems)
        if not isinstance(source.data, dict):
            return [], problems
        chain.append(source)
        seen.append(current)
        parent = source.data.get("extends")
        if parent is None:
            return list(reversed(chain)), problems
        if not isinstance(parent, str) or parent in seen:
            problems.append(_bad_parent(source, parent, seen))
            return [], problems
        current, child = parent, source


def _missing(form_id: str, child: ParsedSource | None, sources: Mapping[str, Any]) -> Problem:
    if child is None:
        return Problem(ProblemCode.FORM_NOT_FOUND, str(form_id), None, (), {"form": form_id})
    return Problem(
        ProblemCode.MISSING_PARENT, child.origin, child.line_for(("extends",)), ("extends",),
        {"parent": form_id, "hint": did_you_mean(form_id, [str(k) for k in sources])},
    )


def _bad_parent(source: ParsedSource, parent: Any, seen: list[str]) -> Problem:
    line = source.line_for(("extends",))
    if not isinstance(parent, str):
        return Problem(
            ProblemCode.WRONG_VALUE, source.origin, line, ("extends",),
            {"value": describe_value(parent), "expected": "the id of the parent form"},
        )
    cycle = " → ".join([*seen[seen.index(parent) :], parent])
    return Problem(ProblemCode.EXTENDS_CYCLE, source.origin, line, ("extends",), {"cycle": cycle})


class _Merger:
    """Apply one source onto the form merged so far."""

    def __init__(
        self, merged: dict[str, Any], source: ParsedSource, provenance: Provenance,
        problems: list[Problem],
    ) -> None:
        self.merged = merged
        self.source = source
        self.origin = source.origin
        self.provenance = provenance
        self.problems = problems

    def apply(self) -> None:
        data = self.source.data
        self.merged.pop("form", None)
        self.merged.pop("extends", None)
        for key, value in data.items():
            if key not in _MERGED_KEYS:
                self._set(self.merged, key, value, (key,))
        self._merge_list("terms", data.get("terms"), self._merge_term)
        self._merge_list("sections", data.get("sections"), self._merge_section)
        self._remove(data.get("remove"))
        self._override(data.get("override"))

    def _set(self, target: dict[str, Any], key: str, value: Any, path: Path) -> None:
        target[key] = self.provenance.adopt(value, self.origin, path)
        self.provenance.mark_key(target, key, self.origin, path)

    def _merge_list(self, key: str, items: Any, merge_item: Any) -> None:
        """Merge a child's list of id-bearing items; a malformed list is kept for validation."""
        if items is None:
            return
        existing = self.merged.get(key)
        if not isinstance(items, list) or not isinstance(existing, list):
            if existing is None or not isinstance(items, list):
                self._set(self.merged, key, items, (key,))
            return
        for i, item in enumerate(items):
            match = _find_by_id(existing, item)
            if match is None:
                existing.append(self.provenance.adopt(item, self.origin, (key, i)))
            else:
                merge_item(existing, match, item, (key, i))

    def _merge_term(self, terms: list[Any], index: int, item: Any, path: Path) -> None:
        terms[index] = self.provenance.adopt(item, self.origin, path)

    def _merge_section(self, sections: list[Any], index: int, item: Any, path: Path) -> None:
        section = sections[index]
        for key, value in item.items():
            if key == "id":
                continue
            if key == "fields" and isinstance(value, list) and isinstance(section.get(key), list):
                section[key].extend(
                    self.provenance.adopt(f, self.origin, (*path, key, j))
                    for j, f in enumerate(value)
                )
            else:
                self._deep_merge(section, {key: value}, path, remark=False)

    def _remove(self, targets: Any) -> None:
        if targets is None:
            return
        if not isinstance(targets, list):
            self._problem(ProblemCode.WRONG_VALUE, ("remove",), value=describe_value(targets),
                          expected="a list of field or section ids")
            return
        for i, target in enumerate(targets):
            if not _remove_item(self.merged, target):
                self._problem(ProblemCode.REMOVE_UNKNOWN, ("remove", i), target=target,
                              hint=did_you_mean(target, _all_ids(self.merged)))

    def _override(self, overrides: Any) -> None:
        if overrides is None:
            return
        if not isinstance(overrides, dict):
            self._problem(ProblemCode.WRONG_VALUE, ("override",), value=describe_value(overrides),
                          expected="a set of field or section ids, each with the keys to change")
            return
        for target, patch in overrides.items():
            path = ("override", target)
            item = _find_item(self.merged, target)
            if not isinstance(patch, dict):
                self._problem(ProblemCode.WRONG_VALUE, path, value=describe_value(patch),
                              expected="the keys to change, such as {label: {ms: ...}}")
            elif item is None:
                self._problem(ProblemCode.OVERRIDE_UNKNOWN, path, target=target,
                              hint=did_you_mean(target, _all_ids(self.merged)))
            else:
                self._deep_merge(item, patch, path, remark=False)

    def _deep_merge(
        self, target: dict[str, Any], patch: Mapping[str, Any], path: Path, remark: bool = True
    ) -> None:
        """Merge mappings key by key; the merged mapping now counts as written here."""
        if remark:
            self.provenance.mark(target, self.origin, path)
        for key, value in patch.items():
            current = target.get(key)
            if isinstance(current, dict) and isinstance(value, dict):
                self._deep_merge(current, value, (*path, key))
                self.provenance.mark_key(target, key, self.origin, (*path, key))
            else:
                self._set(target, key, value, (*path, key))

    def _problem(self, code: ProblemCode, path: Path, **params: Any) -> None:
        self.problems.append(
            Problem(code, self.origin, self.source.line_for(path), path, params)
        )


def _find_by_id(items: list[Any], item: Any) -> int | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return None
    for i, existing in enumerate(items):
        if isinstance(existing, dict) and existing.get("id") == item["id"]:
            return i
    return None


def _sections(merged: dict[str, Any]) -> Iterator[dict[str, Any]]:
    sections = merged.get("sections")
    if isinstance(sections, list):
        yield from (s for s in sections if isinstance(s, dict))


def _fields_lists(merged: dict[str, Any]) -> Iterator[list[Any]]:
    for section in _sections(merged):
        if isinstance(section.get("fields"), list):
            yield section["fields"]


def _find_item(merged: dict[str, Any], item_id: Any) -> dict[str, Any] | None:
    """The section or field with this id (sections first)."""
    for section in _sections(merged):
        if section.get("id") == item_id:
            return section
    for fields in _fields_lists(merged):
        for field in fields:
            if isinstance(field, dict) and field.get("id") == item_id:
                return field
    return None


def _remove_item(merged: dict[str, Any], item_id: Any) -> bool:
    containers = [merged["sections"]] if isinstance(merged.get("sections"), list) else []
    for items in [*containers, *_fields_lists(merged)]:
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("id") == item_id:
                del items[i]
                return True
    return False


def _all_ids(merged: dict[str, Any]) -> list[str]:
    ids = [s.get("id") for s in _sections(merged)]
    ids += [f.get("id") for fields in _fields_lists(merged) for f in fields if isinstance(f, dict)]
    return [i for i in ids if isinstance(i, str)]
