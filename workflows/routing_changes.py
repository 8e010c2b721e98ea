"""What changed between two routing configurations, as plain records for the history.

Pure core: two mappings in (as `load_routing_rules` reads them), a list of
`{"kind": ..., ...}` out. The kinds are stable codes that the history page words in
the reader's language; `gained_countries` tells re-routing which countries got a team.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def team_countries(mapping: Mapping[str, Any]) -> dict[str, set[str]]:
    teams = mapping.get("teams") if isinstance(mapping, Mapping) else None
    if not isinstance(teams, Mapping):
        return {}
    return {str(key): {c for c in (spec or {}).get("countries") or () if isinstance(c, str)}
            for key, spec in teams.items() if isinstance(spec, Mapping)}


def covered(mapping: Mapping[str, Any]) -> dict[str, str]:
    """country -> the team covering it."""
    return {code: team for team, codes in team_countries(mapping).items() for code in codes}


def gained_countries(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, str]:
    """Countries that `after` gives a team other than the one `before` gave (or none):
    country -> new team."""
    old, new = covered(before), covered(after)
    return {code: team for code, team in new.items() if old.get(code) != team}


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The changes from `before` to `after`, teams first, in a stable order."""
    changes: list[dict[str, Any]] = []
    old, new = team_countries(before), team_countries(after)
    for team in sorted(new.keys() - old.keys()):
        changes.append({"kind": "team_added", "team": team, "countries": sorted(new[team])})
    for team in sorted(old.keys() - new.keys()):
        changes.append({"kind": "team_removed", "team": team, "countries": sorted(old[team])})
    for team in sorted(new.keys() & old.keys()):
        for code in sorted(new[team] - old[team]):
            changes.append({"kind": "country_added", "team": team, "country": code})
        for code in sorted(old[team] - new[team]):
            changes.append({"kind": "country_removed", "team": team, "country": code})
    if before.get("fallback_team") != after.get("fallback_team"):
        changes.append({"kind": "fallback_team", "from": before.get("fallback_team"),
                        "to": after.get("fallback_team")})
    accepted_old = set(before.get("fallback_accepted") or ())
    accepted_new = set(after.get("fallback_accepted") or ())
    for code in sorted(accepted_new - accepted_old):
        changes.append({"kind": "fallback_accepted", "country": code})
    for code in sorted(accepted_old - accepted_new):
        changes.append({"kind": "fallback_withdrawn", "country": code})
    changes.extend(_rule_changes(before.get("priority_rules"), after.get("priority_rules")))
    if before.get("duplicate_window_days") != after.get("duplicate_window_days"):
        changes.append({"kind": "duplicate_window", "from": before.get("duplicate_window_days"),
                        "to": after.get("duplicate_window_days")})
    return changes


def _rule_changes(before: Any, after: Any) -> list[dict[str, Any]]:
    old, new = _rules_by_id(before), _rules_by_id(after)
    changes = [{"kind": "rule_added", "rule": rule} for rule in new if rule not in old]
    changes += [{"kind": "rule_removed", "rule": rule} for rule in old if rule not in new]
    changes += [{"kind": "rule_changed", "rule": rule} for rule in new
                if rule in old and old[rule] != new[rule]]
    return changes


def _rules_by_id(rules: Any) -> dict[str, Any]:
    if not isinstance(rules, list):
        return {}
    return {str(r.get("id")): r for r in rules if isinstance(r, Mapping)}
