"""The registry's changes that reach cases: links, merges and splits.

Joins the pure plans (`links`, `editing`) to the two stores they write: the entity
store and the case repository (which alone writes a case's `entity_links`). No
pymongo here. Every change is checked whole before anything is written; a link or
unlink is one guarded update of the case with its timeline event; a merge or split
writes the entities first (guarded by their revisions), then moves each case's links
with an update guarded on the links as read, retried on the case as it is now, and
records the move on each case's timeline. The app writes the audit entries.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from workflows.case_service import timeline_event
from workflows.errors import Refusal, TransitionNotAllowed
from workflows.registry import editing
from workflows.registry.editing import NewEntity
from workflows.registry.links import LinkRequest, links_of, relinked, with_link, without_link
from workflows.scope import can_see, roles_of

CASEWORKER_ROLES = frozenset({"reviewer", "coordinator"})
#: Who merges and splits entities: a merge moves the links of cases in every country,
#: which only the regional secretariat sees whole (docs/registry.md).
EDITOR_ROLES = frozenset({"coordinator"})
#: Tries to move one case's links when someone changes them at the same moment.
MOVE_ATTEMPTS = 5
#: Problem codes of merges and splits that the service adds to the plans' own.
CONFLICT = "conflict"
ENTITY_MISSING = "entity_missing"
TARGET_MISSING = "target_missing"
NOT_ALLOWED = "not_allowed"


@dataclass
class Outcome:
    """A merge or split: the problems (nothing written) or what moved."""

    problems: list[str] = field(default_factory=list)
    entity: dict[str, Any] | None = None
    moved_cases: list[str] = field(default_factory=list)
    unmoved_cases: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


class RegistryService:
    def __init__(self, entities: Any, repo: Any,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.entities = entities
        self.repo = repo
        self.clock = clock

    # -- links --------------------------------------------------------------------

    def link(self, case: Mapping[str, Any], actor: Mapping[str, Any],
             request: LinkRequest, created: bool = False) -> dict[str, Any]:
        """Link one of the case's actors to an entity (`created`: one the reviewer just
        made for it); `LinkRefused` or `TransitionNotAllowed` with nothing written,
        `StaleVersion` on a race."""
        self._check_caseworker(case, actor)
        now = self.clock()
        links = with_link(case, request, self.entities.get(request.entity_id), actor["id"], now)
        data = {**_link_data(request), **({"created": True} if created else {})}
        event = timeline_event("entity_linked", case, actor, now, data=data)
        updated = self.repo.set_entity_links(case, links, event, now)
        return self._follow_merge(updated, request.entity_id, actor)

    def _follow_merge(self, case: dict[str, Any], entity_id: str,
                      actor: Mapping[str, Any]) -> dict[str, Any]:
        """A link written while the entity was being merged away moves to where it went.

        A merge makes B a tombstone before it reads B's cases, and a link is written
        before the entity is read again here: so either the merge finds this link and
        moves it, or this sees the tombstone and moves it (both is harmless)."""
        entity = self.entities.get(entity_id) or {}
        target = entity.get("merged_into")
        if not target:
            return case
        self._move_one(case["_id"], entity_id, target, actor, "merge")
        return self.repo.get(case["_id"]) or case

    def unlink(self, case: Mapping[str, Any], actor: Mapping[str, Any], entity_id: str,
               actor_kind: str) -> dict[str, Any]:
        self._check_caseworker(case, actor)
        now = self.clock()
        links = without_link(case, entity_id, actor_kind)
        event = timeline_event("entity_unlinked", case, actor, now,
                               data={"entity_id": entity_id, "actor": actor_kind})
        return self.repo.set_entity_links(case, links, event, now)

    def create(self, new: NewEntity, actor: Mapping[str, Any],
               authorities: Collection[str]) -> tuple[dict[str, Any] | None, list[str]]:
        """A new entity made on purpose; (entity, []) or (None, every problem)."""
        problems = editing.check_new_entity(new, authorities)
        if roles_of(actor).isdisjoint(CASEWORKER_ROLES):
            problems.append(NOT_ALLOWED)
        if problems:
            return None, problems
        created = self.entities.create(editing.new_entity(new, actor["id"], self.clock()))
        return (created, []) if created is not None else (None, [editing.LICENCE_TAKEN])

    # -- merge and split ------------------------------------------------------------

    def merge(self, target_id: str, source_id: str, reason: str, actor: Mapping[str, Any],
              source_revision: int | None = None) -> Outcome:
        """Merge entity `source_id` (B) into `target_id` (A), then move B's cases to A.
        `source_revision` is B's revision as the page showed it: a later one is a
        conflict. Every problem found is returned together; nothing is then written."""
        target = self.entities.get(target_id) if target_id else None
        source = self.entities.get(source_id)
        problems = [] if roles_of(actor) & EDITOR_ROLES else [NOT_ALLOWED]
        if not target_id:
            problems.append(TARGET_MISSING)
        elif target is None or source is None:
            problems.append(ENTITY_MISSING)
        if source is not None and source_revision is not None and \
                source.get("revision") != source_revision:
            problems.append(CONFLICT)
        plan = editing.plan_merge(target, source, reason) if target and source else \
            editing.reason_problems(reason)
        if isinstance(plan, list) or problems:
            return Outcome(problems + (plan if isinstance(plan, list) else []))
        if not self.entities.merge(plan, str(actor["id"])):
            return Outcome([CONFLICT])
        cases = [c["_id"] for c in self.repo.linked_to(source_id, projection={"_id": 1})]
        moved, unmoved = self._move_links(cases, source_id, target_id, actor, "merge")
        return Outcome(entity=self.entities.get(target_id), moved_cases=moved,
                       unmoved_cases=unmoved,
                       details={"aliases": plan.add_aliases,
                                "licences": plan.add_licence_keys,
                                "statuses": len(plan.add_statuses)})

    def split(self, source_id: str, new: NewEntity, aliases: Iterable[str],
              licences: Iterable[str], case_ids: Iterable[str], reason: str,
              actor: Mapping[str, Any], source_revision: int | None = None) -> Outcome:
        """Move chosen aliases, licences and cases of `source_id` to a new entity;
        every problem together (nothing written), or what moved."""
        source = self.entities.get(source_id)
        if source is None:
            return Outcome([ENTITY_MISSING])
        problems = [] if roles_of(actor) & EDITOR_ROLES else [NOT_ALLOWED]
        if source_revision is not None and source.get("revision") != source_revision:
            problems.append(CONFLICT)
        linked = {c["_id"] for c in self.repo.linked_to(source_id, projection={"_id": 1})}
        plan = editing.plan_split(source, new, aliases, licences, case_ids, linked, reason,
                                  str(actor["id"]), self.clock())
        if isinstance(plan, list) or problems:
            return Outcome(problems + (plan if isinstance(plan, list) else []))
        created = self.entities.split(plan)
        if created is None:
            return Outcome([CONFLICT])
        moved, unmoved = self._move_links(plan.case_ids, source_id, created["_id"], actor,
                                          "split")
        return Outcome(entity=created, moved_cases=moved, unmoved_cases=unmoved,
                       details={"aliases": plan.remove_aliases,
                                "licences": [f"{lic['authority']}:{lic['number']}"
                                             for lic in plan.remove_licences],
                                "statuses": len(plan.remove_statuses)})

    def _move_links(self, case_ids: Iterable[str], from_id: str, to_id: str,
                    actor: Mapping[str, Any], why: str) -> tuple[list[str], list[str]]:
        moved, unmoved = [], []
        for case_id in case_ids:
            (moved if self._move_one(case_id, from_id, to_id, actor, why) else
             unmoved).append(case_id)
        return moved, unmoved

    def _move_one(self, case_id: str, from_id: str, to_id: str, actor: Mapping[str, Any],
                  why: str) -> bool:
        for _ in range(MOVE_ATTEMPTS):
            case = self.repo.get(case_id)
            if case is None:
                return False
            old = case.get("entity_links")
            if not any(link.get("entity_id") == from_id for link in links_of(case)):
                return True  # someone unlinked it meanwhile: nothing to move
            new = relinked(links_of(case), from_id, to_id)
            event = timeline_event("entity_links_moved", case, actor, self.clock(),
                                   data={"from": from_id, "to": to_id, "why": why})
            if self.repo.move_entity_links(case_id, old, new, event):
                return True
        return False

    def _check_caseworker(self, case: Mapping[str, Any], actor: Mapping[str, Any]) -> None:
        if not can_see(actor, case) or roles_of(actor).isdisjoint(CASEWORKER_ROLES):
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                       "Only the case's reviewers and coordinators link its "
                                       "actors to the registry.")


def _link_data(request: LinkRequest) -> dict[str, Any]:
    data = {"entity_id": request.entity_id, "actor": request.actor}
    if request.question:
        data["question"] = request.question
    return data
