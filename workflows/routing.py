"""Routing rules: which team reviews a case, how urgent it is, and duplicate keys.

Pure core: plain dicts in, plain data out; no Flask, Celery, pymongo, mongomock or
wtforms. The routing task loads the case, calls `decide_route` and
`duplicate_keys`, looks the keys up with an indexed equality query and writes the
result with a guarded update. Rules come from the parsed `config/routing.yaml`
through `load_routing_rules`, which reports every problem at once. Every flag, article,
dimension and value a rule names is checked against the forms' own vocabulary (the
dimensions table, the flags, the MWC taxonomy and the country list), so a rule can only
name what a case can hold. `duplicate_keys` lives in `workflows.identity_keys` and is
re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from forms.countries import country_codes
from forms.dimensions import Dimension, load_dimensions
from forms.mwc import load_taxonomy
from forms.vocabulary import FLAGS
from workflows.errors import Problems, RoutingRulesError
from workflows.identity_keys import duplicate_keys, normalise_identity

#: Priorities from lowest to highest; a case gets the highest its rules give.
PRIORITIES = ("normal", "urgent")


@dataclass(frozen=True)
class PriorityRule:
    """One rule raising a case's priority; exactly one kind of condition is set."""

    id: str
    priority: str
    flags: tuple[str, ...] = ()
    mwc: tuple[int, ...] = ()
    dimension: str | None = None
    values: tuple[str, ...] = ()

    def reasons(self, case: Mapping[str, Any]) -> tuple[str, ...]:
        """Say why the rule matches `case` (one reason per matching item), or ()."""
        flags = _mapping(case.get("flags"))
        found = [f"flag:{name}" for name in self.flags if flags.get(name) is True]
        cited = case.get("mwc")
        articles = cited if isinstance(cited, list) else []
        found += [f"mwc:{article}" for article in self.mwc if article in articles]
        if self.dimension is not None:
            value = _mapping(case.get("dimensions")).get(self.dimension)
            held = value if isinstance(value, list) else [value]
            found += [f"{self.dimension}={v}" for v in self.values if v in held]
        return tuple(f"priority:{self.id}:{item}" for item in found)


@dataclass(frozen=True)
class RoutingRules:
    """Validated routing configuration; build it with `load_routing_rules`."""

    teams: Mapping[str, frozenset[str]]
    fallback_team: str
    priority_rules: tuple[PriorityRule, ...]
    duplicate_window_days: int
    #: Countries no team covers whose cases an administrator accepted for the fallback team.
    fallback_accepted: frozenset[str] = frozenset()

    def team_for_country(self, country: Any) -> str | None:
        """The team covering `country`, or None when no team covers it."""
        if not isinstance(country, str):
            return None
        return next((team for team, codes in self.teams.items() if country in codes), None)

    def uncovered(self, countries: Any) -> list[str]:
        """Of `countries`, those no team covers and no one accepted for the fallback team:
        their cases would reach the fallback team without anyone having agreed to it."""
        return sorted({c for c in countries if isinstance(c, str)
                       and self.team_for_country(c) is None and c not in self.fallback_accepted})

    @property
    def duplicate_window(self) -> timedelta:
        return timedelta(days=self.duplicate_window_days)

    def duplicates_since(self, now: datetime) -> datetime:
        """The earliest `created_at` a possible duplicate of a case made `now` may have."""
        return now - self.duplicate_window


@dataclass(frozen=True)
class RouteDecision:
    """Where a case goes and why; `reasons` are stable codes for the timeline and tests."""

    team: str
    priority: str
    reasons: tuple[str, ...]
    caseworker_gender: str | None


def decide_route(case: Mapping[str, Any], rules: RoutingRules) -> RouteDecision:
    """Choose the team and priority of `case`.

    The destination country decides the team because that is where the violation
    happened and where the team can act; the form's country is the next best guess,
    and the regional secretariat takes what no country team covers.
    """
    team, team_reason = _choose_team(case, rules)
    priority, reasons = PRIORITIES[0], [team_reason]
    for rule in rules.priority_rules:
        matched = rule.reasons(case)
        if matched:
            reasons.extend(matched)
            priority = max(priority, rule.priority, key=PRIORITIES.index)
    gender = case.get("caseworker_gender")
    return RouteDecision(
        team=team,
        priority=priority,
        reasons=tuple(reasons),
        caseworker_gender=gender if isinstance(gender, str) and gender else None,
    )


def _choose_team(case: Mapping[str, Any], rules: RoutingRules) -> tuple[str, str]:
    candidates = (
        ("destination_country", _mapping(case.get("dimensions")).get("destination_country")),
        ("form_country", case.get("country")),
    )
    for source, country in candidates:
        team = rules.team_for_country(country)
        if team is not None:
            return team, f"team:{source}:{country}"
    return rules.fallback_team, "team:fallback"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


TEAM_KEY = re.compile(r"^[a-z][a-z0-9-]*$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
MWC_CODE = re.compile(r"^MWC-(\d+)$")
TOP_KEYS = frozenset({"teams", "fallback_team", "priority_rules", "duplicate_window_days",
                      "fallback_accepted"})
RULE_KEYS = frozenset({"id", "priority", "flags", "mwc", "dimension", "values"})
CONDITIONS = ("flags", "mwc", "dimension")


def load_routing_rules(mapping: Any) -> RoutingRules:
    """Build the routing rules from the parsed `config/routing.yaml`.

    :raise RoutingRulesError: listing every problem found.
    """
    problems = Problems()
    if not isinstance(mapping, Mapping):
        problems.add("wrong_type", "", "The routing rules must be a mapping with teams and rules.")
        raise RoutingRulesError(problems)
    problems.unknown_keys(mapping, TOP_KEYS, "")
    teams = _parse_teams(mapping.get("teams"), problems)
    fallback = mapping.get("fallback_team")
    if not isinstance(fallback, str) or fallback not in teams:
        problems.add(
            "unknown_team",
            "fallback_team",
            f"fallback_team must name one of the teams; {fallback!r} is not one.",
        )
    rules = _parse_rules(mapping.get("priority_rules"), problems)
    window = mapping.get("duplicate_window_days")
    if isinstance(window, bool) or not isinstance(window, int) or not 0 < window <= 3650:
        window = 0
        problems.add(
            "bad_window",
            "duplicate_window_days",
            "duplicate_window_days must be a whole number of days from 1 to 3650.",
        )
    accepted = _parse_accepted(mapping.get("fallback_accepted"), teams, problems)
    if problems:
        raise RoutingRulesError(problems)
    return RoutingRules(MappingProxyType(teams), str(fallback), rules, window, accepted)


def _parse_accepted(raw: Any, teams: Mapping[str, frozenset[str]],
                    problems: Problems) -> frozenset[str]:
    """The countries accepted for the fallback team: known codes that no team covers (an
    acceptance for a covered country would be dead text that hides the team's change)."""
    if raw is None:
        return frozenset()
    path = "fallback_accepted"
    if not isinstance(raw, list):
        problems.add("wrong_type", path, "fallback_accepted must be a list of country codes.")
        return frozenset()
    covered = {code: team for team, codes in teams.items() for code in codes}
    for code in raw:
        if not isinstance(code, str) or not COUNTRY.match(code) or code not in country_codes():
            problems.add("bad_country", path,
                         f"{code!r} is not a two-letter ISO country code such as MY.")
        elif code in covered:
            problems.add("covered_country", path,
                         f"{code} is covered by the team {covered[code]}; only a country no "
                         "team covers can be accepted for the fallback team.")
    return frozenset(c for c in raw if isinstance(c, str))


def _parse_teams(raw: Any, problems: Problems) -> dict[str, frozenset[str]]:
    if not isinstance(raw, Mapping) or not raw:
        problems.add("wrong_type", "teams", "teams must map each team key to its countries.")
        return {}
    teams: dict[str, frozenset[str]] = {}
    owner: dict[str, str] = {}
    for key, spec in raw.items():
        path = f"teams.{key}"
        countries = spec.get("countries") if isinstance(spec, Mapping) else None
        if not isinstance(key, str) or not TEAM_KEY.match(key):
            problems.add(
                "bad_name", path, f"{key!r} is not a valid team key (lower case, digits, -)."
            )
            continue
        if (
            not isinstance(spec, Mapping)
            or set(spec) != {"countries"}
            or not isinstance(countries, list)
        ):
            problems.add("wrong_type", path, f"Team {key} must be {{countries: [codes]}}.")
            continue
        for code in countries:
            if not isinstance(code, str) or not COUNTRY.match(code) or code not in country_codes():
                problems.add(
                    "bad_country",
                    f"{path}.countries",
                    f"{code!r} is not a two-letter ISO country code such as MY.",
                )
            elif code in owner:
                problems.add(
                    "duplicate_country",
                    f"{path}.countries",
                    f"{code} is in both {owner[code]} and {key}; a country belongs to one team.",
                )
            else:
                owner[code] = key
        teams[key] = frozenset(c for c in countries if owner.get(c) == key)
    return teams


def _parse_rules(raw: Any, problems: Problems) -> tuple[PriorityRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add("wrong_type", "priority_rules", "priority_rules must be a list of rules.")
        return ()
    rules: dict[str, PriorityRule] = {}
    for index, spec in enumerate(raw):
        rule_id = spec.get("id") if isinstance(spec, Mapping) else None
        if not isinstance(rule_id, str) or not IDENTIFIER.match(rule_id):
            problems.add(
                "bad_name",
                f"priority_rules[{index}]",
                "Each priority rule needs an id (lower case, digits, _).",
            )
        elif rule_id in rules:
            problems.add(
                "duplicate_rule",
                f"priority_rules.{rule_id}",
                f"Two priority rules have the id {rule_id}; ids must be unique.",
            )
        else:
            rule = _parse_rule(rule_id, spec, f"priority_rules.{rule_id}", problems)
            if rule is not None:
                rules[rule_id] = rule
    return tuple(rules.values())


def _parse_rule(
    rule_id: str, spec: Mapping[str, Any], path: str, problems: Problems
) -> PriorityRule | None:
    start = len(problems)
    problems.unknown_keys(spec, RULE_KEYS, path)
    if spec.get("priority") not in PRIORITIES:
        problems.add(
            "unknown_priority",
            f"{path}.priority",
            f"priority must be one of {', '.join(PRIORITIES)}.",
        )
    conditions = [key for key in CONDITIONS if key in spec]
    if len(conditions) != 1 or ("values" in spec) != (conditions == ["dimension"]):
        problems.add(
            "bad_condition",
            path,
            "A rule needs exactly one condition: flags, mwc, or dimension with values.",
        )
        return None
    flags: tuple[str, ...] = ()
    articles: tuple[int, ...] = ()
    values: tuple[str, ...] = ()
    if "flags" in spec:
        flags = _names(spec["flags"], IDENTIFIER, f"{path}.flags", problems)
        _check_flags(rule_id, flags, f"{path}.flags", problems)
    elif "mwc" in spec:
        articles = tuple(_article(a, f"{path}.mwc", problems) for a in _non_empty(spec["mwc"]))
        if not articles:
            problems.add(
                "bad_condition", f"{path}.mwc", "mwc must list MWC articles such as 9 or MWC-9."
            )
    else:
        dimension = _dimension(rule_id, spec["dimension"], f"{path}.dimension", problems)
        values = _names(spec["values"], None, f"{path}.values", problems)
        if dimension is not None:
            _check_values(rule_id, dimension, values, f"{path}.values", problems)
    if len(problems) > start:
        return None
    return PriorityRule(rule_id, spec["priority"], flags, articles, spec.get("dimension"), values)


def _check_flags(rule_id: str, flags: tuple[str, ...], path: str, problems: Problems) -> None:
    for flag in flags:
        if flag not in FLAGS:
            problems.add(
                "unknown_value",
                path,
                f"Rule {rule_id} names the flag {flag!r}, which no form can set; "
                f"the flags are {', '.join(FLAGS)}.",
            )


def _dimension(rule_id: str, name: Any, path: str, problems: Problems) -> Dimension | None:
    """The standard dimension a rule reads, if it is one a rule can match on."""
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        problems.add("bad_condition", path, f"{name!r} is not a dimension name.")
        return None
    dimensions = load_dimensions()
    if name not in dimensions:
        problems.add(
            "unknown_dimension",
            path,
            f"Rule {rule_id} names the dimension {name!r}, which is not one of the standard "
            f"dimensions: {', '.join(dimensions.ids())}.",
        )
        return None
    dimension = dimensions.get(name)
    if dimension.kind == "date":
        problems.add(
            "bad_condition",
            path,
            f"Rule {rule_id} names {name}, a date; a rule can only match listed values.",
        )
        return None
    return dimension


def _check_values(
    rule_id: str, dimension: Dimension, values: tuple[str, ...], path: str, problems: Problems
) -> None:
    """Every value must be one the dimension can take, or the rule could never match."""
    if dimension.kind == "country":
        allowed, described = country_codes(), "two-letter ISO country codes such as MY"
    elif dimension.values is not None:
        allowed, described = frozenset(dimension.values), ", ".join(dimension.values)
    else:
        return  # a free dimension takes any text
    for value in values:
        if value not in allowed:
            problems.add(
                "unknown_value",
                path,
                f"Rule {rule_id} names {value!r}, which is not a value of {dimension.id}; "
                f"its values are {described}.",
            )


def _non_empty(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _names(
    value: Any, pattern: re.Pattern[str] | None, path: str, problems: Problems
) -> tuple[str, ...]:
    """Read a non-empty list of texts, each matching `pattern` when one is given."""
    names = _non_empty(value)
    if not names or not all(
        isinstance(n, str) and (pattern is None or pattern.match(n)) for n in names
    ):
        problems.add(
            "bad_condition", path, f"{path.rsplit('.', 1)[-1]} must be a non-empty list of names."
        )
        return ()
    return tuple(names)


def _article(value: Any, path: str, problems: Problems) -> int:
    """Read an MWC article of the taxonomy as a number (9) or a code (MWC-9)."""
    match = MWC_CODE.match(value) if isinstance(value, str) else None
    article = int(match.group(1)) if match else value
    taxonomy = load_taxonomy()
    if isinstance(article, bool) or not isinstance(article, int) or article not in taxonomy:
        problems.add(
            "bad_article",
            path,
            f"{value!r} is not an MWC article of the taxonomy ({taxonomy.ranges()}; "
            "a number or MWC-<n>).",
        )
        return 0
    return article


__all__ = [
    "PRIORITIES",
    "PriorityRule",
    "RouteDecision",
    "RoutingRules",
    "decide_route",
    "duplicate_keys",
    "load_routing_rules",
    "normalise_identity",
]
