"""Check a merged definition and report every problem at once.

Structure is checked against the published JSON Schema and each schema error is
turned into a plain sentence; the meaning (ids that must exist, codes in the
taxonomy, translations...) is checked by the small functions in `forms.checks`.
Every problem points at the file and line where the item was written.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema

from forms.checks import SEMANTIC_CHECKS
from forms.dimensions import Dimensions, load_dimensions
from forms.errors import Path, Problem, ProblemCode, describe_value, did_you_mean
from forms.format_schema import format_schema
from forms.mwc import Taxonomy, load_taxonomy
from forms.provenance import MergedForm
from forms.interface_languages import warn_languages_without_interface
from forms.reference_checks import warn_unused_terms

#: Checks whose findings are warnings: shown to the editor, never blocking publication.
WARNING_CHECKS = (warn_unused_terms, warn_languages_without_interface)


def validate(
    merged: Mapping[str, Any],
    *,
    taxonomy: Taxonomy | None = None,
    dimensions: Dimensions | None = None,
) -> list[Problem]:
    """Return every problem of a merged definition, in file and line order."""
    return validate_all(merged, taxonomy=taxonomy, dimensions=dimensions)[0]


def validate_all(
    merged: Mapping[str, Any],
    *,
    taxonomy: Taxonomy | None = None,
    dimensions: Dimensions | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """Every problem and, apart, every warning of a merged definition, in line order."""
    if not isinstance(merged, MergedForm):
        merged = MergedForm(dict(merged), "<form>")
    context = Context(
        merged,
        taxonomy if taxonomy is not None else load_taxonomy(),
        dimensions if dimensions is not None else load_dimensions(),
    )
    check_structure(context)
    for check in SEMANTIC_CHECKS:
        check(context)
    problems = sorted(context.problems, key=problem_order)
    context.problems = []
    for check in WARNING_CHECKS:
        check(context)
    return problems, sorted(context.problems, key=problem_order)


def problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.origin, problem.line or 0, problem.code.key)


class Context:
    """The form being checked, its reference data and the problems found so far."""

    def __init__(self, merged: MergedForm, taxonomy: Taxonomy, dimensions: Dimensions) -> None:
        self.merged = merged
        self.data = merged.data
        self.taxonomy = taxonomy
        self.dimensions = dimensions
        self.problems: list[Problem] = []
        self._seen: set[tuple[Any, ...]] = set()

    def report(self, code: ProblemCode, path: Path, **params: Any) -> None:
        """Add a problem at a merged path, once, located where it was written."""
        where = self.merged.locate(path)
        flat = tuple(sorted((k, str(v)) for k, v in params.items()))
        key = (code, where.origin, where.path, flat)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(Problem(code, where.origin, where.line, where.path, params))

    def where(self, path: Path) -> str:
        """Describe a place for a message: "line 12 of base.yaml"."""
        found = self.merged.locate(path)
        return f"line {found.line} of {found.origin}" if found.line else found.origin

    def languages(self) -> list[str]:
        languages = self.data.get("languages")
        if not isinstance(languages, list):
            return []
        return list(dict.fromkeys(lang for lang in languages if isinstance(lang, str)))

    def sections(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        yield from _dict_items(self.data.get("sections"), ("sections",))

    def fields(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        for path, section in self.sections():
            yield from _dict_items(section.get("fields"), (*path, "fields"))

    def terms(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        yield from _dict_items(self.data.get("terms"), ("terms",))

    def choices(self, field: dict[str, Any], path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
        yield from _dict_items(field.get("choices"), (*path, "choices"))

    def fields_by_id(self) -> dict[str, tuple[Path, dict[str, Any]]]:
        """First field of each id (duplicates are reported separately)."""
        found: dict[str, tuple[Path, dict[str, Any]]] = {}
        for path, field in self.fields():
            if isinstance(field.get("id"), str):
                found.setdefault(field["id"], (path, field))
        return found

    def term_ids(self) -> set[str]:
        return {t["id"] for _, t in self.terms() if isinstance(t.get("id"), str)}


def _dict_items(items: Any, path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield (*path, i), item


@functools.cache
def _schema_validator() -> jsonschema.protocols.Validator:
    schema = format_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def check_structure(context: Context) -> None:
    """Report every structural error the JSON Schema finds, in plain words."""
    for error in _schema_validator().iter_errors(context.data):
        _report_schema_error(context, error)


def _report_schema_error(context: Context, error: jsonschema.ValidationError) -> None:
    path: Path = tuple(error.absolute_path)
    kind = error.validator
    if "propertyNames" in error.relative_schema_path:
        path = (*path, error.instance)
    if kind == "required":
        for key in error.validator_value:
            if isinstance(error.instance, dict) and key not in error.instance:
                context.report(ProblemCode.MISSING_KEY, path, key=key)
    elif kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                hint = did_you_mean(key, known) or f" Known keys: {', '.join(known)}."
                context.report(ProblemCode.UNKNOWN_KEY, (*path, key), key=key, hint=hint)
    elif kind == "enum" and path[-1:] == ("type",) and "fields" in path:
        allowed = error.validator_value
        context.report(ProblemCode.UNKNOWN_TYPE, path, value=error.instance,
                       hint=did_you_mean(error.instance, allowed), allowed=", ".join(allowed))
    elif kind == "enum":
        context.report(ProblemCode.NOT_ONE_OF, path, value=describe_value(error.instance),
                       allowed=", ".join(str(v) for v in error.validator_value))
    else:
        expected = error.schema.get("description") or error.message
        context.report(ProblemCode.WRONG_VALUE, path, value=describe_value(error.instance),
                       expected=expected)
