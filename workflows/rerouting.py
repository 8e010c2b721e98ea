"""Re-routing after a routing change: cases that fell to the fallback team for a country
that now has a team go to that team.

A plain function, called by the `reroute_fallback` task after a version is saved. It
selects the open cases held by the fallback team whose form country or country of work
the new version gives a team, decides each one's team again with that version's rules,
and moves it with one update guarded by the case's version, appending a `team_change`
event (who saved the version, when, from team, to team), and then tells the new team
(`announce`, the case service's `announce_arrival`), as routing does for a new case: a
team that gains a country learns of the cases waiting for it. Running it again finds
those cases with their new team and moves nothing twice; the notice's key names the
routing version, so a notice written twice is one notice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from workflows.errors import StaleVersion
from workflows.repository import CaseRepository
from workflows.routing import decide_route
from workflows.routing_changes import gained_countries
from workflows.routing_store import RoutingStore, rules_of
from workflows.stages import StageGraph

ATTEMPTS = 3
FIELDS = {"reference": 1, "stage": 1, "version": 1, "team": 1, "country": 1,
          "dimensions.destination_country": 1}


Announce = Callable[[dict[str, Any], str], None]


def reroute_fallback(store: RoutingStore, repo: CaseRepository,
                     graphs: dict[str | None, StageGraph], version: int,
                     now: Callable[[], datetime], announce: Announce | None = None) -> int:
    """Move the fallback team's open cases of the countries `version` gave a team;
    returns how many moved."""
    doc = store.get(version)
    if doc is None:
        return 0
    before = store.get(version - 1) if version > 1 else None
    countries = sorted(gained_countries(before["config"] if before else {}, doc["config"]))
    if not countries:
        return 0
    rules = rules_of(doc)
    fallback = rules.fallback_team
    closed = sorted(set().union(*(g.terminal_stages for g in graphs.values())))
    query = {"team": fallback, "stage": {"$nin": closed},
             "$or": [{"country": {"$in": countries}},
                     {"dimensions.destination_country": {"$in": countries}}]}
    moved = 0
    for found in list(repo.cases.find(query, FIELDS)):
        team = _move(repo, found, rules, fallback, doc, now)
        if team is not None:
            moved += 1
            if announce is not None:
                announce({**found, "team": team}, f"reroute:{doc['_id']}")
    return moved


def _move(repo: CaseRepository, case: dict[str, Any], rules: Any, fallback: str,
          doc: dict[str, Any], now: Callable[[], datetime]) -> str | None:
    """The team the case was moved to, or None when it stays."""
    for _ in range(ATTEMPTS):
        if case is None or case.get("team") != fallback:
            return None
        team = decide_route(case, rules).team
        if team == fallback:
            return None
        at = now()
        event = {"at": at, "actor": str(doc.get("by") or "system"), "from": case.get("stage"),
                 "to": case.get("stage"), "note": "", "kind": "team_change",
                 "data": {"from_team": fallback, "to_team": team,
                          "routing_version": doc["_id"]}}
        try:
            repo.record(case, event, {"team": team, "updated_at": at})
        except StaleVersion:
            case = repo.cases.find_one({"_id": case["_id"]}, FIELDS)
            continue
        return team
    return None
