"""The registry entities with the most counted cases in a selection, and who may be named.

Indicators and mission reports list the recruiters and employers that the most cases
of their selection are linked to (`entity_links` on a case, docs/registry.md). The
count is the reports' own: one aggregation over the cases the counting rule counts and
that consented to statistics, grouped on each case's whole list of linked entities
(`pipelines.count_by(match, ("entities",))`), so a case linked twice to one entity
counts once for it. Pure core: plain groups and entity documents in, lines out.

Who may be named (docs/registry.md, "In reports"):

- the name of an agency or a company is not personal data of the worker, and naming
  agencies is what moves licensing authorities: recruitment agencies and sub-agents
  are named in every output;
- an employer or another actor may be a private person (a household employer): it is
  named outside a full output only when it holds a licence or registration number, the
  sign of a business an authority registered;
- an entity whose count is under the small-cell threshold is not named at all, as
  `exports.suppression` would show its count as "<5": a name beside a small count can
  point at the worker behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from exports.redaction import Level

#: Kinds named in every output: businesses by definition.
ALWAYS_NAMEABLE = frozenset({"recruitment_agency", "sub_agent"})
#: How many entities an indicator table or a report lists.
TOP = 10


class EntitySource(Protocol):
    """Entities by id, fetched in batches (`workflows.registry.store.EntityStore.many`)."""

    def many(self, ids: Iterable[str]) -> Mapping[str, Mapping[str, Any]]: ...


@dataclass(frozen=True)
class EntityLine:
    """One named entity and the counted cases linked to it."""

    entity_id: str
    name: str
    kind: str
    country: str
    cases: int


def nameable(entity: Mapping[str, Any], level: Level | str) -> bool:
    """True when `entity` may be named in an output at `level` (see the module docstring)."""
    if Level(level) is Level.FULL:
        return True
    if entity.get("kind") in ALWAYS_NAMEABLE:
        return True
    return bool(entity.get("licences"))


def count_entities(groups: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Cases per entity id from `count_by(match, ("entities",))` groups.

    A group's key is one list of linked entity ids (every case with that list); each
    distinct id in it gains the group's cases. Cases with no link are in no count.
    """
    counts: Counter[str] = Counter()
    for group in groups:
        key = group.get("_id")
        linked = key.get("entities") if isinstance(key, Mapping) else None
        if not isinstance(linked, list):
            continue
        for entity_id in {e for e in linked if isinstance(e, str)}:
            counts[entity_id] += int(group.get("n") or 0)
    return counts


def candidates(counts: Mapping[str, int], threshold: int | None,
               limit: int | None = TOP) -> list[str]:
    """The ids worth fetching: those at or above the threshold, most cases first.

    Twice `limit` are kept, as some may turn out not nameable at this level.
    """
    floor = threshold or 1
    ranked = sorted((i for i, n in counts.items() if n >= floor), key=lambda i: (-counts[i], i))
    return ranked if limit is None else ranked[:limit * 2 + 10]


def top_entities(counts: Mapping[str, int], entities: Mapping[str, Mapping[str, Any]], *,
                 level: Level | str, threshold: int | None,
                 limit: int | None = TOP) -> list[EntityLine]:
    """The entities with the most cases that may be named at `level`, most cases first
    (then by name); none under `threshold` (`None`: exact counts, every entity with one).

    An id no longer in the registry (`entities` lacks it) is left out.
    """
    floor = threshold or 1
    lines = [EntityLine(entity_id, str(entity.get("name") or ""), str(entity.get("kind") or ""),
                        str(entity.get("country") or ""), counts[entity_id])
             for entity_id, entity in entities.items()
             if counts.get(entity_id, 0) >= floor and nameable(entity, level)]
    lines.sort(key=lambda line: (-line.cases, line.name.casefold(), line.entity_id))
    return lines if limit is None else lines[:limit]


def entity_lines(source: EntitySource | None, counts: Mapping[str, int], *,
                 level: Level | str, threshold: int | None,
                 limit: int | None = TOP) -> list[EntityLine]:
    """`top_entities` with the entities fetched in one batch from `source` (none: no lines)."""
    if source is None or not counts:
        return []
    wanted = candidates(counts, threshold, limit)
    if not wanted:
        return []
    return top_entities(counts, source.many(wanted), level=level, threshold=threshold,
                        limit=limit)
