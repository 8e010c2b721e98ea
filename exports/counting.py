"""Which cases an output counts, by stage, and why the others are left out.

One rule for every output (mission reports, the indicators page, exports of every
format and level), so a number in one agrees with the same number in another:

- a case marked as a duplicate is never counted: its original is, as a case of its own;
- a rejected case is never counted;
- cases still in review (submitted, in review, waiting for information) are counted
  only when the output asks for them explicitly (``include_unverified``);
- verified cases and the stages after them (follow-up, closed) are counted.

Consent to the output's purpose (`exports.consent`) is applied after this rule, to
the cases it counts. Each output states how many cases were left out, and why, with
`StageSummary.notes` beside the consent notes. The rule is a `$match` condition on the
stage (`counted_match`), so the database does the selecting; the left-out counts come
from a grouping by stage of only the cases left out (`left_out_match`), so a case
export still reads the cases it writes once, and no other case but to count it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Stages whose cases are counted by default: verified and every stage after it.
VERIFIED_STAGES = ("verified", "follow_up", "closed")
#: Stages of cases still in review: counted only when an output asks for them.
REVIEW_STAGES = ("submitted", "in_review", "needs_info")
#: Why a case in another stage is left out.
REASONS = ("duplicate", "rejected", "not_verified")
_REASON_OF_STAGE = {"duplicate": "duplicate", "rejected": "rejected",
                    **dict.fromkeys(REVIEW_STAGES, "not_verified")}


def counted_stages(include_unverified: bool = False) -> tuple[str, ...]:
    """The stages an output counts."""
    return VERIFIED_STAGES + (REVIEW_STAGES if include_unverified else ())


def counted_match(include_unverified: bool = False) -> dict[str, Any]:
    """The `$match` condition that keeps only the counted cases."""
    return {"stage": {"$in": list(counted_stages(include_unverified))}}


def left_out_match(include_unverified: bool = False) -> dict[str, Any]:
    """The `$match` condition of the cases left out (any stage the rule does not count)."""
    return {"stage": {"$nin": list(counted_stages(include_unverified))}}


def reason_left_out(stage: Any, include_unverified: bool = False) -> str | None:
    """None when a case in `stage` is counted, else the reason it is left out.

    A stage the rule does not know (none at all, or one a country's stage file adds)
    is "not_verified": the rule counts only what is known to have been verified.
    """
    if stage in counted_stages(include_unverified):
        return None
    return _REASON_OF_STAGE.get(stage, "not_verified")


@dataclass(frozen=True)
class StageSummary:
    """How many cases of a selection an output counted, and how many it left out, by reason."""

    included: int = 0
    duplicate: int = 0
    rejected: int = 0
    not_verified: int = 0
    include_unverified: bool = False

    @property
    def excluded(self) -> int:
        return self.duplicate + self.rejected + self.not_verified

    def left_out(self) -> dict[str, int]:
        """The counts per reason, for job records and audit events."""
        return {reason: getattr(self, reason) for reason in REASONS}

    def notes(self) -> list[str]:
        """Sentences for the file, the page and the report; none when nothing was left out."""
        notes = []
        if self.duplicate:
            notes.append(f"{_cases(self.duplicate)} left out: marked as a duplicate of "
                         f"another case, which is counted instead.")
        if self.rejected:
            notes.append(f"{_cases(self.rejected)} left out: rejected in review.")
        if self.not_verified:
            notes.append(f"{_cases(self.not_verified)} left out: not yet verified "
                         f"(still in review).")
        return notes

    @classmethod
    def from_groups(cls, groups: Iterable[Mapping[str, Any]],
                    include_unverified: bool = False) -> StageSummary:
        """From `pipelines.count_by(match, ("stage",))`: ``{"_id": {"stage": s}, "n": k}``."""
        counts = dict.fromkeys(("included", *REASONS), 0)
        for group in groups:
            key = group.get("_id")
            stage = key.get("stage") if isinstance(key, Mapping) else None
            reason = reason_left_out(stage, include_unverified)
            counts[reason or "included"] += int(group.get("n", 0))
        return cls(**counts, include_unverified=include_unverified)


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"
