"""`mrvrs db migrate`: the event period (`workflows.case_facts`) of cases filed before
cases kept one, worked out from the answers they were filed with.

The period comes from questions of the base form that are never sealed (the day, or
the year and month, and whether it is approximate), so the plain answers suffice. A
case whose reporter gave no date gets `None`, so it is not read again: a second run
finds nothing to do, and an interrupted one is simply run again.
"""

from __future__ import annotations

from workflows.case_facts import event_period
from workflows.repository import CaseRepository

BATCH_SIZE = 500


def backfill_event_periods(repo: CaseRepository, *, batch_size: int = BATCH_SIZE) -> int:
    """Give every case without an `event` its event period; returns how many were given one
    (None included)."""
    return sum(repo.set_event(case["_id"], event_period(case.get("answers") or {}))
               for case in repo.lacking("event", batch_size))
