"""Registry entities and the links cases make to them, for the tests of outputs that
name entities (indicators, mission reports, documentation-format exports).

Entities go into the registry's own collection through `EntityStore`'s collection;
links are written as `entity_links` on the case documents before the case repository
stores them (the shape of docs/registry.md, "Links from cases"), as the linking pages
will write them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

AGENCY = {"_id": "ent_agency0001", "kind": "recruitment_agency", "name": "PT Maju Jaya Abadi",
          "aliases": [], "country": "ID",
          "licences": [{"authority": "BP2MI", "number": "KEP.777/2019"}],
          "licence_keys": ["BP2MI:KEP.777/2019"], "statuses": [], "revision": 1}
COMPANY = {"_id": "ent_company0001", "kind": "employer", "name": "Harbour Plantations Sdn Bhd",
           "aliases": [], "country": "MY",
           "licences": [{"authority": "SSM", "number": "201901000123"}],
           "licence_keys": ["SSM:201901000123"], "statuses": [], "revision": 1}
#: A household employer: a private person, never named outside a full output.
HOUSEHOLD = {"_id": "ent_household001", "kind": "employer", "name": "Madam Rosnah Kassim",
             "aliases": [], "country": "MY", "licences": [], "statuses": [], "revision": 1}
#: An agency linked to too few cases to be named under small-cell protection.
SMALL = {"_id": "ent_small000001", "kind": "recruitment_agency", "name": "CV Kecil Sekali",
         "aliases": [], "country": "ID",
         "licences": [{"authority": "BP2MI", "number": "KEP.001/2020"}],
         "licence_keys": ["BP2MI:KEP.001/2020"], "statuses": [], "revision": 1}
ENTITIES = (AGENCY, COMPANY, HOUSEHOLD, SMALL)
LINKED_AT = datetime(2026, 3, 4, 10, tzinfo=UTC)


def rule(i: int) -> list[tuple[dict[str, Any], str]]:
    """The entities case `i` is linked to, with the actor each stands for."""
    links = []
    if i % 2 == 0:
        links.append((AGENCY, "agency"))
    else:
        links.append((COMPANY, "employer"))
    if i % 3 == 0:
        links.append((HOUSEHOLD, "employer"))
    if i in (1, 2):
        links.append((SMALL, "agency"))
    return links


def link(cases: list[dict[str, Any]],
         which: Callable[[int], list[tuple[dict[str, Any], str]]] = rule) -> list[dict[str, Any]]:
    """The cases with their `entity_links` set (in place), by their position."""
    for i, case in enumerate(cases):
        case["entity_links"] = [
            {"entity_id": entity["_id"], "actor": actor,
             "question": "agency_name" if actor == "agency" else "employer_name",
             "linked_by": "usr_reviewer", "linked_at": LINKED_AT}
            for entity, actor in which(i)]
    return cases


def store_entities(svc: Any, entities: Iterable[dict[str, Any]] = ENTITIES) -> None:
    svc.entities.collection.insert_many([dict(e) for e in entities])


def linked_count(cases: Iterable[dict[str, Any]], entity: dict[str, Any]) -> int:
    """How many of `cases` are linked to `entity`, counted case by case."""
    return sum(1 for c in cases
               if any(link["entity_id"] == entity["_id"] for link in c.get("entity_links", [])))
