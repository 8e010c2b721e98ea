"""Load and check the stage graph configuration (the parsed `config/stages.yaml`).

Pure core: the caller reads and parses the file; this module gets a plain mapping.
Every problem is collected and reported at once in one `StageGraphError`, each
with its key path and a sentence the person editing the file understands. The
file's shape is described at the top of `config/stages.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from workflows.errors import Problems, StageGraphError
from workflows.stage_graph import Stage, StageGraph
from workflows.stage_overrides import COUNTRY_PATTERN, for_country
from workflows.transition_config import IDENTIFIER, parse_transitions

TOP_KEYS = frozenset({"initial", "stages", "transitions", "follow_ups", "countries"})
STAGE_KEYS = frozenset({"terminal", "deadlines"})
DEFAULT_FINISHED_STATUSES = ("done", "cancelled")
MAX_DEADLINE_DAYS = 3650


def load_stage_graph(mapping: Any, country: str | None = None) -> StageGraph:
    """Build the stage graph, for one country when `country` is given.

    A country without a section in `countries` gets the default graph.

    :raise StageGraphError: listing every problem found.
    """
    problems = Problems()
    graph = _load(mapping, country, problems)
    if problems or graph is None:
        raise StageGraphError(problems)
    return graph


def load_all_stage_graphs(mapping: Any) -> dict[str | None, StageGraph]:
    """Build the default graph (key None) and every country's, checking them all.

    Meant for start-up, so a mistake in any country's section stops the process with
    the full list instead of surfacing on the first case from that country.
    """
    graphs: dict[str | None, StageGraph] = {None: load_stage_graph(mapping)}
    problems = Problems()
    countries = mapping.get("countries") or {}
    for code in countries if isinstance(countries, Mapping) else ():
        graph = _load(mapping, code, problems)
        if graph is not None:
            graphs[code] = graph
    if problems:
        raise StageGraphError(problems)
    return graphs


def _load(mapping: Any, country: str | None, problems: Problems) -> StageGraph | None:
    if not isinstance(mapping, Mapping):
        problems.add(
            "wrong_type", "", "The stage graph must be a mapping with stages and transitions."
        )
        return None
    problems.unknown_keys(mapping, TOP_KEYS, "")
    if country is None:
        return _build(mapping, "", None, problems)
    if not isinstance(country, str) or not COUNTRY_PATTERN.match(country):
        problems.add(
            "bad_country",
            "countries",
            f"{country!r} is not a two-letter ISO country code such as SA.",
        )
        return None
    start = len(problems)
    if _build(mapping, "", None, problems) is None or len(problems) > start:
        return None  # a country's graph is only as sound as the defaults it changes
    merged = for_country(mapping, country, problems)
    return _build(merged, f"countries.{country}.", country, problems)


def _build(
    raw: Mapping[str, Any], where: str, country: str | None, problems: Problems
) -> StageGraph | None:
    """Parse the pieces, then check the shape of the whole graph.

    Shape checks run only on a cleanly parsed graph: a misspelt stage would otherwise
    also be reported as unreachable, burying the real mistake.
    """
    start = len(problems)
    stages = _parse_stages(raw.get("stages"), where, problems)
    initial = raw.get("initial")
    if not isinstance(initial, str) or initial not in stages:
        problems.add(
            "unknown_stage",
            f"{where}initial",
            f"initial must name one of the stages; {initial!r} is not one.",
        )
    transitions = parse_transitions(raw.get("transitions"), stages, where, problems)
    finished = _parse_follow_ups(raw.get("follow_ups"), where, problems)
    if len(problems) > start:
        return None
    graph = StageGraph(
        str(initial), MappingProxyType(stages), MappingProxyType(transitions), finished, country
    )
    _check_shape(graph, where, problems)
    return graph


def _parse_stages(raw: Any, where: str, problems: Problems) -> dict[str, Stage]:
    if not isinstance(raw, Mapping) or not raw:
        problems.add(
            "wrong_type", f"{where}stages", "stages must map each stage name to its settings."
        )
        return {}
    stages: dict[str, Stage] = {}
    for name, spec in raw.items():
        path = f"{where}stages.{name}"
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            problems.add(
                "bad_name", path, f"{name!r} is not a valid stage name (lower case, digits, _)."
            )
            continue
        spec = {} if spec is None else spec
        if not isinstance(spec, Mapping):
            problems.add(
                "wrong_type", path, f"Stage {name} must be a mapping (terminal, deadlines)."
            )
            continue
        problems.unknown_keys(spec, STAGE_KEYS, path)
        terminal = spec.get("terminal", False)
        if not isinstance(terminal, bool):
            problems.add("wrong_type", f"{path}.terminal", "terminal must be true or false.")
        deadlines = _parse_deadlines(spec.get("deadlines"), f"{path}.deadlines", problems)
        stages[name] = Stage(name, terminal is True, MappingProxyType(deadlines))
    return stages


def _parse_deadlines(raw: Any, path: str, problems: Problems) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(
            "bad_deadline", path, "deadlines must map a deadline name to a number of days."
        )
        return {}
    deadlines: dict[str, int] = {}
    for name, days in raw.items():
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            problems.add("bad_deadline", path, f"{name!r} is not a valid deadline name.")
        elif (
            isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= MAX_DEADLINE_DAYS
        ):
            problems.add(
                "bad_deadline",
                f"{path}.{name}",
                f"Deadline {name} must be a whole number of days from 1 to {MAX_DEADLINE_DAYS}.",
            )
        else:
            deadlines[name] = days
    return deadlines


def _parse_follow_ups(raw: Any, where: str, problems: Problems) -> frozenset[str]:
    if raw is None:
        return frozenset(DEFAULT_FINISHED_STATUSES)
    path = f"{where}follow_ups"
    statuses = raw.get("finished_statuses") if isinstance(raw, Mapping) else None
    if not isinstance(raw, Mapping) or set(raw) != {"finished_statuses"}:
        problems.add(
            "wrong_type", path, "follow_ups must be a mapping with finished_statuses only."
        )
    elif (
        not isinstance(statuses, list)
        or not statuses
        or not all(isinstance(s, str) for s in statuses)
    ):
        problems.add(
            "wrong_type",
            f"{path}.finished_statuses",
            "finished_statuses must be a list of follow-up statuses.",
        )
    else:
        return frozenset(statuses)
    return frozenset(DEFAULT_FINISHED_STATUSES)


def _check_shape(graph: StageGraph, where: str, problems: Problems) -> None:
    """Every stage reachable from the initial one; every non-terminal stage can end."""
    terminal = graph.terminal_stages
    if not terminal:
        problems.add(
            "no_terminal_stage",
            f"{where}stages",
            "No stage is marked terminal: true, so no case could ever end.",
        )
    reachable = _reachable(graph, {graph.initial})
    for name, stage in graph.stages.items():
        path = f"{where}stages.{name}"
        if name not in reachable:
            problems.add(
                "unreachable_stage",
                path,
                f"Stage {name} cannot be reached from the initial stage {graph.initial}.",
            )
        if stage.terminal:
            continue
        if not graph.outgoing(name):
            problems.add(
                "dead_end", path, f"Stage {name} is not terminal but no transition leads out of it."
            )
        elif terminal and not _reachable(graph, {name}) & terminal:
            problems.add(
                "no_way_to_end",
                path,
                f"From stage {name} no terminal stage ({', '.join(sorted(terminal))}) "
                "can be reached, so cases there could never end.",
            )


def _reachable(graph: StageGraph, start: set[str]) -> set[str]:
    seen, frontier = set(start), set(start)
    while frontier:
        frontier = {t.target for t in graph.transitions.values() if t.sources & frontier} - seen
        seen |= frontier
    return seen
