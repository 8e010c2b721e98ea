"""The export cores stay pure: no web framework, task queue or database imports.

They take plain data (case documents, aggregation results) and return plain data
or bytes on a stream, so they test alone and serve the pages, the Celery export
jobs and the command line alike.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

EXPORTS = Path(__file__).resolve().parents[3] / "exports"
PURE_MODULES = [
    "tabular", "filters", "masking", "consent", "redaction", "answer_values", "codebook",
    "column_words", "columns",
    "pipelines", "indicators", "suppression", "entity_counts", "entity_tables",
    "writers/__init__", "writers/base",
    "writers/text", "writers/delimited", "writers/jsonlines", "writers/workbook",
    "writers/documents", "huridocs",
]
FORBIDDEN = {"flask", "celery", "pymongo", "mongomock", "wtforms", "bson", "gridfs", "app"}
PURE_NAMES = {m.replace("/", ".").removesuffix(".__init__") for m in PURE_MODULES}


def imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module__imports_nothing_forbidden(module: str) -> None:
    source = (EXPORTS / f"{module}.py").read_text(encoding="utf-8")
    assert {name.split(".")[0] for name in imports(source)} & FORBIDDEN == set()


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module__imports_only_pure_export_modules(module: str) -> None:
    source = (EXPORTS / f"{module}.py").read_text(encoding="utf-8")
    ours = {name.split(".", 1)[1] for name in imports(source) if name.startswith("exports.")}
    assert ours <= PURE_NAMES


def test_listed_modules__exist() -> None:
    present = {str(p.relative_to(EXPORTS).with_suffix("")) for p in EXPORTS.rglob("*.py")}
    assert set(PURE_MODULES) <= present
