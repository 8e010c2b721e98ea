"""The shape of an entity of the registry, as plain data.

An entity is a recruitment agency, a sub-agent or broker, an employer, or another
actor that cases name::

    {"_id": "ent_<hex>", "kind": "recruitment_agency", "name": "PT Maju Jaya",
     "aliases": ["PT Madju Djaja"], "country": "ID",
     "licences": [{"authority": "BP2MI", "number": "KEP.123/2019",
                   "last_list_date": "2026-03-01"}],
     "licence_keys": ["BP2MI:KEP.123/2019"],
     "statuses": [{"status": "licensed", "since": "2026-03-01",
                   "source": {"kind": "list", "authority": "BP2MI",
                              "list_date": "2026-03-01", "file": "p3mi.xlsx", "row": 7}}],
     "address": "Jl. Raya 1, Jakarta", "revision": 1, "created_at": ..., "updated_at": ...}

`licence_keys` (`licences.licence_key` of each licence) is what the store indexes as
unique and what lookups by licence read; `revision` guards every update;
`last_list_date` is the date of the newest list that named the licence, so an older
list imported late changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from workflows.registry.licences import licence_key

KINDS = ("recruitment_agency", "sub_agent", "employer", "other")
STATUSES = ("licensed", "suspended", "revoked", "blacklisted", "expired")
ID_PREFIX = "ent_"


def new_entity_id() -> str:
    """A fresh id that says what it names and cannot be guessed from another."""
    return ID_PREFIX + uuid.uuid4().hex


def licence_keys(licences: list[Mapping[str, Any]]) -> list[str]:
    """The indexed keys of an entity's licences."""
    return [licence_key(lic["authority"], lic["number"]) for lic in licences]


def licence_of(entity: Mapping[str, Any], authority: str) -> dict[str, Any] | None:
    """The entity's licence from `authority`, if it has one."""
    for lic in entity.get("licences", []):
        if lic["authority"] == authority:
            return dict(lic)
    return None


def latest_status(entity: Mapping[str, Any], authority: str) -> dict[str, Any] | None:
    """The newest status entry whose source is `authority` (the later of two on one day)."""
    latest = None
    for entry in entity.get("statuses", []):
        if entry.get("source", {}).get("authority") != authority:
            continue
        if latest is None or entry["since"] >= latest["since"]:
            latest = entry
    return latest
