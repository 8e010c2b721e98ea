"""Every case list the screens send is answered by a bounded index scan on the real
server (`bench.plans` reads MongoDB's and DocumentDB's explain alike)."""

from datetime import UTC, datetime, timedelta

import pytest

from bench.explain_queue import SCREENS, explain_screen
from bench.plans import bounded, readable, summarise
from workflows.repository import CaseRepository

HEX = "1500000002636f756e74727900030000004d590000"  # {"country": "MY"}
STAMP = "1900000009637265617465645f61740000dcb1a69c01000000"  # {"created_at": 2026-03-01}


def pg_scan(index, condition):
    return {"Node Type": "Bitmap Index Scan", "Index Name": index, "Index Cond": condition}


def op(operator, hexed):
    return (f"document OPERATOR(documentdb_api_catalog.{operator}) "
            f"'BSONHEX{hexed}'::documentdb_core.bson")


def documentdb(plan):
    return {"queryPlanner": {"Plan": {"Node Type": "Limit", "Plans": [
        {"Node Type": "Sort", "Plans": [{"Node Type": "Bitmap Heap Scan", "Plans": [plan]}]}]}}}


WINDOWED = pg_scan("country_created", f"(({op('@=', HEX)}) AND ({op('@>=', STAMP)}))")
UNWINDOWED = pg_scan("country_created", f"({op('@=', HEX)})")


@pytest.mark.parametrize("explain, expected", [
    (documentdb(WINDOWED), True),
    (documentdb(UNWINDOWED), False),
    (documentdb({"Node Type": "BitmapOr", "Plans": [WINDOWED, WINDOWED]}), True),
    (documentdb({"Node Type": "BitmapOr", "Plans": [WINDOWED, UNWINDOWED]}), False),
    (documentdb({"Node Type": "BitmapAnd", "Plans": [UNWINDOWED, WINDOWED]}), True),
    (documentdb(pg_scan("_id_", "(shard_key_value = '3784'::bigint)")), False),
    ({"queryPlanner": {"Plan": {"Node Type": "Seq Scan"}}}, False),
    ({"queryPlanner": {"winningPlan": {"stage": "LIMIT", "inputStage": {
        "stage": "FETCH", "inputStage": {"stage": "IXSCAN", "indexName": "created"}}}},
      "executionStats": {"totalKeysExamined": 51, "totalDocsExamined": 51, "nReturned": 51}},
     True),
    ({"queryPlanner": {"winningPlan": {"stage": "SORT", "inputStage": {
        "stage": "FETCH", "inputStage": {"stage": "IXSCAN", "indexName": "stage_created"}}}}},
     False),
    ({"queryPlanner": {"winningPlan": {"stage": "SORT", "inputStage": {"stage": "COLLSCAN"}}}},
     False),
])
def test_bounded__read_alike_from_both_servers(explain, expected):
    assert bounded(summarise(explain), "created_at") is expected


def test_documentdb_condition__decoded_for_people():
    assert readable(op("@=", HEX)) == "@= {'country': 'MY'}"


@pytest.mark.integration
def test_every_screen_query__bounded_index_scan_on_the_server(real_db):
    """Two matches per screen within its windows, among older closed cases: enough
    stored that the server's planner weighs indexes rather than reading a tiny table."""
    old = datetime(2020, 1, 1, tzinfo=UTC)
    real_db.cases.insert_many([
        {"_id": f"c_old_{i:05d}", "reference": f"KR-2020-{i:06d}", "country": "KR",
         "dimensions": {"destination_country": "KR"}, "stage": "closed", "pad": "x" * 500,
         "created_at": old + timedelta(hours=i)} for i in range(2000)])
    now = datetime.now(UTC)
    for n, created in enumerate([now - timedelta(hours=1)] * 4
                                + [datetime(2024, 3, 1, tzinfo=UTC)] * 3):
        real_db.cases.insert_one({
            "_id": f"c_{n:04d}", "reference": f"MY-2026-{n:06d}", "country": "MY",
            "dimensions": {"destination_country": "SA", "gender": "woman"}, "mwc": [21],
            "stage": "in_review", "priority": "urgent", "team": "my-team",
            "assignee": "u_bench_reviewer" if n % 2 else None, "search_terms": ["passport"],
            "created_at": created})
    CaseRepository(real_db).ensure_indexes()
    unbounded = []
    for label, actor, queue, filters in SCREENS:
        query, summary, _ = explain_screen(real_db, actor, queue, filters, limit=1)
        if not bounded(summary, "created_at"):
            unbounded.append((label, query["filter"], summary))
    assert not unbounded, "\n".join(str(u) for u in unbounded)


def test_plan_shape__one_line_for_people():
    explain = documentdb({"Node Type": "BitmapOr", "Plans": [WINDOWED, WINDOWED]})
    assert summarise(explain).shape == (
        "Limit > Sort > Bitmap Heap Scan > BitmapOr(Bitmap Index Scan x2)")
