"""Consent per purpose: cases without it are left out, and the output says how many and why."""

from __future__ import annotations

import io
import zipfile

import pytest
from export_factories import make_case, shipped

from exports.columns import build_layout, export_rows
from exports.consent import ConsentSummary, UnknownPurposeError, consent_filter
from exports.redaction import Redactor
from exports.writers import get_writer

CASES = [
    {"_id": "a", "consent": {"statistics": True, "advocacy": True}},
    {"_id": "b", "consent": {"statistics": False, "advocacy": True}},
    {"_id": "c", "consent": {"statistics": True}},
    {"_id": "d", "consent": {}},
    {"_id": "e"},
    {"_id": "f", "consent": {"statistics": "yes"}},  # only an explicit True counts
]


def test_filter__keeps_consented_cases_and_counts_the_rest() -> None:
    keep = consent_filter("statistics")
    assert [c["_id"] for c in keep(CASES)] == ["a", "c"]
    assert keep.summary() == ConsentSummary("statistics", included=2, declined=1,
                                            not_recorded=3)
    assert keep.summary().excluded == 4
    assert keep.notes() == [
        "1 case left out: the reporter did not consent to anonymous statistics.",
        "3 cases left out: no consent to anonymous statistics was recorded.",
    ]


def test_filter__streams__counts_grow_as_cases_are_read() -> None:
    keep = consent_filter("advocacy")
    kept = keep(iter(CASES))
    assert keep.summary().included == 0
    next(kept)
    assert keep.summary().included == 1


def test_filter__nothing_left_out__no_notes() -> None:
    keep = consent_filter("statistics")
    list(keep(CASES[:1]))
    assert keep.notes() == []


def test_filter__unknown_purpose__refused() -> None:
    with pytest.raises(UnknownPurposeError, match="case_work, referral, statistics, advocacy"):
        consent_filter("marketing")


def test_summary__from_grouping_results() -> None:
    groups = [{"_id": True, "n": 7}, {"_id": False, "n": 2}, {"_id": None, "n": 1}]
    summary = ConsentSummary.from_groups("advocacy", groups)
    assert (summary.included, summary.declined, summary.not_recorded) == (7, 2, 1)


def test_export__notes_state_what_was_left_out() -> None:
    def case(i: int, statistics: bool) -> dict:
        return make_case("my-intake", {"destination_country": "MY", "narrative": "n",
                                       "consent_case_work": True,
                                       "consent_statistics": statistics},
                         case_id=f"c_{i}")

    keep = consent_filter("statistics")
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, "en", "pseudonymised")
    out = io.BytesIO()
    rows = export_rows(keep([case(1, True), case(2, False), case(3, False)]), layout,
                       Redactor("pseudonymised"))
    result = get_writer("csv").write(rows, layout.tables, out, notes=keep.notes)
    assert result.count("cases") == 1
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as files:
        assert files.read("notes.txt").decode() == (
            "2 cases left out: the reporter did not consent to anonymous statistics.\n")
