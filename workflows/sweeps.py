"""The periodic sweeps: reminders, escalations, follow-ups due, and routing catch-up.

Plain functions taking the repository, the notifier and `now`; the beat tasks in
`workflows.tasks` only call them. Each selects cases by an indexed field holding
the next moment it must look at them (`workflows.deadlines`, `workflows.follow_ups`)
and acts through an update guarded on the value it read, so:

- running a sweep at any moment does only what is due;
- two runs at once notify once (notification ids are stable) and record one event;
- a case a reviewer moved meanwhile has fresh values, the stale update matches
  nothing, and the next run looks at the new deadlines.

The notification is written before the guarded mark, so a run that dies between the
two repeats the (stable-id) notification on the next run instead of losing it.
The marks go through `CaseRepository.mark`: ordered with every other write by the
version claim, but without changing the `version`, since a reminder is not an edit
and a reviewer with the case open must not get a conflict because a sweep passed by.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from workflows.case_service import CaseService
from workflows.deadlines import ESCALATION, next_reminder, reminder_name
from workflows.follow_ups import due_actions, next_due

BATCH = 200
#: A case still `submitted` this long after filing was not routed: the broker was away.
CATCH_UP_AFTER = timedelta(minutes=1)
FIELDS = {"reference": 1, "stage": 1, "version": 1, "deadlines": 1, "assignee": 1, "team": 1,
          "reminder_at": 1, "escalate_at": 1, "follow_ups": 1, "follow_up_due_at": 1,
          "follow_up_reminders": 1, "country": 1}


def _due(service: CaseService, field: str, now: datetime) -> list[dict[str, Any]]:
    return list(service.repo.cases.find({field: {"$lte": now}}, FIELDS)
                .sort(field, 1).limit(BATCH))


def _event(kind: str, case: Mapping[str, Any], now: datetime, note: str,
           data: Mapping[str, Any]) -> dict[str, Any]:
    return {"at": now, "actor": "system", "from": case.get("stage"), "to": case.get("stage"),
            "note": note, "kind": kind, "data": dict(data)}


def _mark(service: CaseService, case: Mapping[str, Any], field: str, changes: dict[str, Any],
          event: dict[str, Any]) -> bool:
    """Write `changes` only while `field` still holds the value this run read."""
    return service.repo.mark(case, {field: case[field]}, event, changes)


def send_reminders(service: CaseService, now: datetime) -> int:
    """Remind the holder of each case past a stage deadline, once per deadline."""
    count = 0
    for case in _due(service, "reminder_at", now):
        at, deadlines = case["reminder_at"], case.get("deadlines") or {}
        name = reminder_name(deadlines, at) or "deadline"
        service.notify("reminder", case, service.holders(case),
                        f"reminder:{case['_id']}:{name}:{at.isoformat()}")
        event = _event("reminder", case, now, f"The {name} deadline has passed.",
                       {"deadline": name, "due": at})
        count += _mark(service, case, "reminder_at",
                       {"reminder_at": next_reminder(deadlines, at)}, event)
    return count


def escalate(service: CaseService, now: datetime) -> int:
    """Send each case past its escalation deadline to the coordinators, once."""
    count = 0
    for case in _due(service, "escalate_at", now):
        at = case["escalate_at"]
        addresses = ["coordinators", *([f"user:{case['assignee']}"] if case.get("assignee")
                                       else [])]
        service.notify("escalation", case, addresses,
                        f"escalation:{case['_id']}:{case.get('stage')}:{at.isoformat()}")
        event = _event("escalation", case, now, "Escalated to the coordinators.",
                       {"deadline": ESCALATION, "due": at})
        count += _mark(service, case, "escalate_at", {"escalate_at": None, "escalated_at": now},
                       event)
    return count


def follow_ups_due(service: CaseService, now: datetime) -> int:
    """Remind the holder of each open follow-up action that has fallen due, once per date."""
    count = 0
    for case in _due(service, "follow_up_due_at", now):
        actions, reminded = case.get("follow_ups") or [], case.get("follow_up_reminders") or {}
        due = due_actions(actions, reminded, now)
        for action in due:
            service.notify("reminder", case, service.holders(case),
                            f"follow_up:{case['_id']}:{action['id']}:{action['due']}")
        marks = {**reminded, **{str(a["id"]): a["due"] for a in due}}
        event = _event("follow_up_due", case, now, "Follow-up actions are due.",
                       {"actions": [a["id"] for a in due]})
        changes = {"follow_up_reminders": marks, "follow_up_due_at": next_due(actions, marks)}
        count += _mark(service, case, "follow_up_due_at", changes, event) and len(due)
    return count


def catch_up_submitted(service: CaseService, enqueue: Callable[[str], object], now: datetime,
                       older_than: timedelta = CATCH_UP_AFTER) -> int:
    """Enqueue routing again for cases still waiting in the initial stage.

    Routing is idempotent, so a case enqueued twice (its first message was only
    late) is routed once.
    """
    initial = service.graphs[None].initial
    waiting = service.repo.cases.find(
        {"stage": initial, "created_at": {"$lt": now - older_than}}, {"_id": 1}
    ).sort("created_at", 1).limit(BATCH * 5)
    count = 0
    for case in waiting:
        enqueue(str(case["_id"]))
        count += 1
    return count


def expire_shares(service: CaseService, now: datetime,
                  audit: Callable[..., Any] | None = None) -> int:
    """End every share past its end date (docs/handover.md): a timeline event each, and
    an audit entry per share ended when the caller hands in the audit log's `record`
    (the audit log belongs to `app/`; the worker gets it from `mrvrs_audit_factory`).

    Idempotent: an expired share is no longer open, so a second run finds nothing.
    """
    count = 0
    for case in service.repo.shares_due(now, BATCH):
        ended = service.expire_shares(case)
        count += bool(ended)
        for share in ended if audit is not None else ():
            to = share.get("to") or {}
            audit("case.share_expired", actor="system", target=case["_id"],
                  reference=case.get("reference"), share=share.get("id"),
                  to=f"{to.get('kind')}:{to.get('key')}", purpose=share.get("purpose"),
                  access=share.get("access"))
    return count
