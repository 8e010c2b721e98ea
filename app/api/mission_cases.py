"""The API as a mission member reads it: pseudonymised cases addressed by handle.

A mission sees the cases of its countries pseudonymised, in the API as in exports:
each case is built by `exports.mission_view` from the pseudonymising redactor, so
only the keys named there leave. A mission never sees a reference, so it addresses
a case by its handle (`exports.case_handles`): the `pseudonym` of its rows, sealed
for this user alone. As in a mission's exports, only cases whose reporter consented to
anonymous statistics are shown. A reference, or a handle that is altered or someone else's,
answers 404 exactly like a case that does not exist.

The mission role counts only here. For every other route, and for a user who holds
a staff role as well, `staff_actor` leaves it out, so a mission's countries never
widen what that user's staff role shows unpseudonymised.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from app import roles as r
from app.services import services
from exports.case_handles import CaseHandles, handle_key
from exports.mission_view import (
    mission_case,
    mission_consent,
    mission_redactor,
    mission_row,
)
from exports.pipelines import all_of
from forms.store import FormNotFound
from workflows.queue import Page, QueryError, list_cases
from workflows.scope import case_filter_for, teams_covering
from workflows.sealing import SealError

log = logging.getLogger("mrvrs")

#: The filters a mission may list by: what a pseudonymised export filters by. Not the
#: text search (it would tell which handle names a given person), nor priority.
MISSION_FILTERS = ("country", "destination", "origin", "team", "form", "stage", "mwc", "gender",
                   "date_from", "date_to", "event_from", "event_to")
#: Queues that do not turn on who holds a case.
MISSION_QUEUES = ("all", "team")


def staff_actor(user: Mapping[str, Any]) -> dict[str, Any]:
    """The workflow's actor for the user's staff roles (the mission role left out)."""
    countries = list(user.get("countries") or ())
    return {"id": user["_id"], "roles": [x for x in user.get("roles") or () if x != r.MISSION],
            "org_id": user.get("org_id"), "countries": countries,
            "teams": teams_covering(countries, services().workflow.rules.teams)}


def mission_actor(user: Mapping[str, Any]) -> dict[str, Any]:
    """The user as a mission reader: the mission role and its countries only."""
    return {"id": user["_id"], "roles": [r.MISSION] if r.has_role(user, r.MISSION) else [],
            "org_id": None, "countries": list(user.get("countries") or ())}


def reads_as_mission(user: Mapping[str, Any]) -> bool:
    """A mission member with no staff role reads every list through the mission view."""
    return r.has_role(user, r.MISSION) and not staff_actor(user)["roles"]


def _handles(user: Mapping[str, Any], use: str = "case") -> CaseHandles:
    return CaseHandles(handle_key(services().settings.oldest_data_key), f"{user['_id']}|{use}")


def case_handles_for(user: Mapping[str, Any]) -> CaseHandles:
    """The user's case handles: the same a mission reads in the API, so a handle shown on
    another page (the registry's entity pages) opens the case there."""
    return _handles(user)


def mission_case_by_handle(user: Mapping[str, Any], handle: str) -> dict[str, Any] | None:
    """The mission's view of the case behind `handle`, or None (404) when there is none
    in this user's mission scope; the scope is part of the query."""
    if not r.has_role(user, r.MISSION):
        return None
    handles = _handles(user)
    case_id = handles.open(handle)
    if case_id is None:
        return None
    svc = services()
    within = all_of(case_filter_for(mission_actor(user)), mission_consent())
    case = svc.cases.get(case_id, within=within)
    if case is None:
        return None
    if case.get("sensitive"):
        try:
            case["sensitive_answers"] = svc.sealer.open(case["sensitive"])
        except SealError:
            # Without the sealed values nothing can be masked in the narrative: no answers.
            log.error("case %s: sealed answers cannot be opened for a mission", case["_id"])
            case = {**case, "answers": {}, "sensitive": None}
    return mission_case(case, _definition(case), mission_redactor(handles.seal))


def _definition(case: Mapping[str, Any]) -> Any:
    form = case.get("form")
    if not isinstance(form, Mapping) or not form.get("id"):
        return None
    try:
        return services().forms.definition(form["id"], form.get("version"))
    except FormNotFound:
        return None


def mission_rows(user: Mapping[str, Any], queue: str, filters: Mapping[str, Any],
                 after: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the mission's list and its (sealed) cursor; raises `QueryError`."""
    if queue not in MISSION_QUEUES:
        raise QueryError("queue", f"must be one of {', '.join(MISSION_QUEUES)}.")
    refused = sorted(k for k in filters if k not in MISSION_FILTERS)
    if refused:
        raise QueryError(refused[0], f"is not a filter; filters are {', '.join(MISSION_FILTERS)}.")
    cursors = _handles(user, "cursor")
    opened = cursors.open(after) if after is not None else None
    if after is not None and opened is None:
        raise QueryError("after", "is not a cursor from a previous page.")
    page: Page = list_cases(services().cases, mission_actor(user), queue, filters, opened, limit,
                            narrower=mission_consent())
    redactor = mission_redactor(_handles(user).seal)
    rows = [mission_row(row, redactor) for row in page.items]
    return rows, cursors.seal(page.next_after) if page.next_after else None
