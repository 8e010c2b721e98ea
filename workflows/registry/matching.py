"""Candidate registry entities for an actor named in a case, best first.

Pure core: plain entity dicts in, `Candidate`s out; no Flask, Celery, pymongo, mongomock or
wtforms. A reviewer links a case's recruiter or employer to an entity by choosing among
these candidates; nothing here links or creates anything. The list can hold a wrong
candidate but should not miss the right one, so a different country lowers a score
instead of excluding the entity.

Names are compared with rapidfuzz on their normalised forms (`workflows.registry.names`).
Generic words ("Global Manpower", "Overseas Employment") are weighed lightly, so two
agencies that share only those do not look alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from workflows.registry.names import loose_licence_key, normalise_name, significant_tokens

DEFAULT_THRESHOLD = 70.0
DEFAULT_LIMIT = 5
#: Points taken from a name score when the entity is in another country than the actor.
OTHER_COUNTRY_PENALTY = 15.0
#: Share of a name score that comes from the significant words; the rest from all words.
SIGNIFICANT_WEIGHT = 0.8
#: A name whose significant words are all in the other name, plus more ("Maju Jaya" and
#: "Maju Jaya Plantation"), is likely but not certainly the same actor.
SUBSET_FACTOR = 0.85

LICENCE = "licence"
NAME = "name"
ALIAS = "alias"
COUNTRY = "country"
OTHER_COUNTRY = "other_country"


@dataclass(frozen=True)
class Candidate:
    """One entity an actor may be, with why: reason codes `licence` (a licence number is
    the same), `name` or `alias` (which of its names scored best), `country` (the same
    country) or `other_country` (another country, score lowered)."""

    entity_id: str
    score: float
    reasons: tuple[str, ...]


def candidates(actor_name: str, entities: Iterable[Mapping[str, Any]], *,
               licence: str | None = None, authority: str | None = None,
               country: str | None = None, limit: int = DEFAULT_LIMIT,
               threshold: float = DEFAULT_THRESHOLD) -> list[Candidate]:
    """The `limit` entities most likely to be the actor, scoring at least `threshold`.

    An entity holding `licence` (of `authority`, when given) scores 100 and ranks before
    any name match. Ties go by the entity's normalised name, then its id, so the same data
    always gives the same list.
    """
    wanted_licence = loose_licence_key(licence) if licence else ""
    actor = normalise_name(actor_name) if actor_name and actor_name.strip() else ""
    ranked = []
    for entity in entities:
        found = _candidate(entity, actor, wanted_licence, authority, country)
        if found is not None and found.score >= threshold:
            ranked.append((_rank_key(found, entity), found))
    ranked.sort(key=lambda pair: pair[0])
    return [found for _, found in ranked[:max(limit, 0)]]


def name_score(normalised_a: str, normalised_b: str) -> float:
    """How alike two normalised names are, 0 to 100.

    Mostly the significant words: their best of word-order-free ratio, ratio with spaces
    removed ("Majujaya"), and the subset score lowered by `SUBSET_FACTOR`. The rest is
    rapidfuzz's token set ratio of all the words.
    """
    if not normalised_a or not normalised_b:
        return 0.0
    everything = fuzz.token_set_ratio(normalised_a, normalised_b)
    significant_a = " ".join(significant_tokens(normalised_a))
    significant_b = " ".join(significant_tokens(normalised_b))
    if not significant_a or not significant_b:
        if significant_a or significant_b:  # generic words only against a real name
            return SUBSET_FACTOR * fuzz.token_sort_ratio(normalised_a, normalised_b)
        return everything
    significant = max(
        fuzz.token_sort_ratio(significant_a, significant_b),
        fuzz.ratio(significant_a.replace(" ", ""), significant_b.replace(" ", "")),
        SUBSET_FACTOR * fuzz.token_set_ratio(significant_a, significant_b),
    )
    return SIGNIFICANT_WEIGHT * significant + (1 - SIGNIFICANT_WEIGHT) * everything


def _candidate(entity: Mapping[str, Any], actor: str, wanted_licence: str,
               authority: str | None, country: str | None) -> Candidate | None:
    entity_id = str(entity["_id"])
    place = _country_reason(entity, country)
    if wanted_licence and _holds_licence(entity, wanted_licence, authority):
        return Candidate(entity_id, 100.0, (LICENCE,) + place)
    if not actor:
        return None
    score, which = _best_name(entity, actor)
    if OTHER_COUNTRY in place:
        score = max(score - OTHER_COUNTRY_PENALTY, 0.0)
    return Candidate(entity_id, round(score, 1), (which,) + place)


def _best_name(entity: Mapping[str, Any], actor: str) -> tuple[float, str]:
    """The best score among the entity's name and aliases, and which one gave it."""
    best = (name_score(actor, normalise_name(entity.get("name") or "")), NAME)
    for alias in entity.get("aliases") or ():
        if alias and alias.strip():
            score = name_score(actor, normalise_name(alias))
            if score > best[0]:
                best = (score, ALIAS)
    return best


def _holds_licence(entity: Mapping[str, Any], wanted: str, authority: str | None) -> bool:
    for held in entity.get("licences") or ():
        if authority and (held.get("authority") or "").casefold() != authority.casefold():
            continue
        if loose_licence_key(str(held.get("number") or "")) == wanted:
            return True
    return False


def _country_reason(entity: Mapping[str, Any], country: str | None) -> tuple[str, ...]:
    held = (entity.get("country") or "").upper()
    if not country or not held:
        return ()
    return (COUNTRY,) if held == country.upper() else (OTHER_COUNTRY,)


def _rank_key(found: Candidate, entity: Mapping[str, Any]) -> tuple[Any, ...]:
    return (-found.score, LICENCE not in found.reasons,
            normalise_name(entity.get("name") or ""), found.entity_id)
