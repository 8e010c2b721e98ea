"""The changes the routing pages make, as pure functions from one configuration to the next.

Plain mappings in and out (as `load_routing_rules` reads them), never changed in place;
the store checks the result. A country given to a team leaves the list of countries
accepted for the fallback team, since a team now takes its cases.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any


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
