"""Fill a benchmark database with realistic cases, reproducibly and fast.

    python -m bench.generate --cases 10000 --seed 1 [--uri mongodb://…] [--db mrvrs_bench]

Cases go through the project's own code: the shipped forms are published with
`FormStore.publish_shipped`, answers are invented per form and language, and
`workflows.intake.build_case` derives the case fields (MWC articles, terms,
dimensions, flags, consent), seals the sensitive answers with `Sealer` and makes
the duplicate keys. Each case then walks the stage machine (`apply_transition`
with the country's graph: route, request/provide info, verify, reject, mark as
duplicate, follow-ups, close) so stages, events, deadlines and follow-ups agree.
About 4% of cases are about a person already reported (same name and passport),
so duplicate keys and possible duplicates occur as in real intake.

Documents are written with `insert_many` in batches: one round trip per batch is
what makes a million cases practical on FerretDB. The routed cases are put in the
duplicate-key table (`case_duplicate_keys`) as routing puts them, also with
`insert_many` (`KeyTable`): a key is held until no later case can carry it, so each
is written once, and no update has to find a stored key (on FerretDB with SQLite even
a read by `_id` scans the table). Indexes are made first, by the
stores' own `ensure_indexes`, so the figures include their upkeep as the app's
writes do. Fernet tokens carry a random IV, so sealed bytes differ between runs;
everything else is the same for the same seed.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from bench.answers import EMPLOYERS, NAMES, answers_for
from bench.common import DATA_KEY, database, identity_secret
from config.settings import load_settings
from forms.store import FormStore
from workflows.deadlines import deadline_fields
from workflows.duplicate_index import DuplicateKeyIndex, entry, keys_of
from workflows.intake import FormRecord, build_case
from workflows.repository import CaseRepository
from workflows.routing import decide_route
from workflows.sealing import Sealer
from workflows.search_terms import search_terms
from workflows.stages import apply_transition
from workflows.tracking import code_hash
from workflows.workflow_config import load_workflow_config

BATCH = 500
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 1400
#: People the generator may report again (`Generator.person`), and how many cases a
#: key is held before it is written: more than those people's cases.
KNOWN_PEOPLE = 2000
HOLD_CASES = 3000
SYSTEM = {"id": "system", "roles": ["system"]}
REVIEWER = {"id": "u_bench_reviewer", "roles": ["reviewer"]}
OUTCOMES = ("resolved", "referred", "unresolved", "withdrawn")


class Generator:
    """Everything loaded once: forms, the stage graphs, the routing rules, the sealer."""

    def __init__(self, db: Database, seed: int) -> None:
        store = FormStore(db)
        store.publish_shipped(actor="system")
        self.forms = []
        for latest in sorted(store.list_latest(), key=lambda r: r["form_id"]):
            definition = store.definition(latest["form_id"], latest["version"])
            if definition.country:
                record = FormRecord(latest["form_id"], latest["version"], latest["hash"])
                self.forms.append((definition, record))
        config = load_workflow_config(load_settings({}))
        self.graphs, self.rules = config.graphs, config.rules
        self.sealer, self.secret = Sealer(DATA_KEY), identity_secret()
        self.rng = random.Random(seed)
        self.sequences: dict[str, int] = {}
        self.people: list[dict[str, str]] = []

    def person(self) -> dict[str, str]:
        """A new person, or (4%) one already reported: a duplicate to be found."""
        rng = self.rng
        if self.people and rng.random() < 0.04:
            return rng.choice(self.people)
        person = {"name": f"{rng.choice(NAMES)} {rng.randint(1, 99999)}",
                  "passport": f"{rng.choice('ABCNPK')}{rng.randint(1000000, 9999999)}",
                  "employer": rng.choice(EMPLOYERS)}
        self.people.append(person)
        del self.people[:-KNOWN_PEOPLE]
        return person

    def case(self, now: datetime, *, stage_walk: bool = True) -> dict[str, Any]:
        rng = self.rng
        definition, record = rng.choice(self.forms)
        language = rng.choice(definition.languages)
        person = self.person()
        answers = answers_for(definition, language, rng, person)
        case = build_case(definition=definition, form_record=record, answers=answers,
                          language=language, reporter=self.reporter(), sealer=self.sealer,
                          identity_secret=self.secret, now=now,
                          case_id=f"c_{rng.getrandbits(96):024x}",
                          reference=self.reference(definition.country, now.year),
                          tracking_hash=code_hash(f"{rng.getrandbits(64):016X}"),
                          attachments=[])
        earlier = person.setdefault("reference", case["reference"])
        if earlier != case["reference"]:
            case["possible_duplicates"] = [earlier]
        return self.walk(case, now) if stage_walk else case

    def reporter(self) -> dict[str, Any]:
        roll = self.rng.random()
        if roll < 0.6:
            return {}
        return {"user_id": f"u_bench_{self.rng.randint(1, 200):03d}",
                "org_id": f"o_bench_{self.rng.randint(1, 20):02d}" if roll < 0.9 else None}

    def reference(self, country: str, year: int) -> str:
        key = f"{country}-{year}"
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return f"{key}-{self.sequences[key]:06d}"

    def walk(self, case: dict[str, Any], filed: datetime) -> dict[str, Any]:
        """Route the case as the worker does, then take it some way along the stages."""
        graph = self.graphs.get(case["country"]) or self.graphs[None]
        decision = decide_route(case, self.rules)
        at = filed + timedelta(minutes=self.rng.randint(1, 30))
        self.step(case, graph, "route", SYSTEM, {}, at)
        duplicates = case["possible_duplicates"]
        case.update(team=decision.team, priority=decision.priority,
                    possible_duplicates=duplicates,
                    caseworker_gender=decision.caseworker_gender,
                    search_terms=search_terms(case), routing={"requested_at": None,
                                                              "routed_at": at})
        for name, data in self.path(case):
            at += timedelta(days=self.rng.randint(1, 20))
            if name == "close":
                self.finish_follow_ups(case, at)
            self.step(case, graph, name, REVIEWER, data, at)
            if name == "start_follow_up":
                self.add_follow_up(case, at)
        if case["stage"] not in ("submitted", "closed", "rejected", "duplicate"):
            case["assignee"] = REVIEWER["id"] if self.rng.random() < 0.5 else None
        return case

    def path(self, case: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Which transitions this case has been through (stage mix of a working network)."""
        roll = self.rng.random()
        info = [("request_info", {"note": "Please send the contract."}),
                ("provide_info", {"note": "Contract attached."})] if roll < 0.3 else []
        if roll < 0.25:
            return []                                           # still in review
        if roll < 0.32:
            return info[:1]                                     # waiting for information
        if roll < 0.40:
            return [*info, ("reject", {"reason": "Outside the network's mandate."})]
        if case["possible_duplicates"] and roll < 0.7:
            return [("mark_duplicate", {"duplicate_of": case["possible_duplicates"][0]})]
        verified = [*info, ("verify", {})]
        if roll < 0.55:
            return verified
        if roll < 0.75:
            return [*verified, ("start_follow_up", {})]
        outcome = self.rng.choice(OUTCOMES)
        return [*verified, ("start_follow_up", {}), ("close", {"outcome": outcome})]

    def step(self, case: dict[str, Any], graph: Any, name: str, actor: dict[str, Any],
             data: dict[str, Any], at: datetime) -> None:
        result = apply_transition(case, name, actor, data, at, graph)
        case.update(result.changes)
        case.update(deadline_fields(result.changes["deadlines"]))
        case["events"].append(result.event)
        case["version"] += 1

    def add_follow_up(self, case: dict[str, Any], at: datetime) -> None:
        due = at + timedelta(days=30)
        case["follow_ups"].append({
            "id": f"f_{self.rng.getrandbits(64):016x}", "type": "legal_aid_referral",
            "responsible_org": "Harbour Workers Aid", "due": due.date().isoformat(),
            "due_at": due, "status": "planned", "result": "", "created_at": at,
            "created_by": REVIEWER["id"], "updated_at": at, "updated_by": REVIEWER["id"]})
        case["follow_up_due_at"] = due

    def finish_follow_ups(self, case: dict[str, Any], at: datetime) -> None:
        for action in case["follow_ups"]:
            action.update(status="done", result="Done.", updated_at=at)
        case["follow_up_due_at"] = None

    def batches(self, count: int, **options: Any) -> Iterator[list[dict[str, Any]]]:
        """Cases in filing order, evenly over `SPAN_DAYS`, `BATCH` at a time."""
        step = timedelta(days=SPAN_DAYS) / max(count, 1)
        batch: list[dict[str, Any]] = []
        for i in range(count):
            batch.append(self.case(START + step * i, **options))
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def save_sequences(self, db: Database) -> None:
        """Leave the reference counters where the data ends, so real intake goes on."""
        for key, seq in self.sequences.items():
            db.case_counters.update_one({"_id": key}, {"$max": {"seq": seq}}, upsert=True)


class KeyTable:
    """The duplicate-key table of the generated routed cases, written in bulk.

    A key's entries are held until `HOLD_CASES` cases have passed without it (a person
    is reported again only while among the last `KNOWN_PEOPLE`), then written with the
    other ready keys in one `insert_many` (`DuplicateKeyIndex.add_entries`); a key
    stored already, by chance or by an earlier run, is merged under its claim.
    """

    def __init__(self, index: DuplicateKeyIndex) -> None:
        self.index = index
        self.seen = 0
        self.held: dict[str, tuple[int, list[dict[str, Any]]]] = {}

    def add(self, cases: list[dict[str, Any]]) -> None:
        for case in cases:
            self.seen += 1
            item = entry(case)
            if case["stage"] == "submitted" or item is None:
                continue
            for key in keys_of(case):
                self.held[key] = (self.seen, [*self.held.get(key, (0, []))[1], item])
        self.flush(older_than=HOLD_CASES)

    def flush(self, older_than: int = 0) -> None:
        ready = {key: items for key, (last, items) in self.held.items()
                 if last <= self.seen - older_than}
        self.index.add_entries(ready)
        for key in ready:
            del self.held[key]


def generate(db: Database, count: int, seed: int) -> float:
    """Fill `db` with `count` cases; returns cases per second."""
    repository = CaseRepository(db)
    repository.ensure_indexes()
    generator = Generator(db, seed)
    started = time.perf_counter()
    table = KeyTable(repository.duplicate_keys)
    for batch in generator.batches(count):
        db.cases.insert_many(batch, ordered=False)
        table.add(batch)
    table.flush()
    generator.save_sequences(db)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--uri", default=None)
    parser.add_argument("--db", default="mrvrs_bench")
    options = parser.parse_args()
    rate = generate(database(options.uri, options.db), options.cases, options.seed)
    print(f"generated {options.cases} cases in {options.db}: {rate:.0f} cases/s")


if __name__ == "__main__":
    main()
