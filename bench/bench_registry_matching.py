"""Registry matching: time to find one actor's candidates among 10 000 entities.

    python -m bench.bench_registry_matching [--entities 10000] [--actors 50]

Entities are generated from a fixed seed: agencies and employers in eight countries, named
from Malay, Indonesian, Nepali and Bangladeshi words, most with a legal form, a third with
an alias, agencies with a licence number. Each actor is one entity's name written as a case
would: another legal form, upper case, a letter dropped. Three ways are timed per actor:
`candidates` over every entity the first time (names not yet normalised), the same once
they are (the normalised forms are cached), and blocked: only the entities sharing a
`match_keys` key with the actor, from an index built beforehand (its build time is
printed too). Listed is how often the actor's own entity was among the five candidates. Figures are printed,
not checked. No database is needed.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bench.common import percentiles
from workflows.registry.matching import candidates
from workflows.registry.names import match_keys, normalise_name

SEED = 15
COUNTRIES = ("MY", "ID", "NP", "BD", "QA", "SA", "AE", "SG")
_WORDS = (
    "maju jaya sinar harapan karya mandiri bumi sentosa cahaya abadi mitra sejahtera "
    "tunas muda sri murni indah permai everest himalayan sagarmatha annapurna gorkha "
    "lumbini janakpur kantipur mahalaxmi bishwo sonar bangla padma meghna rupali "
    "jamuna dhaka chittagong sylhet barishal al mana rayyan noor falcon pearl oasis "
    "gulf star lion merlion orchid kenanga melati cempaka seri bintang"
)
WORDS = tuple(_WORDS.split())
SYLLABLES = ("ka", "ri", "ma", "na", "su", "de", "lo", "ta", "bu", "wi", "ra", "ji", "ho", "pe")
GENERIC = ("Manpower", "Overseas", "Global Manpower", "Recruiting Agency", "Services",
           "Human Resources", "Trading", "Employment", "")
LEGAL = ("Sdn Bhd", "Sdn. Bhd.", "Pvt. Ltd.", "Pvt Ltd", "PT", "Ltd", "W.L.L.", "LLC",
         "Pte Ltd", "")


def synthetic_entities(count: int, rng: random.Random) -> list[dict[str, Any]]:
    return [_entity(n, rng) for n in range(count)]


def _entity(n: int, rng: random.Random) -> dict[str, Any]:
    invented = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3))))
    core = " ".join([*rng.sample(WORDS, rng.choice((1, 1, 2))), invented]).title()
    name = " ".join(part for part in (core, rng.choice(GENERIC), rng.choice(LEGAL)) if part)
    kind = rng.choice(("recruitment_agency", "recruitment_agency", "employer", "sub_agent"))
    aliases = [f"{core} {rng.choice(GENERIC)}".strip()] if rng.random() < 0.33 else []
    licences = ([{"authority": rng.choice(("DoFE", "BMET", "BP2MI")),
                  "number": f"{rng.randint(1, 9999)}/0{rng.randint(60, 80)}/{n % 100:02d}"}]
                if kind == "recruitment_agency" else [])
    return {"_id": f"ent_{n:06x}", "kind": kind, "name": name, "aliases": aliases,
            "country": rng.choice(COUNTRIES), "licences": licences}


def as_written(entity: dict[str, Any], rng: random.Random) -> str:
    """The entity's name as a case might give it: a legal form changed, case, a typo."""
    words = normalise_name(entity["name"]).split()
    if len(words[0]) > 4 and rng.random() < 0.5:
        cut = rng.randrange(1, len(words[0]) - 1)
        words[0] = words[0][:cut] + words[0][cut + 1:]
    text = " ".join(words) + " " + rng.choice(LEGAL)
    return text.upper() if rng.random() < 0.5 else text.title()


def build_index(entities: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entity in entities:
        keys = {key for name in [entity["name"], *entity["aliases"]] for key in match_keys(name)}
        for key in keys:
            index[key].append(entity)
    return index


def blocked(index: dict[str, list[dict[str, Any]]], actor: str) -> list[dict[str, Any]]:
    chosen: dict[str, dict[str, Any]] = {}
    for key in match_keys(actor):
        for entity in index.get(key, ()):
            chosen[entity["_id"]] = entity
    return list(chosen.values())


def timed_runs(actors: list[tuple[str, str]],
               run: Callable[[str], list[Any]]) -> tuple[dict[str, float], int]:
    seconds, listed = [], 0
    for actor, wanted in actors:
        started = time.perf_counter()
        found = run(actor)
        seconds.append(time.perf_counter() - started)
        listed += wanted in [candidate.entity_id for candidate in found]
    return percentiles(seconds), listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--actors", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(SEED)
    entities = synthetic_entities(args.entities, rng)
    targets = rng.sample(entities, args.actors)
    actors = [(as_written(e, rng), e["_id"]) for e in targets]

    normalise_name.cache_clear()
    cold_started = time.perf_counter()
    cold = candidates(actors[0][0], entities)
    cold_ms = (time.perf_counter() - cold_started) * 1000
    warm, warm_listed = timed_runs(actors, lambda actor: candidates(actor, entities))
    index_started = time.perf_counter()
    index = build_index(entities)
    index_ms = (time.perf_counter() - index_started) * 1000
    sizes = [len(blocked(index, actor)) for actor, _ in actors]
    block, block_listed = timed_runs(
        actors, lambda actor: candidates(actor, blocked(index, actor)))

    print(f"== registry matching: one actor against {args.entities} entities, "
          f"{args.actors} actors")
    print(f"  all entities, names not yet normalised  {cold_ms:>9.1f} ms  "
          f"(first actor; {len(cold)} candidates)")
    for label, figures, listed in (("all entities, names normalised", warm, warm_listed),
                                   ("blocked by match_keys", block, block_listed)):
        print(f"  {label:<40} p50 {figures['p50_ms']:>8.2f} ms  p95 {figures['p95_ms']:>8.2f}"
              f" ms  own entity listed {listed} of {len(actors)}")
    print(f"  blocking index built in {index_ms:.0f} ms, {len(index)} keys; entities scored "
          f"per actor: median {sorted(sizes)[len(sizes) // 2]}, max {max(sizes)}")


if __name__ == "__main__":
    main()
