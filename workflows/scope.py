"""Who may see which case: one Mongo filter per actor, and the same rule in Python.

Pure core: plain dicts in and out, no Flask, Celery, pymongo, mongomock or wtforms.
The filter is built only from the actor's own stored fields (roles, organisation,
countries, id), never from a request value, so no request can widen its scope.
`can_see` applies exactly the same rule to one loaded case; a test checks that the
two agree.

An actor is `{"id", "roles", "org_id", "countries"}` as stored for the user. The
reporter's status page acts as `tracking_actor(case)`: it has proved it holds the
case's private code and sees that one case only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: A filter no case matches: the scope of someone who may see nothing.
NOTHING: dict[str, Any] = {"_id": {"$in": []}}
COUNTRY = re.compile(r"^[A-Z]{2}$")
#: Roles whose scope is a list of countries: a reviewer's cases are those handled or
#: that happened in them; a mission's only those that happened in them (its assigned
#: destination states), whoever handles them.
COUNTRY_ROLES = ("reviewer", "mission")


def roles_of(actor: Mapping[str, Any]) -> frozenset[str]:
    roles = actor.get("roles") or ()
    if isinstance(roles, str):
        raise ValueError("actor roles must be a collection of role names, not one string")
    return frozenset(r for r in roles if isinstance(r, str))


def countries_of(actor: Mapping[str, Any]) -> list[str]:
    """The actor's countries, dropping anything that is not a plain ISO code."""
    countries = actor.get("countries") or ()
    if isinstance(countries, str):
        countries = (countries,)
    return sorted({c for c in countries if isinstance(c, str) and COUNTRY.match(c)})


def tracking_actor(case: Mapping[str, Any]) -> dict[str, Any]:
    """The anonymous reporter who opened `case` with its tracking code."""
    return {"id": "reporter", "roles": ["reporter"], "org_id": None, "countries": [],
            "case_id": case["_id"]}


def case_filter_for(actor: Mapping[str, Any]) -> dict[str, Any]:
    """The Mongo filter of every case `actor` may see (`NOTHING` when none)."""
    if actor.get("case_id"):
        return {"_id": str(actor["case_id"])}
    roles = roles_of(actor)
    if "coordinator" in roles:
        return {}
    clauses = [clause for clause in (_role_clause(role, actor) for role in sorted(roles))
               if clause is not None]
    unique = [c for i, c in enumerate(clauses) if c not in clauses[:i]]
    if not unique:
        return dict(NOTHING)
    return unique[0] if len(unique) == 1 else {"$or": unique}


def _role_clause(role: str, actor: Mapping[str, Any]) -> dict[str, Any] | None:
    if role == "member":
        org = actor.get("org_id")
        return {"reporter.org_id": org} if isinstance(org, str) and org else None
    if role == "reporter":
        user = actor.get("id")
        return {"reporter.user_id": user} if isinstance(user, str) and user else None
    if role in COUNTRY_ROLES:
        countries = countries_of(actor)
        if not countries:
            return None
        fields = ("dimensions.destination_country",) if role == "mission" else (
            "country", "dimensions.destination_country")
        # One equality per field and country, not `$in`: each branch is then a bounded
        # index range once a list adds its filing window (see `workflows.queue`).
        branches = [{field: code} for field in fields for code in countries]
        return branches[0] if len(branches) == 1 else {"$or": branches}
    return None  # admin, form_editor alone, system: no cases through this door


def can_see(actor: Mapping[str, Any], case: Mapping[str, Any]) -> bool:
    """Tell whether `actor` may see `case`; the same rule as `case_filter_for`."""
    if actor.get("case_id"):
        return bool(actor["case_id"] == case.get("_id"))
    roles = roles_of(actor)
    if "coordinator" in roles:
        return True
    reporter = _mapping(case.get("reporter"))
    org = actor.get("org_id")
    if "member" in roles and isinstance(org, str) and org and reporter.get("org_id") == org:
        return True
    user = actor.get("id")
    if "reporter" in roles and isinstance(user, str) and user and reporter.get("user_id") == user:
        return True
    if roles.isdisjoint(COUNTRY_ROLES):
        return False
    countries = countries_of(actor)
    destination = _mapping(case.get("dimensions")).get("destination_country")
    if "reviewer" in roles and case.get("country") in countries:
        return True
    return destination in countries


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
