"""Follow-up actions on a verified case, checked and changed as plain data.

Pure core. An action records what the network does for the worker: a type (legal
aid referral, embassy intervention...), the organisation responsible, a due date, a
status and the result. Closing a case needs every action finished or cancelled;
the stage machine's `follow_ups_finished` guard reads them from the case.

The follow-up sweep finds cases by `follow_up_due_at`, the earliest due date of an
open action not yet reminded; `follow_up_reminders` maps action id to the due date
it was reminded for, so moving a due date earns a new reminder and no date two.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from workflows.errors import Refusal, TransitionNotAllowed

TYPES = ("legal_aid_referral", "embassy_intervention", "shelter", "labour_complaint",
         "repatriation_support", "medical_psychosocial_care", "other")
STATUSES = ("planned", "in_progress", "done", "cancelled")
OPEN_STATUSES = ("planned", "in_progress")
FIELDS = ("type", "responsible_org", "due", "status", "result")
REQUIRED = ("type", "responsible_org", "due")
MAX_TEXT = {"responsible_org": 200, "result": 5000}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ACTION_ID = re.compile(r"^f_[0-9a-f]{8,32}$")


def refuse(reason: Refusal, message: str, *fields: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(reason, message, fields=tuple(fields))


def new_action(values: Any, actor_id: str, now: datetime) -> dict[str, Any]:
    """A complete, checked action from what the user gave; status defaults to planned."""
    checked = checked_values(values)
    missing = [name for name in REQUIRED if name not in checked]
    if missing:
        raise refuse(Refusal.MISSING_DATA,
                     f"A follow-up action needs {', '.join(missing)}.", *missing)
    action: dict[str, Any] = {"id": f"f_{secrets.token_hex(6)}", "status": "planned",
                              "result": "", **checked, "created_at": now,
                              "created_by": actor_id, "updated_at": now, "updated_by": actor_id}
    action["due_at"] = due_at(checked["due"])
    return action


def changed_action(action: Mapping[str, Any], values: Any, actor_id: str,
                   now: datetime) -> dict[str, Any]:
    """`action` with the checked `values` applied."""
    checked = checked_values(values)
    if not checked:
        raise refuse(Refusal.MISSING_DATA, "Say what to change in the follow-up action.")
    updated = {**action, **checked, "updated_at": now, "updated_by": actor_id}
    updated["due_at"] = due_at(updated["due"])
    return updated


def checked_values(values: Any) -> dict[str, str]:
    """Stripped values of known fields; refuses unknown names and values of the wrong kind."""
    if not isinstance(values, Mapping):
        raise refuse(Refusal.INVALID_DATA, "A follow-up action must be a set of named values.")
    unknown = sorted(str(k) for k in values if k not in FIELDS)
    if unknown:
        raise refuse(Refusal.INVALID_DATA,
                     f"A follow-up action has no {', '.join(unknown)}.", *unknown)
    checked: dict[str, str] = {}
    for name, value in values.items():
        if value is None or (name != "result" and isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, str):
            raise refuse(Refusal.INVALID_DATA, f"{name} must be text.", name)
        checked[name] = _checked(name, value.strip())
    return checked


def _checked(name: str, value: str) -> str:
    if name == "type" and value not in TYPES:
        raise refuse(Refusal.INVALID_DATA, f"type must be one of {', '.join(TYPES)}.", name)
    if name == "status" and value not in STATUSES:
        raise refuse(Refusal.INVALID_DATA, f"status must be one of {', '.join(STATUSES)}.", name)
    if name == "due":
        due_at(value)
    if name in MAX_TEXT and len(value) > MAX_TEXT[name]:
        raise refuse(Refusal.INVALID_DATA,
                     f"{name} is longer than {MAX_TEXT[name]} characters.", name)
    return value


def due_at(due: str) -> datetime:
    """The moment an action falls due: the start of its due date, UTC."""
    try:
        if not DATE.match(due):
            raise ValueError(due)
        return datetime.strptime(due, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise refuse(Refusal.INVALID_DATA, "due must be a date such as 2026-04-30.",
                     "due") from None


def find_action(follow_ups: Iterable[Mapping[str, Any]], action_id: Any) -> int:
    """The index of the action `action_id`, refusing an unknown or malformed id."""
    if isinstance(action_id, str) and ACTION_ID.match(action_id):
        for index, action in enumerate(follow_ups):
            if action.get("id") == action_id:
                return index
    raise refuse(Refusal.INVALID_DATA, "There is no such follow-up action on this case.", "id")


def next_due(follow_ups: Iterable[Mapping[str, Any]],
             reminded: Mapping[str, Any] | None) -> datetime | None:
    """The earliest due date of an open action not yet reminded for that date."""
    reminded = reminded or {}
    dates = [a["due_at"] for a in follow_ups
             if a.get("status") in OPEN_STATUSES and isinstance(a.get("due_at"), datetime)
             and reminded.get(str(a.get("id"))) != a.get("due")]
    return min(dates) if dates else None


def due_actions(follow_ups: Iterable[Mapping[str, Any]], reminded: Mapping[str, Any] | None,
                now: datetime) -> list[Mapping[str, Any]]:
    """Open actions due by `now` that were not yet reminded for their current due date."""
    reminded = reminded or {}
    return [a for a in follow_ups
            if a.get("status") in OPEN_STATUSES and isinstance(a.get("due_at"), datetime)
            and a["due_at"] <= now and reminded.get(str(a.get("id"))) != a.get("due")]
