"""Small-cell suppression: "<5" in published tables, exact numbers internally."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from exports.indicators import Entry, IndicatorTable, Median, crosstab, per_year, trend
from exports.suppression import (
    TOTAL,
    WITHHELD,
    publish,
    published_median,
    published_trend,
)


def table(grid: dict[tuple[str, str], int]) -> IndicatorTable:
    return crosstab("t", (Entry((r,), c, n, n) for (r, c), n in grid.items()),
                    unit="violations")


GRID = {("MY", "woman"): 3, ("MY", "man"): 12, ("MY", "other"): 0,
        ("SG", "woman"): 20, ("SG", "man"): 9, ("SG", "other"): 6,
        ("HK", "woman"): 31, ("HK", "man"): 17, ("HK", "other"): 8}


def derivable(published: Any) -> list[tuple[Any, Any]]:
    """Hidden cells a reader could work out: a line with a visible total and one hidden cell."""
    t = published.table
    lines = [((r, TOTAL), [(r, c) for c in t.columns]) for r in (*t.rows, TOTAL)]
    lines += [((TOTAL, c), [(r, c) for r in t.rows]) for c in (*t.columns, TOTAL)]
    found = []
    for total, members in lines:
        hidden = [m for m in members if not isinstance(published.shown[m], int)]
        if isinstance(published.shown[total], int) and len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_internal_view__exact_numbers() -> None:
    published = publish(table(GRID), threshold=None)
    assert published.cell("MY", "woman") == 3 and published.total == 106
    assert published.notes == ()


def test_published__small_count_shown_below_threshold() -> None:
    published = publish(table(GRID))
    assert published.cell("MY", "woman") == "<5"
    assert published.cell("HK", "woman") == 31 and published.cell("MY", "other") == 0
    assert any(n.startswith("<5: a count from 1 to 4") for n in published.notes)


def test_published__no_small_count_can_be_worked_out_from_totals() -> None:
    published = publish(table(GRID))
    assert derivable(published) == []
    assert published.cell("MY", "man") == WITHHELD  # else 15 - 12 gives the 3 back
    assert published.total == 106 and published.row_total("MY") == 15
    assert any(n.startswith("x: withheld") for n in published.notes)
    assert sum(isinstance(v, int) for v in published.shown.values()) > len(published.shown) / 2


def test_published__zero_stays_zero__threshold_configurable() -> None:
    published = publish(table({("MY", "woman"): 0, ("MY", "man"): 7, ("SG", "man"): 30}),
                        threshold=10)
    assert published.cell("MY", "man") == "<10" and published.cell("MY", "woman") == 0
    assert published.total == 37


@pytest.mark.parametrize("seed", range(40))
def test_published__random_tables__nothing_derivable_nothing_small(seed: int) -> None:
    import random

    rng = random.Random(seed)
    grid = {(r, c): rng.choice([0, 1, 2, 3, 4, 5, 8, 13, 40])
            for r, c in product("ABCD", ["woman", "man", "other"])}
    published = publish(table(grid))
    assert derivable(published) == []
    for position, shown in published.shown.items():
        if isinstance(shown, int):
            assert shown == 0 or shown >= 5, position


def test_threshold__must_be_a_count() -> None:
    with pytest.raises(ValueError):
        publish(table(GRID), threshold=0)


def test_median__from_few_cases__not_published() -> None:
    assert published_median(Median(12.5, 3)) == "<5"
    assert published_median(Median(12.5, 3), threshold=None) == 12.5
    assert published_median(Median(12.5, 30)) == 12.5
    assert published_median(Median(None, 0)) is None


def test_trend__change_hidden_next_to_a_hidden_year() -> None:
    def year(n: int) -> list[dict[str, Any]]:
        return [{"_id": {"mwc": [21], "gender": "woman"}, "n": n}] if n else []

    counts = per_year({2023: year(20), 2024: year(3), 2025: year(30), 2026: year(45)})
    shown = published_trend(trend(counts), publish(counts))
    assert [s["count"] for s in shown] == [WITHHELD, "<5", 30, 45]  # 98 - 30 - 45 - 20 = 3
    assert shown[1]["change"] is None and shown[2]["change"] is None
    assert shown[3]["change"] == 15 and shown[3]["percent"] == 50.0
