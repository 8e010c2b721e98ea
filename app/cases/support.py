"""Helpers shared by the case screens: who is acting, which case, who may see what.

A case is found by its reference and then checked against the same scope rule
the queues use (`workflows.scope.can_see`); a case outside the user's scope is
answered exactly like a reference that does not exist (404), so the screens do not
reveal which references are taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import abort

from app import roles as r
from app.services import services
from workflows.scope import access_of, can_see, case_filter_for, teams_covering

#: Roles that bring no case screens with them; a mission member's countries must not
#: widen what a member or reviewer with that extra role sees here (exports come later).
SCREEN_ROLES = frozenset({r.MEMBER, r.REPORTER, r.REVIEWER, r.COORDINATOR})
CASEWORKERS = (r.REVIEWER, r.COORDINATOR)


def actor_of(user: Mapping[str, Any]) -> dict[str, Any]:
    """The workflow's actor for a signed-in user, limited to the roles of these screens,
    with the teams the user's countries put them in under the routing in force."""
    countries = list(user.get("countries") or ())
    return {"id": user["_id"], "roles": [x for x in user.get("roles", ()) if x in SCREEN_ROLES],
            "org_id": user.get("org_id"), "countries": countries,
            "teams": user_teams(countries)}


def user_teams(countries: Iterable[Any]) -> list[str]:
    """The teams of the routing in force that cover any of these countries."""
    return teams_covering(list(countries), services().workflow.rules.teams)


def access_to(user: Mapping[str, Any], case: Mapping[str, Any]) -> str | None:
    """How the user reaches the case (`workflows.scope.access_of`)."""
    return access_of(actor_of(user), case)


def case_service() -> Any:
    """The workflow's `CaseService`: every change to a case goes through it."""
    return services().workflow


def workflow_notifications() -> Any:
    """The in-app notification store of the workflow."""
    return services().notifications


def case_or_404(reference: str, user: Mapping[str, Any]) -> dict[str, Any]:
    """The case with this reference when the user may see it; 404 otherwise.

    The scope is part of the query: a case outside it and a reference nobody holds
    are the same indexed miss, in the answer and in the time it takes.
    """
    actor = actor_of(user)
    case = services().cases.by_reference(reference, within=case_filter_for(actor))
    if case is None or not can_see(actor, case):
        abort(404)
    return case


def sees_full_case(user: Mapping[str, Any], case: Mapping[str, Any]) -> bool:
    """Caseworkers of the case's scope and staff of the organisation that filed it.

    A registered reporter following their own report sees its stage and the
    questions put to them, not the caseworkers' record.
    """
    actor = actor_of(user)
    if not can_see(actor, case):
        return False
    if r.has_role(user, *CASEWORKERS):
        caseworker = {**actor, "roles": [x for x in actor["roles"] if x in CASEWORKERS]}
        return access_of(caseworker, case) in ("all", "handling")
    reporter = case.get("reporter") or {}
    return r.has_role(user, r.MEMBER) and bool(user.get("org_id")) and \
        reporter.get("org_id") == user.get("org_id")


def people_names(user_ids: Iterable[Any]) -> dict[str, str]:
    """Display names for the user ids on one page (a join in code, one page at a time)."""
    users = services().users
    names: dict[str, str] = {}
    for user_id in {str(u) for u in user_ids if u}:
        user = users.get(user_id)
        if user is not None:
            names[user_id] = user.get("name") or user.get("email") or user_id
    return names


def related_references(case: Mapping[str, Any]) -> list[str]:
    """The other cases a case names: possible duplicates and the original of a duplicate."""
    named = list(case.get("possible_duplicates") or ())
    named.append(case.get("duplicate_of"))
    named += [(e.get("data") or {}).get("duplicate_of") for e in case.get("events") or ()]
    return [ref for ref in named if isinstance(ref, str) and ref]


def references_seen(cases: Iterable[Mapping[str, Any]], actor: Mapping[str, Any]) -> set[str]:
    """Which of the references these cases name lie in the actor's scope: a reference
    outside it is never shown to them. One query for all the cases of a page."""
    named = [ref for case in cases for ref in related_references(case)]
    return services().cases.references_within(named, case_filter_for(actor)) if named else set()


def visible_duplicates(cases: Iterable[Mapping[str, Any]], seen: set[str]
                       ) -> dict[str, tuple[list[str], int]]:
    """For each case (by id), its possible duplicates in `seen`, and how many others."""
    found = {}
    for case in cases:
        refs = [ref for ref in case.get("possible_duplicates") or () if isinstance(ref, str)]
        shown = [ref for ref in refs if ref in seen]
        found[case["_id"]] = (shown, len(refs) - len(shown))
    return found
