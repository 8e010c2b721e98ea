"""Re-sealing every case's sensitive answers and messages under the newest data key.

The data key is rotated by putting a new key in front of `MRVRS_DATA_KEY`; from then
on new answers are sealed with it and old ones still open with the older keys. This
walk re-seals the old ones, so the older keys can then be removed. It is idempotent
(a value that already opens with the newest key is left alone) and resumable (an
interrupted run is simply run again; each run walks the cases in `_id` order).
The questions to the reporter and their replies (`case.messages`) are sealed with
the same key and re-sealed in a second walk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workflows.repository import CaseRepository
from workflows.sealing import Sealer, SealError

BATCH_SIZE = 200


@dataclass
class ResealReport:
    """What one run did; `complete` when every sealed value is under the newest key."""

    checked: int = 0
    resealed: int = 0
    current: int = 0
    changed: list[str] = field(default_factory=list)  # changed meanwhile: run again
    unreadable: list[str] = field(default_factory=list)  # no listed key opens them
    messages_resealed: int = 0  # cases whose messages were re-sealed

    @property
    def complete(self) -> bool:
        return not self.changed and not self.unreadable


def reseal_cases(repo: CaseRepository, sealer: Sealer, *, batch_size: int = BATCH_SIZE,
                 progress: Callable[[ResealReport], None] | None = None) -> ResealReport:
    """Re-seal, under the sealer's newest key, every case's answers sealed under an older one."""
    report = ResealReport()
    after: str | None = None
    while batch := repo.sealed_after(after, batch_size):
        for case in batch:
            _reseal_one(repo, sealer, case, report)
        after = batch[-1]["_id"]
        if progress is not None:
            progress(report)
    after = None
    while batch := repo.messages_after(after, batch_size):
        for case in batch:
            _reseal_messages(repo, sealer, case, report)
        after = batch[-1]["_id"]
    return report


def _reseal_messages(repo: CaseRepository, sealer: Sealer, case: dict,
                     report: ResealReport) -> None:
    messages = case["messages"]
    stale = [m for m in messages if m.get("sealed") and not sealer.is_current(m["sealed"])]
    if not stale:
        return
    try:
        fresh = [{**m, "sealed": sealer.reseal(m["sealed"])} if m in stale else m
                 for m in messages]
    except SealError:
        report.unreadable.append(case["_id"])
        return
    if repo.replace_messages(case["_id"], messages, fresh):
        report.messages_resealed += 1
    else:
        report.changed.append(case["_id"])


def _reseal_one(repo: CaseRepository, sealer: Sealer, case: dict, report: ResealReport) -> None:
    report.checked += 1
    token = case["sensitive"]
    if sealer.is_current(token):
        report.current += 1
        return
    try:
        fresh = sealer.reseal(token)
    except SealError:
        report.unreadable.append(case["_id"])
        return
    if repo.replace_sealed(case["_id"], token, fresh):
        report.resealed += 1
    else:
        report.changed.append(case["_id"])
