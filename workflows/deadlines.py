"""Which deadline of a case the sweeps look at next, as plain data.

Pure core. Entering a stage gives a case the stage's deadlines (`config/stages.yaml`).
The deadline named `escalate` sends the case to the coordinators; every other one
reminds whoever holds the case. Rather than scanning every case's deadline map,
each case carries the next moment a sweep must look at it, in indexed fields:

- `due_at`: the earliest reminder deadline of the stage; the overdue queue shows
  cases past it, and it stays set until the case leaves the stage;
- `reminder_at`: the next reminder not yet sent (None once all are sent);
- `escalate_at`: the escalation not yet made (None once made).

A sweep handles the case and moves the field on with an update guarded on the value
it read, so two sweeps at once act once, and a transition in between (which sets
fresh values) makes the stale sweep's update match nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

ESCALATION = "escalate"


def deadline_fields(deadlines: Mapping[str, datetime]) -> dict[str, Any]:
    """The sweep fields a case gets together with fresh `deadlines`."""
    reminders = sorted(at for name, at in deadlines.items() if name != ESCALATION)
    first = reminders[0] if reminders else None
    return {"due_at": first, "reminder_at": first, "escalate_at": deadlines.get(ESCALATION),
            "escalated_at": None}


def reminder_name(deadlines: Mapping[str, Any], at: datetime) -> str | None:
    """The name of the reminder deadline falling at `at`, if any."""
    names = sorted(n for n, value in deadlines.items() if n != ESCALATION and value == at)
    return names[0] if names else None


def next_reminder(deadlines: Mapping[str, Any], after: datetime) -> datetime | None:
    """The first reminder deadline strictly later than `after`."""
    later = sorted(v for n, v in deadlines.items()
                   if n != ESCALATION and isinstance(v, datetime) and v > after)
    return later[0] if later else None
