"""The MWC taxonomy and dimensions as packaged, the shipped sources, and purity of `forms/`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from formspec import ARTICLES, TAXONOMY

from forms.dimensions import load_dimensions
from forms.mwc import code, describe_ranges, load_taxonomy, parse_code
from forms.shipped import shipped_sources

FORMS_DIR = Path(__file__).resolve().parents[3] / "forms"
STANDARD_DIMENSIONS = {
    "gender", "age_band", "nationality", "destination_country", "occupation",
    "immigration_status", "perpetrator_type", "violation_date",
}
FORBIDDEN = {"flask", "celery", "pymongo", "mongomock", "wtforms", "flask_wtf", "bson"}
EDGE_MODULES = {"wtf.py", "store.py", "approvals.py"}  # the forms modules allowed a database


@pytest.mark.parametrize(
    ("value", "expected"),
    [(21, 21), ("21", 21), ("MWC-21", 21), ("mwc-21", 21), ("MWC 21", 21),
     ("Article 21", None), (True, None), (None, None), (21.0, None)],
)
def test_parse_code__accepts_numbers_and_codes_only(value: object, expected: int | None) -> None:
    assert parse_code(value) == expected


def test_code__writes_the_stable_form() -> None:
    assert code(21) == "MWC-21"


def test_describe_ranges__collapses_runs() -> None:
    assert describe_ranges([83, 1, 8, 9, 10, 5]) == "1, 5, 8-10, 83"


def test_taxonomy__title_falls_back_to_english_then_code() -> None:
    assert TAXONOMY.title(21, "ms") == "Perkara 21"
    assert TAXONOMY.title(21, "ko") == "Article 21"
    assert 34 not in TAXONOMY.violation_codes() and 21 in TAXONOMY.violation_codes()
    with pytest.raises(KeyError):
        TAXONOMY.article(99)


def test_load_taxonomy__packaged_file__has_the_design_article_ranges() -> None:
    taxonomy = load_taxonomy()
    assert set(taxonomy.numbers()) >= set(ARTICLES)
    assert all(taxonomy.title(n, "en") != code(n) for n in ARTICLES)
    assert {34, 35, 36}.isdisjoint(taxonomy.violation_codes())
    assert all(taxonomy.article(n).documented_only for n in range(37, 57))
    assert load_taxonomy() is taxonomy  # read once


def test_load_dimensions__packaged_file__has_the_standard_dimensions() -> None:
    dimensions = load_dimensions()
    assert set(dimensions.ids()) == STANDARD_DIMENSIONS
    gender = dimensions.get("gender")
    assert gender.values is not None and {"woman", "man"} <= set(gender.values)
    assert dimensions.get("nationality").kind == "country"
    assert dimensions.get("violation_date").kind == "date"


def test_shipped_sources__are_keyed_by_form_id() -> None:
    for form_id, source in shipped_sources().items():
        assert source.origin.startswith("forms/definitions/")
        assert source.form_id in (form_id, None)


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "path",
    sorted(p for p in FORMS_DIR.glob("*.py") if p.name not in EDGE_MODULES),
    ids=lambda p: p.name,
)
def test_forms_core_module__imports_no_framework_or_database(path: Path) -> None:
    roots = _imported_roots(path)
    assert not roots & FORBIDDEN
    assert not roots & {"workflows", "exports", "app"}  # imports flow config <- forms only
