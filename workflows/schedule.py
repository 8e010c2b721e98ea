"""The beat schedule, defined once as data: sweep name -> task, interval from settings.

Each entry expires after its own interval, so a scheduler that ran while no worker
was up does not leave a pile of identical sweeps behind: the next one does the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Sweep name (as in MRVRS_SWEEP_INTERVALS) -> task name.
SWEEP_TASKS: Mapping[str, str] = {
    "reminders": "mrvrs.sweep_reminders",
    "escalations": "mrvrs.sweep_escalations",
    "follow_ups": "mrvrs.sweep_follow_ups",
    "catch_up": "mrvrs.sweep_submitted",
    "outbox": "mrvrs.sweep_outbox",
    "digests": "mrvrs.send_digests",  # each person's e-mail digest, at their pace
    "export_files": "mrvrs.sweep_export_files",  # exports/tasks.py: expired export files
    "drafts": "mrvrs.sweep_drafts",  # evidence of reports started and never sent
    "shares": "mrvrs.sweep_shares",  # shares of cases past their end date (handover)
    "import_drafts": "mrvrs.sweep_import_drafts",  # sheets uploaded and never imported
}


def beat_schedule(intervals: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    unknown = sorted(set(intervals) - set(SWEEP_TASKS))
    if unknown:
        raise ValueError(f"no sweep is called {', '.join(unknown)}")
    return {
        f"sweep-{name}": {"task": task, "schedule": float(intervals[name]),
                          "options": {"expires": float(intervals[name])}}
        for name, task in SWEEP_TASKS.items()
    }
