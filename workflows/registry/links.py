"""Links from a case's actors to registry entities, planned as plain data.

Pure core: no Flask, Celery, pymongo, mongomock or wtforms. A case keeps its links in
`entity_links` (the shared shape of docs/registry.md, read by the entity pages, the
indicators and the documentation-format exports)::

    {"entity_id": "ent_…", "actor": "agency", "question": "agency_name",
     "linked_by": "usr_…", "linked_at": datetime}

Here the new list is worked out and checked; writing it is the case repository's
(`CaseRepository.set_entity_links` and `CaseRepository.move_entity_links`, the only
code that writes the field). A reviewer links on purpose: nothing here picks an entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: The actor a link names: the agency or broker, the employer, or someone else.
ACTORS = ("agency", "employer", "other")
#: The answers of the base form that name an actor, and which actor each names.
ACTOR_QUESTIONS: Mapping[str, str] = {"agency_name": "agency", "employer_name": "employer"}
#: The most links one case may hold: a case names a handful of actors, not hundreds.
MAX_LINKS = 20

# Reasons a link or an unlink is refused (the app words them in the page's language).
UNKNOWN_ACTOR = "unknown_actor"
UNKNOWN_QUESTION = "unknown_question"
ALREADY_LINKED = "already_linked"
NOT_LINKED = "not_linked"
TOO_MANY = "too_many"
ENTITY_MISSING = "entity_missing"
ENTITY_MERGED = "entity_merged"


class LinkRefused(ValueError):
    """A link or unlink that cannot be made; `reasons` holds every reason at once."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(", ".join(self.reasons))


@dataclass(frozen=True)
class LinkRequest:
    entity_id: str
    actor: str
    question: str | None = None


def links_of(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The case's links, as a fresh list (none when the field is missing or malformed)."""
    links = case.get("entity_links")
    if not isinstance(links, list):
        return []
    return [dict(link) for link in links if isinstance(link, Mapping) and link.get("entity_id")]


def linked_entity_ids(case: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(str(link["entity_id"]) for link in links_of(case)))


def with_link(case: Mapping[str, Any], request: LinkRequest, entity: Mapping[str, Any] | None,
              user_id: str, now: datetime) -> list[dict[str, Any]]:
    """The case's links with `request` added; `LinkRefused` with every reason otherwise.

    One entity is linked once per actor: linking it again as the same actor is refused,
    as the employer and as the agency it may be both.
    """
    links = links_of(case)
    reasons = []
    if request.actor not in ACTORS:
        reasons.append(UNKNOWN_ACTOR)
    if request.question is not None and request.question not in ACTOR_QUESTIONS:
        reasons.append(UNKNOWN_QUESTION)
    if entity is None:
        reasons.append(ENTITY_MISSING)
    elif entity.get("merged_into"):
        reasons.append(ENTITY_MERGED)
    if any(link["entity_id"] == request.entity_id and link.get("actor") == request.actor
           for link in links):
        reasons.append(ALREADY_LINKED)
    if len(links) >= MAX_LINKS:
        reasons.append(TOO_MANY)
    if reasons:
        raise LinkRefused(reasons)
    link: dict[str, Any] = {"entity_id": request.entity_id, "actor": request.actor}
    if request.question:
        link["question"] = request.question
    link.update({"linked_by": str(user_id), "linked_at": now})
    return [*links, link]


def without_link(case: Mapping[str, Any], entity_id: str, actor: str) -> list[dict[str, Any]]:
    """The case's links without the one to `entity_id` as `actor`; refused when absent."""
    links = links_of(case)
    kept = [link for link in links
            if not (link["entity_id"] == entity_id and link.get("actor") == actor)]
    if len(kept) == len(links):
        raise LinkRefused([NOT_LINKED])
    return kept


def relinked(links: Iterable[Mapping[str, Any]], from_id: str, to_id: str) -> list[dict[str, Any]]:
    """`links` with every link to `from_id` pointing at `to_id` instead (a merge or a
    split); a link that would then repeat one already there is dropped, keeping the
    earlier one, so a case linked to both entities as one actor keeps a single link."""
    moved: list[dict[str, Any]] = []
    seen: set[tuple[str, Any]] = set()
    for link in links:
        link = dict(link)
        if link.get("entity_id") == from_id:
            link["entity_id"] = to_id
        key = (str(link.get("entity_id")), link.get("actor"))
        if key in seen:
            continue
        seen.add(key)
        moved.append(link)
    return moved
