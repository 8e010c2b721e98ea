"""`mrvrs db migrate`: the "No"s that unticked boxes left in cases filed before yes/no
questions had three answers become "not answered".

A case filed then holds `false` for every yes/no box the reporter did not tick, whether
they meant "no" or skipped the question, and there is no telling the two apart. Reading
them as "No" put answers in people's mouths in every output, so they are removed: the
question reads as not answered. `true` stays: a ticked box was a deliberate yes.

Which questions: the `yesno` fields of the latest version of the case's form (the type
that replaced the box). Only cases without `answers_format` are read, and each one
written gets `answers_format` 2 and a timeline event, so a second run finds nothing to do
and an interrupted run is simply run again. Each write is guarded by the case's version:
a case a reviewer changed meanwhile is reported and left for the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows.errors import StaleVersion
from workflows.intake import ANSWERS_FORMAT
from workflows.repository import CaseRepository
from workflows.sealing import Sealer, SealError

BATCH_SIZE = 200
EVENT_KIND = "answers_migrated"
ACTOR = "system"


@dataclass
class MigrationReport:
    """What one run did; `complete` when no case is left to migrate."""

    checked: int = 0
    changed: dict[str, list[str]] = field(default_factory=dict)  # case id -> questions
    marked: int = 0  # nothing to clear: only the format was set
    raced: list[str] = field(default_factory=list)  # changed meanwhile: run again
    unreadable: list[str] = field(default_factory=list)  # sealed answers no key opens

    @property
    def complete(self) -> bool:
        return not self.raced and not self.unreadable


def migrate_yes_no_answers(repo: CaseRepository, sealer: Sealer,
                           yes_no_fields: Callable[[str], frozenset[str]], *, now: datetime,
                           batch_size: int = BATCH_SIZE) -> MigrationReport:
    """Clear the unticked-box "No"s of every case filed before `ANSWERS_FORMAT` 2.

    `yes_no_fields(form_id)` names the yes/no questions of a form (empty for a form no
    longer published)."""
    report = MigrationReport()
    for case in repo.lacking("answers_format", batch_size):
        _migrate_one(repo, sealer, case, yes_no_fields((case.get("form") or {}).get("id")),
                     now, report)
    return report


def _migrate_one(repo: CaseRepository, sealer: Sealer, case: dict[str, Any],
                 questions: frozenset[str], now: datetime, report: MigrationReport) -> None:
    report.checked += 1
    answers, cleared = _without_false(case.get("answers") or {}, questions)
    changes: dict[str, Any] = {"answers": answers, "answers_format": ANSWERS_FORMAT}
    if case.get("sensitive"):
        try:
            sealed, cleared_sealed = _without_false(sealer.open(case["sensitive"]), questions)
        except SealError:
            report.unreadable.append(case["_id"])
            return
        if cleared_sealed:
            changes["sensitive"] = sealer.seal(sealed)
            cleared += cleared_sealed
    try:
        if cleared:
            repo.record(case, _event(case, sorted(cleared), now), changes)
            report.changed[case["_id"]] = sorted(cleared)
        elif repo.set_answers_format(case, ANSWERS_FORMAT):
            report.marked += 1
        else:
            report.raced.append(case["_id"])
    except StaleVersion:
        report.raced.append(case["_id"])


def _without_false(answers: Mapping[str, Any],
                   questions: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
    cleared = [key for key in questions if answers.get(key) is False]
    return {k: v for k, v in answers.items() if k not in cleared}, cleared


def _event(case: Mapping[str, Any], cleared: list[str], now: datetime) -> dict[str, Any]:
    note = ("Answers stored as No from boxes left unticked now read as not answered: "
            + ", ".join(cleared))
    return {"at": now, "actor": ACTOR, "from": case.get("stage"), "to": case.get("stage"),
            "note": note, "kind": EVENT_KIND, "data": {"cleared": cleared}}
