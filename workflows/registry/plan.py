"""What importing an authority's licensed-agency list changes in the registry.

Pure and idempotent: `plan_import` compares the list's rows with the entities that
already hold the list's licences and says what to create and what to change; writing
it is the store's job (`EntityStore.apply`). Importing the same list again plans
nothing.

A row matches the entity holding the same licence (authority and normalised number).
A changed name becomes the primary name and the old one an alias, so searches by
either keep finding the agency. A status is recorded only when it differs from the
entity's latest status from that authority, dated by the list's date and citing the
list and row. A list older than the newest list already imported for a licence
changes nothing about that licence (its rows are counted as `older`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflows.registry.authorities import Authority
from workflows.registry.entities import latest_status, licence_keys, licence_of, new_entity_id
from workflows.registry.licence_lists import ListRow
from workflows.registry.licences import licence_key


@dataclass(frozen=True)
class EntityUpdate:
    """The changes to one existing entity, applied together under its `revision`."""

    entity_id: str
    revision: int
    row: int
    name: str | None = None            # the new primary name
    add_aliases: tuple[str, ...] = ()  # the old name, when the name changed
    address: str | None = None         # the new address
    status: dict[str, Any] | None = None   # a status entry to append
    list_date: str = ""                # the licence's new `last_list_date`

    @property
    def changes_details(self) -> bool:
        """True when the name or the address changes (not only the list date)."""
        return self.name is not None or self.address is not None


@dataclass
class ImportPlan:
    authority: str
    list_date: str
    file: str
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[EntityUpdate] = field(default_factory=list)
    older: list[int] = field(default_factory=list)  # rows skipped as older than what is known

    @property
    def status_changes(self) -> list[EntityUpdate]:
        return [update for update in self.updates if update.status is not None]

    @property
    def detail_changes(self) -> list[EntityUpdate]:
        return [update for update in self.updates if update.changes_details]

    @property
    def empty(self) -> bool:
        return not self.creates and not self.updates


def plan_import(existing_entities: Iterable[Mapping[str, Any]], rows: Iterable[ListRow],
                authority: Authority, list_date: str, *, file: str = "",
                new_id: Callable[[], str] = new_entity_id) -> ImportPlan:
    """The plan that brings the registry in line with the list.

    `list_date` is the date the authority published the list (YYYY-MM-DD);
    `existing_entities` need only include the entities holding the list's licences.
    """
    by_licence = _index(existing_entities, authority.key)
    plan = ImportPlan(authority=authority.key, list_date=list_date, file=file)
    for row in rows:
        entity = by_licence.get(licence_key(authority.key, row.licence))
        if entity is None:
            plan.creates.append(_new_entity(row, authority, list_date, file, new_id()))
            continue
        last = (licence_of(entity, authority.key) or {}).get("last_list_date", "")
        if last and list_date < last:
            plan.older.append(row.row)
            continue
        update = _update(entity, row, authority.key, list_date, file)
        if update is not None:
            plan.updates.append(update)
    return plan


def _index(entities: Iterable[Mapping[str, Any]], authority: str) -> dict[str, Mapping]:
    found = {}
    for entity in entities:
        for key in licence_keys([lic for lic in entity.get("licences", [])
                                 if lic["authority"] == authority]):
            found[key] = entity
    return found


def _status_entry(row: ListRow, authority: str, list_date: str, file: str) -> dict[str, Any]:
    return {"status": row.status, "since": list_date,
            "source": {"kind": "list", "authority": authority, "list_date": list_date,
                       "file": file, "row": row.row}}


def _new_entity(row: ListRow, authority: Authority, list_date: str, file: str,
                entity_id: str) -> dict[str, Any]:
    kind = authority.licenses[0] if authority.licenses else "other"
    licences = [{"authority": authority.key, "number": row.licence, "last_list_date": list_date}]
    return {"_id": entity_id, "kind": kind, "name": row.name, "aliases": [],
            "country": authority.country, "licences": licences,
            "licence_keys": licence_keys(licences),
            "statuses": [_status_entry(row, authority.key, list_date, file)],
            "address": row.address}


def _update(entity: Mapping[str, Any], row: ListRow, authority: str, list_date: str,
            file: str) -> EntityUpdate | None:
    name = aliases = address = status = None
    if _plain(row.name) != _plain(entity["name"]):
        name = row.name
        aliases = () if entity["name"] in entity.get("aliases", []) else (entity["name"],)
    if row.address is not None and _plain(row.address) != _plain(entity.get("address") or ""):
        address = row.address
    latest = latest_status(entity, authority)
    if latest is None or latest["status"] != row.status:
        status = _status_entry(row, authority, list_date, file)
    last = (licence_of(entity, authority) or {}).get("last_list_date", "")
    if name is None and address is None and status is None and last == list_date:
        return None
    return EntityUpdate(entity_id=entity["_id"], revision=int(entity.get("revision", 0)),
                        row=row.row, name=name, add_aliases=aliases or (), address=address,
                        status=status, list_date=max(last, list_date))


def _plain(text: str) -> str:
    """Names and addresses compared as people read them: case and spacing aside."""
    return " ".join(text.split()).casefold()
