"""Creating, merging and splitting registry entities by hand, planned as plain data.

Pure core: no Flask, Celery, pymongo, mongomock or wtforms. Each function checks
everything first and returns either the list of every problem (reason codes, worded
by the app in the page's language) or the plan the store writes
(`EntityStore.create`, `EntityStore.merge`, `EntityStore.split`), each write guarded
by the revisions the plan was made from.

- A new entity is made only on purpose, through its own form: never from a match.
- Merging B into A gives A every name, licence and status of B (B's names become
  A's aliases) and leaves B as a tombstone `merged_into: A`, so an old link or
  address still leads to A. The cases' links move from B to A.
- Splitting moves chosen aliases and licences (with the statuses their authorities
  gave) from A to a new entity; chosen cases' links move with them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows.registry.entities import KINDS, licence_keys, new_entity_id
from workflows.registry.licences import licence_key, normalise_licence

COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_NAME = 200
MAX_REASON = 2000

# Problems, each a code the app words in the page's language.
KIND_UNKNOWN = "kind_unknown"
NAME_MISSING = "name_missing"
NAME_TOO_LONG = "name_too_long"
COUNTRY_INVALID = "country_invalid"
AUTHORITY_MISSING = "authority_missing"
AUTHORITY_UNKNOWN = "authority_unknown"
LICENCE_MISSING = "licence_missing"
LICENCE_TAKEN = "licence_taken"
REASON_MISSING = "reason_missing"
REASON_TOO_LONG = "reason_too_long"
SAME_ENTITY = "same_entity"
ALREADY_MERGED = "already_merged"
TARGET_MERGED = "target_merged"
LICENCE_CLASH = "licence_clash"
NOTHING_CHOSEN = "nothing_chosen"
ALIAS_NOT_HELD = "alias_not_held"
LICENCE_NOT_HELD = "licence_not_held"
CASE_NOT_LINKED = "case_not_linked"


@dataclass(frozen=True)
class NewEntity:
    """What the "new entity" form gives."""

    kind: str
    name: str
    country: str
    licence: str = ""
    authority: str = ""


@dataclass
class MergePlan:
    target_id: str
    target_revision: int
    source_id: str
    source_revision: int
    add_aliases: list[str]
    add_licences: list[dict[str, Any]]
    add_statuses: list[dict[str, Any]]
    reason: str

    @property
    def add_licence_keys(self) -> list[str]:
        return licence_keys(self.add_licences)


@dataclass
class SplitPlan:
    source_id: str
    source_revision: int
    entity: dict[str, Any]
    remove_aliases: list[str]
    remove_licences: list[dict[str, Any]]
    remove_statuses: list[dict[str, Any]]
    case_ids: list[str] = field(default_factory=list)
    reason: str = ""


def check_new_entity(new: NewEntity, authorities: Collection[str]) -> list[str]:
    """Every problem of the "new entity" form (the store checks the licence is free)."""
    problems = []
    if new.kind not in KINDS:
        problems.append(KIND_UNKNOWN)
    problems += _name_problems(new.name)
    if not COUNTRY.match(new.country or ""):
        problems.append(COUNTRY_INVALID)
    if new.licence.strip() and not new.authority:
        problems.append(AUTHORITY_MISSING)
    if new.authority and new.authority not in authorities:
        problems.append(AUTHORITY_UNKNOWN)
    if new.authority and not new.licence.strip():
        problems.append(LICENCE_MISSING)
    return problems


def new_entity(new: NewEntity, user_id: str, now: datetime) -> dict[str, Any]:
    """The entity the form describes (check it first with `check_new_entity`)."""
    licences = []
    if new.licence.strip() and new.authority:
        licences = [{"authority": new.authority, "number": new.licence.strip()}]
    entity: dict[str, Any] = {"_id": new_entity_id(), "kind": new.kind, "name": new.name.strip(),
                              "aliases": [], "country": new.country, "licences": licences,
                              "statuses": [], "created_by": str(user_id), "created_on": now}
    if licences:
        entity["licence_keys"] = licence_keys(licences)
    return entity


def plan_merge(target: Mapping[str, Any], source: Mapping[str, Any],
               reason: str) -> MergePlan | list[str]:
    """Merge `source` (B) into `target` (A): the plan, or every problem."""
    problems = reason_problems(reason)
    if target["_id"] == source["_id"]:
        problems.append(SAME_ENTITY)
    if source.get("merged_into"):
        problems.append(ALREADY_MERGED)
    if target.get("merged_into"):
        problems.append(TARGET_MERGED)
    held = {lic["authority"]: normalise_licence(lic["number"]) for lic in target.get("licences", [])}
    for lic in source.get("licences", []):
        if lic["authority"] in held and held[lic["authority"]] != normalise_licence(lic["number"]):
            problems.append(LICENCE_CLASH)
            break
    if problems:
        return problems
    known = {target.get("name"), *(target.get("aliases") or ())}
    aliases = [name for name in [source.get("name"), *(source.get("aliases") or ())]
               if name and name not in known]
    target_keys = set(licence_keys(target.get("licences", [])))
    licences = [dict(lic) for lic in source.get("licences", [])
                if licence_key(lic["authority"], lic["number"]) not in target_keys]
    return MergePlan(str(target["_id"]), int(target.get("revision", 0)), str(source["_id"]),
                     int(source.get("revision", 0)), list(dict.fromkeys(aliases)), licences,
                     [dict(s) for s in source.get("statuses") or ()], reason.strip())


def plan_split(source: Mapping[str, Any], new: NewEntity, aliases: Iterable[str],
               licences: Iterable[str], case_ids: Iterable[str],
               linked_case_ids: Collection[str], reason: str, user_id: str,
               now: datetime) -> SplitPlan | list[str]:
    """Move the chosen `aliases`, `licences` (by licence key) and cases (by id, each
    linked to `source`) to a new entity described by `new`: the plan, or every problem.
    The new entity's licence comes only from those moved, so `new.licence` is unused."""
    aliases, licences, case_ids = list(aliases), list(licences), list(case_ids)
    problems = reason_problems(reason)
    if new.kind not in KINDS:
        problems.append(KIND_UNKNOWN)
    problems += _name_problems(new.name)
    if not COUNTRY.match(new.country or ""):
        problems.append(COUNTRY_INVALID)
    if source.get("merged_into"):
        problems.append(ALREADY_MERGED)
    if not (aliases or licences or case_ids):
        problems.append(NOTHING_CHOSEN)
    if any(alias not in (source.get("aliases") or ()) for alias in aliases):
        problems.append(ALIAS_NOT_HELD)
    held = {licence_key(lic["authority"], lic["number"]): lic for lic in source.get("licences", [])}
    if any(key not in held for key in licences):
        problems.append(LICENCE_NOT_HELD)
    if any(case_id not in linked_case_ids for case_id in case_ids):
        problems.append(CASE_NOT_LINKED)
    if problems:
        return problems
    moved = [dict(held[key]) for key in dict.fromkeys(licences)]
    authorities = {lic["authority"] for lic in moved}
    statuses = [dict(s) for s in source.get("statuses") or ()
                if (s.get("source") or {}).get("authority") in authorities]
    entity = {"_id": new_entity_id(), "kind": new.kind, "name": new.name.strip(),
              "aliases": [a for a in dict.fromkeys(aliases) if a != new.name.strip()],
              "country": new.country, "licences": moved, "statuses": statuses,
              "split_from": str(source["_id"]), "created_by": str(user_id), "created_on": now}
    if moved:
        entity["licence_keys"] = licence_keys(moved)
    return SplitPlan(str(source["_id"]), int(source.get("revision", 0)), entity,
                     list(dict.fromkeys(aliases)), moved, statuses,
                     list(dict.fromkeys(case_ids)), reason.strip())


def _name_problems(name: str) -> list[str]:
    if not (name or "").strip():
        return [NAME_MISSING]
    return [NAME_TOO_LONG] if len(name.strip()) > MAX_NAME else []


def reason_problems(reason: str) -> list[str]:
    if not (reason or "").strip():
        return [REASON_MISSING]
    return [REASON_TOO_LONG] if len(reason) > MAX_REASON else []
