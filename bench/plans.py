"""Read an `explain()` answer from MongoDB or from FerretDB 2 on DocumentDB alike.

MongoDB answers with `queryPlanner.winningPlan` (stages such as IXSCAN, COLLSCAN,
SORT) and, with `executionStats`, the keys and documents it examined. FerretDB 2
answers with the PostgreSQL plan DocumentDB runs (`queryPlanner.Plan`: "Index Scan",
"Bitmap Index Scan", "Seq Scan"...) and no counts; its index conditions hold the
compared values as hex-encoded BSON, decoded here so a person can read them.

A plan is *bounded* when the documents it fetches are limited by an index range
on the sort key from the side the page starts at (the filing window). DocumentDB
sorts whatever its index conditions match, so that range is what keeps the cost of
a page the same however many cases are stored: an index scan is bounded when its
condition holds the window, an AND of bitmaps when any part is, an OR only when
every branch is. A scan of the whole `_id_` index (condition on the shard key only)
is a collection scan by another name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import bson

BSONHEX = re.compile(r"'BSONHEX([0-9a-fA-F]+)'::documentdb_core\.bson")
OPERATOR = re.compile(r"document OPERATOR\(documentdb_api_catalog\.(@[^)]*)\)")
INDEX_NODES = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
#: DocumentDB operators that close a range from below ("@<>" is a range with both ends).
LOWER_BOUNDS = ("@>=", "@>", "@<>")


@dataclass
class Summary:
    """What an explain says, in the same words for both servers."""

    server: str
    index_scans: list[tuple[str, str]] = field(default_factory=list)  # (index, condition)
    collection_scan: bool = False
    sorted_in_memory: bool = False
    keys_examined: int | None = None
    docs_examined: int | None = None
    returned: int | None = None
    window_on: set[str] = field(default_factory=set)  # fields with a lower bound per scan
    fetch_bounded_on: set[str] = field(default_factory=set)  # DocumentDB: see module doc
    shape: str = ""  # the plan's nodes, outermost first: "Limit > Sort > ..."

    @property
    def uses_index(self) -> bool:
        return bool(self.index_scans) and not self.collection_scan


def summarise(explain: Mapping[str, Any]) -> Summary:
    """The index scans, collection scans and counts of one explain answer."""
    planner = explain.get("queryPlanner") or {}
    if "Plan" in planner:
        return _documentdb(planner["Plan"])
    return _mongodb(planner.get("winningPlan") or {}, explain.get("executionStats") or {})


def bounded(summary: Summary, sort_key: str) -> bool:
    """Answered from indexes only, each range closed on `sort_key` (see module doc).

    On MongoDB an index scan that yields the sort order stops at the page's limit,
    so no in-memory sort and no collection scan is enough.
    """
    if not summary.uses_index:
        return False
    if summary.server == "mongodb":
        return not summary.sorted_in_memory
    return sort_key in summary.fetch_bounded_on


def _per_scan_bounds(summary: Summary) -> Iterator[set[str]]:
    for _, condition in summary.index_scans:
        yield {name for name, op in _compared(condition) if op in LOWER_BOUNDS}


def _compared(condition: str) -> list[tuple[str, str]]:
    """(field, operator) for each comparison in a readable DocumentDB condition."""
    return [(m.group(2), m.group(1)) for m in re.finditer(r"(@\S*) \{'?([\w.]+)'?:", condition)]


def readable(condition: str) -> str:
    """A DocumentDB index condition with its BSON values decoded."""
    text = OPERATOR.sub(lambda m: m.group(1), condition)

    def decode(match: re.Match[str]) -> str:
        try:
            return str(dict(bson.decode(bytes.fromhex(match.group(1)))))
        except Exception:  # noqa: BLE001  (shown as it came)
            return match.group(0)

    return BSONHEX.sub(decode, text)


def _documentdb(plan: Mapping[str, Any]) -> Summary:
    summary = Summary(server="documentdb")
    for node in _nodes(plan, "Plans"):
        kind = node.get("Node Type", "")
        if kind == "Seq Scan":
            summary.collection_scan = True
        elif kind in INDEX_NODES:
            condition = readable(str(node.get("Index Cond", "")))
            if node.get("Index Name") == "_id_" and "shard_key_value" in condition \
                    and "@" not in condition:
                summary.collection_scan = True
            summary.index_scans.append((str(node.get("Index Name")), condition))
        elif kind in ("Sort", "Incremental Sort"):
            summary.sorted_in_memory = True
    for bounds in _per_scan_bounds(summary):
        summary.window_on |= bounds
    summary.fetch_bounded_on = _bounded_on(plan)
    summary.shape = _shape(plan, "Node Type", "Plans")
    return summary


def _shape(node: Mapping[str, Any], kind: str, *children: str) -> str:
    """`Limit > Sort > BitmapOr(Bitmap Index Scan x8)`: the tree in one line."""
    below = [child for name in children for child in (
        node.get(name) if isinstance(node.get(name), list) else [node.get(name)])
        if child]
    text = str(node.get(kind, "?"))
    if len(below) == 1:
        return f"{text} > {_shape(below[0], kind, *children)}"
    if below:
        parts = [_shape(child, kind, *children) for child in below]
        grouped = [f"{part} x{parts.count(part)}" if parts.count(part) > 1 else part
                   for i, part in enumerate(parts) if part not in parts[:i]]
        return f"{text}({', '.join(grouped)})"
    return text


def _bounded_on(node: Mapping[str, Any]) -> set[str]:
    """The fields on which what `node` yields is limited by a lower bound."""
    kind = node.get("Node Type", "")
    if kind in INDEX_NODES:
        condition = readable(str(node.get("Index Cond", "")))
        return {name for name, op in _compared(condition) if op in LOWER_BOUNDS}
    below = [_bounded_on(child) for child in node.get("Plans") or []]
    if kind == "Seq Scan" or not below:
        return set()
    if kind == "BitmapOr":
        return set.intersection(*below)
    if kind == "BitmapAnd":
        return set.union(*below)
    return below[0]  # Limit, Sort, Bitmap Heap Scan...: what their input yields


def _mongodb(plan: Mapping[str, Any], stats: Mapping[str, Any]) -> Summary:
    summary = Summary(server="mongodb", keys_examined=stats.get("totalKeysExamined"),
                      docs_examined=stats.get("totalDocsExamined"),
                      returned=stats.get("nReturned"))
    for node in _nodes(plan, "inputStages", "inputStage"):
        stage = node.get("stage")
        if stage == "COLLSCAN":
            summary.collection_scan = True
        elif stage == "IXSCAN":
            summary.index_scans.append((str(node.get("indexName")),
                                        str(node.get("indexBounds", ""))))
        elif stage == "SORT":
            summary.sorted_in_memory = True
    summary.shape = _shape(plan, "stage", "inputStage", "inputStages")
    return summary


def _nodes(node: Mapping[str, Any], *children: str) -> Iterator[Mapping[str, Any]]:
    yield node
    for name in children:
        below = node.get(name)
        for child in below if isinstance(below, list) else [below] if below else []:
            yield from _nodes(child, *children)
