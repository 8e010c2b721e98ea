"""Compile a form definition: resolve inheritance, validate, build dataclasses.

Reading files is left to the caller (`forms.shipped`, the upload view, the
store), so compiling is pure and works the same on inline test YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from forms.dimensions import Dimensions
from forms.errors import DefinitionError, Problem
from forms.inheritance import resolve
from forms.loader import ParsedSource, parse_definition
from forms.mwc import Taxonomy
from forms.schema import FormDefinition
from forms.validation import problem_order, validate_all


@dataclass(frozen=True)
class CompileResult:
    """The definition when there were no problems, every problem found, and apart the
    warnings: findings worth a look that never stop a form being published."""

    definition: FormDefinition | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.definition is not None

    def unwrap(self) -> FormDefinition:
        """Return the definition or raise `DefinitionError` with every problem."""
        if self.definition is None:
            raise DefinitionError(self.problems)
        return self.definition


def compile_form(
    form_id: str,
    sources: Mapping[str, ParsedSource],
    *,
    taxonomy: Taxonomy | None = None,
    dimensions: Dimensions | None = None,
) -> CompileResult:
    """Compile `form_id` from parsed sources keyed by form id (parents included)."""
    merged, problems = resolve(form_id, sources)
    warnings: list[Problem] = []
    if merged is not None:
        found, warnings = validate_all(merged, taxonomy=taxonomy, dimensions=dimensions)
        problems += found
    ordered = tuple(sorted(problems, key=problem_order))
    if merged is None or ordered:
        return CompileResult(None, ordered, tuple(warnings))
    return CompileResult(FormDefinition.from_dict(merged.data), (), tuple(warnings))


def compile_text(
    text: str,
    origin: str,
    library_sources: Mapping[str, ParsedSource],
    *,
    taxonomy: Taxonomy | None = None,
    dimensions: Dimensions | None = None,
) -> CompileResult:
    """Compile one uploaded file whose parents come from `library_sources`.

    The uploaded file replaces any library form of the same id, so a national
    member can preview a new version of a published form.
    """
    parsed = parse_definition(text, origin)
    form_id = parsed.form_id or origin
    sources = {**library_sources, form_id: parsed}
    return compile_form(form_id, sources, taxonomy=taxonomy, dimensions=dimensions)
