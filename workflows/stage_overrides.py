"""Merge one country's section of the stage configuration into the defaults.

A national team changes only what differs for its country: stages and transitions
are merged by name (the keys given replace the default's; deadlines merge by name
and a null deadline removes it), new names are added, and `remove_transitions`
drops default transitions. The merged mapping is then checked like the default,
so a country can never end up with a broken lifecycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from workflows.errors import Problems

COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
COUNTRY_KEYS = frozenset({"stages", "transitions", "remove_transitions"})


def for_country(mapping: Mapping[str, Any], country: str, problems: Problems) -> Mapping[str, Any]:
    """Return `mapping` with `country`'s section merged in (or unchanged if it has none)."""
    countries = mapping.get("countries") or {}
    if not isinstance(countries, Mapping):
        problems.add(
            "wrong_type", "countries", "countries must map country codes to their changes."
        )
        return mapping
    override = countries.get(country)
    if override is None:
        return mapping
    path = f"countries.{country}"
    if not isinstance(override, Mapping):
        problems.add("wrong_type", path, f"The section for {country} must be a mapping.")
        return mapping
    for key in override:
        if key not in COUNTRY_KEYS:
            problems.add(
                "unknown_key",
                f"{path}.{key}",
                f"Unknown key {key!r}; expected one of {', '.join(sorted(COUNTRY_KEYS))}.",
            )
    return {
        **mapping,
        "stages": _merge_stages(mapping.get("stages"), override.get("stages"), path, problems),
        "transitions": _merge_transitions(
            mapping.get("transitions"),
            override.get("transitions"),
            override.get("remove_transitions"),
            path,
            problems,
        ),
    }


def _merge_stages(base: Any, extra: Any, path: str, problems: Problems) -> Any:
    if extra is None or not isinstance(base, Mapping):
        return base
    if not isinstance(extra, Mapping):
        problems.add(
            "wrong_type", f"{path}.stages", "stages must map stage names to their changes."
        )
        return base
    merged = dict(base)
    for name, spec in extra.items():
        old = merged.get(name)
        if isinstance(old, Mapping) and isinstance(spec, Mapping):
            merged[name] = _merge_stage(old, spec)
        elif not (old is not None and spec is None):
            merged[name] = spec
    return merged


def _merge_stage(old: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    stage = {**old, **spec}
    old_deadlines, new_deadlines = old.get("deadlines"), spec.get("deadlines")
    if isinstance(old_deadlines, Mapping) and isinstance(new_deadlines, Mapping):
        deadlines = {**old_deadlines, **new_deadlines}
        stage["deadlines"] = {k: v for k, v in deadlines.items() if v is not None}
    return stage


def _merge_transitions(base: Any, extra: Any, remove: Any, path: str, problems: Problems) -> Any:
    if not isinstance(base, list):
        return base
    by_name = {t.get("name"): t for t in base if isinstance(t, Mapping)}
    merged: dict[Any, Any] = dict(by_name)
    for name in _removed_names(remove, by_name, path, problems):
        merged.pop(name, None)
    if extra is None:
        return list(merged.values())
    if not isinstance(extra, list):
        problems.add(
            "wrong_type", f"{path}.transitions", "transitions must be a list of transitions."
        )
        return list(merged.values())
    for index, spec in enumerate(extra):
        entry_name = spec.get("name") if isinstance(spec, Mapping) else None
        if not isinstance(entry_name, str):
            problems.add(
                "bad_name",
                f"{path}.transitions[{index}]",
                "Each transition needs a name: an existing one to change, a new one to add.",
            )
            continue
        old = merged.get(entry_name)
        merged[entry_name] = {**old, **spec} if isinstance(old, Mapping) else spec
    return list(merged.values())


def _removed_names(
    remove: Any, known: Mapping[Any, Any], path: str, problems: Problems
) -> list[str]:
    if remove is None:
        return []
    if not isinstance(remove, list) or not all(isinstance(n, str) for n in remove):
        problems.add(
            "wrong_type", f"{path}.remove_transitions", "remove_transitions must list names."
        )
        return []
    for name in remove:
        if name not in known:
            problems.add(
                "unknown_transition",
                f"{path}.remove_transitions",
                f"{name} is not a transition, so it cannot be removed.",
            )
    return list(remove)
