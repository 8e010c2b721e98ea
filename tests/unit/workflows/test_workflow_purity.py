"""The workflow cores stay pure: no web framework, task queue or database imports.

They take plain data and return plain data, so they test alone and can be reused by
the web app, the tasks and the command line alike.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parents[3] / "workflows"
PURE_MODULES = [
    "errors",
    "stages",
    "stage_graph",
    "stage_config",
    "stage_overrides",
    "transition_config",
    "routing",
    "identity_keys",
    "routing_changes",
    "routing_edits",
]
FORBIDDEN = {"flask", "celery", "pymongo", "mongomock", "wtforms", "bson", "app", "exports"}


def imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module__imports_nothing_forbidden(module: str) -> None:
    source = (WORKFLOWS / f"{module}.py").read_text(encoding="utf-8")
    assert imported_roots(source) & FORBIDDEN == set()


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module__imports_only_pure_workflow_modules(module: str) -> None:
    source = (WORKFLOWS / f"{module}.py").read_text(encoding="utf-8")
    ours = {
        node.module.split(".", 1)[1]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workflows.")
    }
    assert ours <= set(PURE_MODULES)
