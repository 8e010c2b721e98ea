"""Helpers for specification-style tests of form definitions.

Reference data is built here rather than read from the packaged files, so the
tests depend only on the article ranges and dimensions the design fixes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from forms.compiler import CompileResult, compile_form
from forms.dimensions import Dimensions
from forms.errors import ProblemCode
from forms.loader import parse_definition
from forms.mwc import Taxonomy

ARTICLES = [1, 5, 7, *range(8, 36), *range(36, 57), *range(58, 72), 83]
CONTEXT_ONLY = {34, 35, 36}

TAXONOMY = Taxonomy.from_data(
    {
        "articles": [
            {
                "number": n,
                "part": "III" if 8 <= n <= 35 else "IV" if 36 <= n <= 56 else "cross",
                "documented_only": 36 <= n <= 56,
                "violation_code": n not in CONTEXT_ONLY,
                "title": {"en": f"Article {n}", "ms": f"Perkara {n}"},
            }
            for n in ARTICLES
        ]
    }
)

DIMENSIONS = Dimensions.from_data(
    {
        "dimensions": [
            {"id": "gender", "kind": "choice",
             "values": ["woman", "man", "non_binary", "other", "undisclosed"]},
            {"id": "age_band", "kind": "choice", "values": ["18-19", "20-24", "25-29"]},
            {"id": "nationality", "kind": "country"},
            {"id": "destination_country", "kind": "country"},
            {"id": "occupation", "kind": "choice"},
            {"id": "immigration_status", "kind": "choice",
             "values": ["documented", "undocumented"]},
            {"id": "perpetrator_type", "kind": "multichoice",
             "values": ["EMP_IND", "EMP_FAM", "AGENCY_DEST"]},
            {"id": "violation_date", "kind": "date"},
        ]
    }
)

GENDER_FIELD = """\
- id: gender
  type: choice
  label: {en: Gender}
  dimension: gender
  choices:
    - {value: woman, label: {en: Woman}}
    - {value: man, label: {en: Man}}
"""


def form(fields: str = "- {id: a, type: text, label: {en: A}}", *, top: str = "",
         form_id: str = "t") -> str:
    """A valid one-section English form around the given field list and top-level keys."""
    body = textwrap.indent(textwrap.dedent(fields).strip("\n"), "      ")
    head = f"form: {form_id}\ntitle: {{en: T}}\nlanguages: [en]\n"
    return head + textwrap.dedent(top) + (
        "sections:\n  - id: s\n    title: {en: S}\n    fields:\n" + body + "\n"
    )


def compile_snippet(
    text: str, *, parents: Mapping[str, str] | None = None, origin: str = "form.yaml"
) -> CompileResult:
    """Compile YAML text whose parents are given as {file name: YAML text}."""
    main = parse_definition(textwrap.dedent(text), origin)
    sources = {}
    for name, parent_text in (parents or {}).items():
        parsed = parse_definition(textwrap.dedent(parent_text), name)
        sources[parsed.form_id or name] = parsed
    form_id = main.form_id or origin
    sources[form_id] = main
    return compile_form(form_id, sources, taxonomy=TAXONOMY, dimensions=DIMENSIONS)


def assert_problems(
    text: str, *codes: ProblemCode, parents: Mapping[str, str] | None = None
) -> CompileResult:
    """Compile and check that exactly these problem codes (in any order) were found."""
    result = compile_snippet(text, parents=parents)
    found = sorted(p.code.name for p in result.problems)
    assert found == sorted(c.name for c in codes), "\n".join(p.message for p in result.problems)
    assert (result.definition is None) == bool(codes)
    return result
