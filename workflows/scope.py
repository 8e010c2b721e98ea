"""Who may see which case: one Mongo filter per actor, and the same rule in Python.

Pure core: plain dicts in and out, no Flask, Celery, pymongo, mongomock or wtforms.
The filter is built only from the actor's own stored fields (roles, organisation,
countries, id), never from a request value, so no request can widen its scope.
`can_see` applies exactly the same rule to one loaded case; a test checks that the
two agree.

An actor is `{"id", "roles", "org_id", "countries", "teams"}`: the stored fields of
the user, and the teams whose countries the user's countries cover, computed at the
edge from the routing in force (`teams_of`). The reporter's status page acts as
`tracking_actor(case)`: it has proved it holds the case's private code and sees that
one case only.

Access (docs/handover.md): the handling team (the case's `team`) acts on a case; before
routing sets a team, the reviewers of the case's form or destination country do; a team
or member organisation the case was shared with sees what its accepted share allows;
a team the case was transferred away from (`former_teams`) sees its status; a member
organisation sees the cases it filed; a mission its destination states; a coordinator
everything. `access_of` names which of these applies; `can_see` is "any of them", and
`case_filter_for` the same as a query. With `shared=False` both leave shares and former
teams out: the scope of what an actor handles (exports, assignment).
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
#: A share whose receivers see the case (offered ones are only listed to them).
SEEN_SHARE_STATES = ("accepted",)
TEAM_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: What an actor may do with a case, strongest first (`access_of`).
ACCESS_LEVELS = ("all", "handling", "own", "mission", "full", "no_identity", "status")
#: The levels that do not come from a share or a former team (`shared=False`).
DIRECT_LEVELS = frozenset(ACCESS_LEVELS[:4])


def roles_of(actor: Mapping[str, Any]) -> frozenset[str]:
    roles = actor.get("roles") or ()
    if isinstance(roles, str):
        raise ValueError("actor roles must be a collection of role names, not one string")  # noqa: TRY004
    return frozenset(r for r in roles if isinstance(r, str))


def countries_of(actor: Mapping[str, Any]) -> list[str]:
    """The actor's countries, dropping anything that is not a plain ISO code."""
    countries = actor.get("countries") or ()
    if isinstance(countries, str):
        countries = (countries,)
    return sorted({c for c in countries if isinstance(c, str) and COUNTRY.match(c)})


def teams_of(actor: Mapping[str, Any]) -> list[str]:
    """The team keys the actor belongs to, as the edge computed them."""
    teams = actor.get("teams") or ()
    if isinstance(teams, str):
        teams = (teams,)
    return sorted({t for t in teams if isinstance(t, str) and TEAM_KEY.match(t)})


def teams_covering(countries: Any, teams: Mapping[str, Any]) -> list[str]:
    """The teams (key -> countries, as in the routing rules) that any of `countries`
    belongs to: a reviewer is in the team of each country they cover."""
    mine = set(countries_of({"countries": countries}))
    return sorted(key for key, codes in teams.items() if mine & set(codes or ()))


def tracking_actor(case: Mapping[str, Any]) -> dict[str, Any]:
    """The anonymous reporter who opened `case` with its tracking code."""
    return {"id": "reporter", "roles": ["reporter"], "org_id": None, "countries": [],
            "case_id": case["_id"]}


def case_filter_for(actor: Mapping[str, Any], *, shared: bool = True) -> dict[str, Any]:
    """The Mongo filter of every case `actor` may see (`NOTHING` when none); with
    `shared=False`, only those it handles or filed (no shares, no former teams)."""
    if actor.get("case_id"):
        return {"_id": str(actor["case_id"])}
    roles = roles_of(actor)
    if "coordinator" in roles:
        return {}
    clauses = [clause for clause in (_role_clause(role, actor) for role in sorted(roles))
               if clause is not None]
    if shared:
        clauses += _shared_clauses(roles, actor)
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
    if role == "mission":
        branches: list[dict[str, Any]] = [{"dimensions.destination_country": code}
                                          for code in countries_of(actor)]
    elif role == "reviewer":
        # One equality per team, field and country, not `$in`: each branch is then a
        # bounded index range once a list adds its filing window (see `workflows.queue`).
        branches = [{"team": team} for team in teams_of(actor)]
        branches += [{"team": None, field: code}
                     for field in ("country", "dimensions.destination_country")
                     for code in countries_of(actor)]
    else:
        return None  # admin, form_editor alone, system: no cases through this door
    if not branches:
        return None
    return branches[0] if len(branches) == 1 else {"$or": branches}


def _shared_clauses(roles: frozenset[str], actor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Cases shared with the actor's teams or organisation and accepted, and cases
    transferred away from the actor's teams (their status only)."""
    receivers = _receivers(roles, actor)
    clauses: list[dict[str, Any]] = [
        {"shares": {"$elemMatch": {"to.kind": kind, "to.key": key,
                                   "state": {"$in": list(SEEN_SHARE_STATES)}}}}
        for kind, key in receivers]
    clauses += [{"former_teams": key} for kind, key in receivers if kind == "team"]
    return clauses


def _receivers(roles: frozenset[str], actor: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, key) of every team and organisation a share may name for this actor."""
    receivers = [("team", team) for team in teams_of(actor)] if "reviewer" in roles else []
    org = actor.get("org_id")
    if "member" in roles and isinstance(org, str) and org:
        receivers.append(("org", org))
    return receivers


def receives(actor: Mapping[str, Any], share: Mapping[str, Any]) -> bool:
    """Whether `share` names one of the actor's teams or its organisation."""
    to = _mapping(share.get("to"))
    return (to.get("kind"), to.get("key")) in _receivers(roles_of(actor), actor)


def can_see(actor: Mapping[str, Any], case: Mapping[str, Any], *,
            shared: bool = True) -> bool:
    """Tell whether `actor` may see `case`; the same rule as `case_filter_for`."""
    level = access_of(actor, case)
    return level in DIRECT_LEVELS if not shared else level is not None


def access_of(actor: Mapping[str, Any], case: Mapping[str, Any]) -> str | None:
    """The strongest of `ACCESS_LEVELS` the actor has on `case`, or None.

    `all`: a coordinator; `handling`: a reviewer of the handling team (of the case's
    countries before routing); `own`: the member organisation or registered reporter
    that filed it, or the tracking page; `mission`: a mission's destination state;
    `full` / `no_identity`: an accepted share with the actor's team or organisation;
    `status`: a team the case was transferred away from.
    """
    if actor.get("case_id"):
        return "own" if actor["case_id"] == case.get("_id") else None
    roles = roles_of(actor)
    if "coordinator" in roles:
        return "all"
    if "reviewer" in roles and _handling(actor, case):
        return "handling"
    reporter = _mapping(case.get("reporter"))
    org, user = actor.get("org_id"), actor.get("id")
    if "member" in roles and isinstance(org, str) and org and reporter.get("org_id") == org:
        return "own"
    if "reporter" in roles and isinstance(user, str) and user and \
            reporter.get("user_id") == user:
        return "own"
    if "mission" in roles and _destination(case) in countries_of(actor):
        return "mission"
    return _shared_level(roles, actor, case)


def _handling(actor: Mapping[str, Any], case: Mapping[str, Any]) -> bool:
    team = case.get("team")
    if team is not None:
        return team in teams_of(actor)
    countries = countries_of(actor)
    return case.get("country") in countries or _destination(case) in countries


def _shared_level(roles: frozenset[str], actor: Mapping[str, Any],
                  case: Mapping[str, Any]) -> str | None:
    receivers = _receivers(roles, actor)
    levels = [str(share.get("access")) for share in _shares(case)
              if share.get("state") in SEEN_SHARE_STATES
              and (_mapping(share.get("to")).get("kind"), _mapping(share.get("to")).get("key"))
              in receivers]
    for level in ("full", "no_identity"):
        if level in levels:
            return level
    if levels:
        return "no_identity"  # an accepted share of an unknown kind shows no identity
    former = case.get("former_teams") or ()
    if any(kind == "team" and key in former for kind, key in receivers):
        return "status"
    return None


def _shares(case: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    shares = case.get("shares")
    return [s for s in shares if isinstance(s, Mapping)] if isinstance(shares, list) else []


def _destination(case: Mapping[str, Any]) -> Any:
    return _mapping(case.get("dimensions")).get("destination_country")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
