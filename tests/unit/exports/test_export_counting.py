"""The counting rule: which stages every output counts, and the reasons for the others."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from exports.counting import StageSummary, counted_match, left_out_match, reason_left_out

STAGES_FILE = Path(__file__).resolve().parents[3] / "config" / "stages.yaml"


def _every_stage() -> tuple[str, ...]:
    """Every stage the lifecycle file names, per-country stages included."""
    config = yaml.safe_load(STAGES_FILE.read_text())
    names = set(config["stages"])
    for country in (config.get("countries") or {}).values():
        names |= set((country or {}).get("stages") or {})
    return tuple(sorted(names))


EVERY_STAGE = _every_stage()


@pytest.mark.parametrize(("stage", "default", "with_review"), [
    ("submitted", "not_verified", None), ("in_review", "not_verified", None),
    ("needs_info", "not_verified", None), ("verified", None, None), ("follow_up", None, None),
    ("closed", None, None), ("rejected", "rejected", "rejected"),
    ("duplicate", "duplicate", "duplicate"), (None, "not_verified", "not_verified"),
])
def test_reason__by_stage_with_and_without_cases_in_review(stage, default, with_review):
    assert reason_left_out(stage) == default
    assert reason_left_out(stage, include_unverified=True) == with_review


def test_every_stage_of_the_lifecycle__has_a_rule():
    assert set(EVERY_STAGE) == {"submitted", "in_review", "needs_info", "verified",
                                "follow_up", "closed", "rejected", "duplicate"}


def test_matches__counted_and_left_out_split_the_stages():
    for unverified in (False, True):
        counted = set(counted_match(unverified)["stage"]["$in"])
        assert set(left_out_match(unverified)["stage"]["$nin"]) == counted
        assert counted == {s for s in EVERY_STAGE if reason_left_out(s, unverified) is None}


def test_summary__from_a_grouping_by_stage_with_notes():
    groups = [{"_id": {"stage": s}, "n": n} for s, n in
              [("verified", 3), ("closed", 2), ("in_review", 4), ("duplicate", 1),
               ("rejected", 2)]] + [{"_id": {}, "n": 1}]
    summary = StageSummary.from_groups(groups)
    assert (summary.included, summary.excluded) == (5, 8)
    assert summary.left_out() == {"duplicate": 1, "rejected": 2, "not_verified": 5}
    assert summary.notes() == [
        "1 case left out: marked as a duplicate of another case, which is counted instead.",
        "2 cases left out: rejected in review.",
        "5 cases left out: not yet verified (still in review)."]
    wider = StageSummary.from_groups(groups, include_unverified=True)
    assert wider.left_out() == {"duplicate": 1, "rejected": 2, "not_verified": 1}
    assert StageSummary.from_groups([{"_id": {"stage": "closed"}, "n": 2}]).notes() == []
