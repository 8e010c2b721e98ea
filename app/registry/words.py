"""The registry's codes in the page's language: kinds, statuses, actors, why a candidate
matches, and every problem a link, a new entity, a merge or a split can meet."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from workflows.registry import editing, links, matching, service

KIND_LABELS = {"recruitment_agency": _l("Recruitment agency"),
               "sub_agent": _l("Sub-agent or broker"), "employer": _l("Employer"),
               "other": _l("Other actor")}
STATUS_LABELS = {"licensed": _l("Licensed"), "suspended": _l("Licence suspended"),
                 "revoked": _l("Licence revoked"), "blacklisted": _l("Blacklisted"),
                 "expired": _l("Licence expired")}
ACTOR_LABELS = {"agency": _l("Agency or broker"), "employer": _l("Employer"),
                "other": _l("Other actor")}
REASON_LABELS = {
    matching.LICENCE: _l("same licence number"),
    matching.NAME: _l("name alike"),
    matching.ALIAS: _l("alias alike"),
    matching.COUNTRY: _l("same country"),
    matching.OTHER_COUNTRY: _l("another country"),
}
PROBLEM_LABELS = {
    links.UNKNOWN_ACTOR: _l("Choose whether the entity is the agency, the employer or another actor."),
    links.UNKNOWN_QUESTION: _l("The answer named is not one that names an actor."),
    links.ALREADY_LINKED: _l("This entity is already linked to the case as this actor."),
    links.NOT_LINKED: _l("This entity is not linked to the case as this actor."),
    links.TOO_MANY: _l("The case already has as many links as it can hold."),
    links.ENTITY_MISSING: _l("There is no such entity in the registry."),
    links.ENTITY_MERGED: _l("This entity was merged into another: link that one."),
    editing.KIND_UNKNOWN: _l("Choose the kind of entity."),
    editing.NAME_MISSING: _l("Give the entity's name."),
    editing.NAME_TOO_LONG: _l("A name is at most 200 characters."),
    editing.COUNTRY_INVALID: _l("Choose the entity's country."),
    editing.AUTHORITY_MISSING: _l("Say which authority gave the licence number."),
    editing.AUTHORITY_UNKNOWN: _l("The authority is not one the registry knows."),
    editing.LICENCE_MISSING: _l("Give the licence number the authority gave."),
    editing.LICENCE_TAKEN: _l("Another entity already holds this licence: link that one."),
    editing.REASON_MISSING: _l("Say why, for the audit log."),
    editing.REASON_TOO_LONG: _l("The reason is at most 2000 characters."),
    editing.SAME_ENTITY: _l("An entity cannot be merged into itself."),
    editing.ALREADY_MERGED: _l("This entity was already merged into another."),
    editing.TARGET_MERGED: _l("The entity to merge into was itself merged into another."),
    editing.LICENCE_CLASH: _l("Both entities hold a different licence from one authority; "
                              "split one of them first."),
    editing.NOTHING_CHOSEN: _l("Choose at least one alias, licence or case to move."),
    editing.ALIAS_NOT_HELD: _l("An alias chosen is not one of this entity's."),
    editing.LICENCE_NOT_HELD: _l("A licence chosen is not one of this entity's."),
    editing.CASE_NOT_LINKED: _l("A case chosen is not linked to this entity."),
    service.CONFLICT: _l("Someone changed these entities meanwhile. Nothing was saved: "
                         "look at them again and repeat."),
    service.ENTITY_MISSING: _l("There is no such entity in the registry."),
    service.TARGET_MISSING: _l("Choose the entity to merge this one into."),
    service.NOT_ALLOWED: _l("Your role cannot make this change."),
}


def label(labels: dict, code: str | None) -> str:
    """A code's words, or the code itself when it is new."""
    found = labels.get(code)
    return str(found) if found is not None else str(code or "")


def problem_texts(codes: Iterable[str]) -> list[str]:
    return [label(PROBLEM_LABELS, code) for code in dict.fromkeys(codes)]
