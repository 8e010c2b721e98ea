"""The changes the routing pages make, as pure functions from one configuration to the next.

Plain mappings in and out (as `load_routing_rules` reads them), never changed in place;
the store checks the result. A country given to a team leaves the list of countries
accepted for the fallback team, since a team now takes its cases.

The priority-rule edits (`add_rule`, `set_rule_priority`, `remove_rule`,
`set_duplicate_window`) check their result with the loader itself and raise
`RoutingRulesError` with every problem at once, so the structured rules page refuses
exactly what the seed file and the YAML page would, before anything reaches the store.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from workflows.errors import Problems, RoutingRulesError
from workflows.routing import PRIORITIES, load_routing_rules


def _copy(config: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(config))


def _settle(config: dict[str, Any]) -> dict[str, Any]:
    teams = config.get("teams") or {}
    covered = {c for spec in teams.values() for c in (spec or {}).get("countries") or ()}
    if config.get("fallback_accepted") is not None:
        config["fallback_accepted"] = [c for c in config["fallback_accepted"]
                                       if c not in covered]
    return config


def add_team(config: Mapping[str, Any], key: str, countries: Iterable[str]) -> dict[str, Any]:
    """A new team; an existing key is left to the check (reported, not overwritten)."""
    new = _copy(config)
    teams = new.setdefault("teams", {})
    if key in teams:
        raise KeyError(key)
    teams[key] = {"countries": list(dict.fromkeys(countries))}
    return _settle(new)


def set_countries(config: Mapping[str, Any], team: str,
                  countries: Iterable[str]) -> dict[str, Any]:
    new = _copy(config)
    new["teams"][team] = {"countries": list(dict.fromkeys(countries))}
    return _settle(new)


def remove_country(config: Mapping[str, Any], team: str, country: str) -> dict[str, Any]:
    new = _copy(config)
    spec = new["teams"][team]
    spec["countries"] = [c for c in spec.get("countries") or () if c != country]
    return new


def accept_fallback(config: Mapping[str, Any], country: str) -> dict[str, Any]:
    new = _copy(config)
    accepted = list(new.get("fallback_accepted") or ())
    new["fallback_accepted"] = sorted({*accepted, country})
    return new


def withdraw_fallback(config: Mapping[str, Any], country: str) -> dict[str, Any]:
    new = _copy(config)
    new["fallback_accepted"] = [c for c in new.get("fallback_accepted") or () if c != country]
    return new


def set_rules(config: Mapping[str, Any], rules: Any, window: Any) -> dict[str, Any]:
    new = _copy(config)
    new["priority_rules"] = copy.deepcopy(rules)
    new["duplicate_window_days"] = window
    return new


def add_rule(config: Mapping[str, Any], match: Mapping[str, Any], priority: Any,
             rule_id: str | None = None) -> dict[str, Any]:
    """A new priority rule at the end of the list: `match` is its one condition
    (`{"dimension": "age_band", "values": ["under_15"]}`, `{"flags": [...]}` or
    `{"mwc": [9]}`); without `rule_id` one is made from the condition.

    :raise RoutingRulesError: every problem of the result (unknown dimension or value,
        a priority that is not one of PRIORITIES, a duplicate or malformed id).
    """
    new = _copy(config)
    rules = list(new.get("priority_rules") or [])
    rule_id = rule_id if rule_id is not None else new_rule_id(rules, match)
    rules.append({"id": rule_id, **copy.deepcopy(dict(match)), "priority": priority})
    new["priority_rules"] = rules
    return checked(new)


def set_rule_priority(config: Mapping[str, Any], rule_id: str,
                      priority: Any) -> dict[str, Any]:
    """The rule `rule_id` with another priority.

    :raise RoutingRulesError: no such rule, or the priority is not allowed (both at once).
    """
    new = _copy(config)
    rule = _rule(new, rule_id)
    if rule is None:
        problems = _no_rule(rule_id)
        if priority not in PRIORITIES:
            problems.add("unknown_priority", f"priority_rules.{rule_id}.priority",
                         f"priority must be one of {', '.join(PRIORITIES)}.")
        raise RoutingRulesError(problems)
    rule["priority"] = priority
    return checked(new)


def remove_rule(config: Mapping[str, Any], rule_id: str) -> dict[str, Any]:
    """The configuration without the rule `rule_id`.

    :raise RoutingRulesError: there is no such rule (someone may have removed it).
    """
    new = _copy(config)
    if _rule(new, rule_id) is None:
        raise RoutingRulesError(_no_rule(rule_id))
    new["priority_rules"] = [r for r in new.get("priority_rules") or ()
                             if not (isinstance(r, Mapping) and r.get("id") == rule_id)]
    return checked(new)


def set_duplicate_window(config: Mapping[str, Any], days: Any) -> dict[str, Any]:
    """How many days back possible duplicates are looked for.

    :raise RoutingRulesError: `days` is not a whole number from 1 to 3650.
    """
    new = _copy(config)
    new["duplicate_window_days"] = days
    return checked(new)


def checked(config: dict[str, Any]) -> dict[str, Any]:
    """`config` itself once the loader accepts it.

    :raise RoutingRulesError: listing every problem the loader found.
    """
    load_routing_rules(config)
    return config


def new_rule_id(rules: Iterable[Any], match: Mapping[str, Any]) -> str:
    """An id for a rule with condition `match` that no rule in `rules` has: the words of
    the condition (`age_band_under_15`, `flag_minor`, `mwc_9`), numbered when taken."""
    if "dimension" in match:
        parts = [match.get("dimension"), *(match.get("values") or ())]
    elif "flags" in match:
        parts = ["flag", *(match.get("flags") or ())]
    elif "mwc" in match:
        parts = ["mwc", *(match.get("mwc") or ())]
    else:
        parts = []
    base = re.sub(r"[^a-z0-9]+", "_", "_".join(str(p) for p in parts).lower()).strip("_")
    if not base or not base[0].isalpha():
        base = f"rule_{base}".rstrip("_")
    taken = {r.get("id") for r in rules if isinstance(r, Mapping)}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def _rule(config: Mapping[str, Any], rule_id: str) -> dict[str, Any] | None:
    return next((r for r in config.get("priority_rules") or ()
                 if isinstance(r, dict) and r.get("id") == rule_id), None)


def _no_rule(rule_id: str) -> Problems:
    problems = Problems()
    problems.add("no_rule", f"priority_rules.{rule_id}",
                 f"There is no priority rule {rule_id}; it may have been removed meanwhile.")
    return problems
