"""The index table of docs/scale.md: generated from the indexes the stores create, and
every index explained."""

from __future__ import annotations

import pytest

from app.index_catalogue import (
    DOCUMENT,
    UNEXPLAINED,
    Index,
    indexes_of,
    reasons_in,
    render_table,
    table_in,
    with_table,
)
from workflows.repository import INDEXES

REGENERATE = "python -m app.index_catalogue --write"


def _document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def test_docs_table__is_the_one_the_code_gives(svc):
    document = _document()
    assert table_in(document) == render_table(indexes_of(svc.db), reasons_in(document)), (
        f"docs/scale.md's index table differs from the indexes the stores create: run "
        f"`{REGENERATE}`, write the reason of every new index, and review the difference")


def test_docs_table__every_index_has_its_reason():
    unexplained = sorted(key for key, reason in reasons_in(_document()).items()
                         if not reason.strip() or reason == UNEXPLAINED)
    assert unexplained == [], "say in docs/scale.md what needs each of these indexes"


def test_docs_table__names_every_index_of_the_case_repository():
    documented = {name for collection, name in reasons_in(_document()) if collection == "cases"}
    assert {name for name, _keys, _options in INDEXES} <= documented


def test_an_index_added_later__shows_unexplained(svc):
    svc.db.cases.create_index([("added_later", 1)], name="added_later")
    document = _document()
    table = render_table(indexes_of(svc.db), reasons_in(document))
    assert table != table_in(document)
    assert "| `cases` | `added_later` | `{added_later: 1}` |  | " + UNEXPLAINED in table
    assert reasons_in(with_table(document, table))[("cases", "added_later")] == UNEXPLAINED


def test_an_index_dropped__its_row_goes(svc):
    svc.db.cases.drop_index("due_at")
    table = render_table(indexes_of(svc.db), reasons_in(_document()))
    assert "`due_at`" not in table
    assert "`reference_unique`" in table


def test_indexes_of__leaves_out_id__says_unique_and_expiry(svc):
    found = {index.key: index for index in indexes_of(svc.db)}
    assert ("cases", "_id_") not in found
    assert found[("users", "email_unique")] == Index("users", "email_unique", "`{email: 1}`",
                                                     "unique")
    assert found[("login_backoff", "expiry")].options == "expires 0 s after the date"
    assert found[("cases", "stage_created")].keys == "`{stage: 1, created_at: -1}`"


@pytest.mark.integration
def test_the_real_server__reports_the_indexes_the_embedded_store_does(svc, settings, real_db):
    """The table is made on the embedded store; a real server must give the same one."""
    from app.services import Services

    Services.build(settings, real_db, svc.celery).ensure_indexes()
    assert indexes_of(real_db) == indexes_of(svc.db)
