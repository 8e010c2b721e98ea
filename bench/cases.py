"""Generated cases: drawn in filing order (`Planner`), then built by intake's own code (`Builder`).

A case is made in two steps so that the costly one can run in any process:

- `Planner.plan` draws, in filing order and from one `random.Random(seed)`, what
  depends on the cases before it: the form and language, the person (about 4% of
  cases are about a person already reported, with the same name and passport, so
  duplicate keys and possible duplicates occur as in real intake), the reporter,
  the case id, the reference (the country's counter for the year, as
  `CaseRepository.next_reference` hands them out), the tracking code and a seed
  for everything else. It is cheap.
- `Builder.build` turns a `Plan` into the stored document: answers invented for the
  form and language (`bench.answers`), `workflows.intake.build_case` (derived fields,
  sealed answers, duplicate keys), then, like the routing task, the route
  transition with team, priority, possible duplicates and search terms, and some
  way along the stage machine (request/provide info, verify, reject, mark as
  duplicate, follow-ups, close). It draws only from the plan's own seed, so the same
  plan gives the same case in whichever process builds it.

Fernet tokens carry a random IV, so sealed bytes differ between runs; everything else
is the same for the same seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from bench.answers import EMPLOYERS, NAMES, answers_for
from bench.common import DATA_KEY, identity_secret
from config.settings import load_settings
from forms.schema import FormDefinition
from forms.store import FormStore
from workflows.deadlines import deadline_fields
from workflows.intake import FormRecord, build_case
from workflows.routing import RoutingRules, decide_route
from workflows.sealing import Sealer
from workflows.search_terms import search_terms
from workflows.stages import apply_transition
from workflows.tracking import code_hash
from workflows.workflow_config import load_workflow_config

START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 1400
#: When the last generated case is filed: the benchmarks' "now" for the case lists.
DATA_END = START + timedelta(days=SPAN_DAYS)
#: People the planner may report again (`Planner.person`).
KNOWN_PEOPLE = 2000
SYSTEM = {"id": "system", "roles": ["system"]}
REVIEWER = {"id": "u_bench_reviewer", "roles": ["reviewer"]}
OUTCOMES = ("resolved", "referred", "unresolved", "withdrawn")

Forms = list[tuple[FormDefinition, FormRecord]]


def published_forms(db: Database, publish: bool = True) -> Forms:
    """The shipped country forms as published in `db` (published first when `publish`)."""
    store = FormStore(db)
    if publish:
        store.publish_shipped(actor="system")
    forms = []
    for latest in sorted(store.list_latest(), key=lambda r: r["form_id"]):
        definition = store.definition(latest["form_id"], latest["version"])
        if definition.country:
            forms.append((definition, FormRecord(latest["form_id"], latest["version"],
                                                 latest["hash"])))
    return forms


@dataclass(frozen=True)
class Plan:
    """What one case takes from the cases filed before it; the rest comes from `seed`."""

    form: int
    language: str
    person: dict[str, str]
    earlier: tuple[str, datetime] | None  # (reference, filed) of the person's first case
    reporter: dict[str, Any]
    case_id: str
    reference: str
    tracking_hash: str
    filed: datetime
    seed: int


class Planner:
    """Draws the plans in filing order; holds the reference counters it hands out."""

    def __init__(self, forms: Forms, seed: int) -> None:
        self.forms = [(definition.country, tuple(definition.languages))
                      for definition, _ in forms]
        self.rng = random.Random(seed)
        self.sequences: dict[str, int] = {}
        self.people: list[dict[str, Any]] = []

    def plan(self, filed: datetime) -> Plan:
        rng = self.rng
        form = rng.randrange(len(self.forms))
        country, languages = self.forms[form]
        person = self.person()
        reference = self.reference(country, filed.year)
        earlier = person.setdefault("first", (reference, filed))
        return Plan(form=form, language=rng.choice(languages),
                    person={k: person[k] for k in ("name", "passport", "employer")},
                    earlier=None if earlier[0] == reference else earlier,
                    reporter=self.reporter(), case_id=f"c_{rng.getrandbits(96):024x}",
                    reference=reference,
                    tracking_hash=code_hash(f"{rng.getrandbits(64):016X}"),
                    filed=filed, seed=rng.getrandbits(64))

    def plans(self, count: int) -> Any:
        """`count` plans, filed evenly over `SPAN_DAYS` from `START`."""
        step = timedelta(days=SPAN_DAYS) / max(count, 1)
        return (self.plan(START + step * i) for i in range(count))

    def person(self) -> dict[str, Any]:
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


class Builder:
    """Plans into case documents: forms, stage graphs, routing rules and sealer loaded once."""

    def __init__(self, forms: Forms) -> None:
        self.forms = forms
        config = load_workflow_config(load_settings({}))
        self.graphs, self.rules = config.graphs, config.rules
        self.sealer, self.secret = Sealer(DATA_KEY), identity_secret()

    def build(self, plan: Plan, stage_walk: bool = True) -> dict[str, Any]:
        rng = random.Random(plan.seed)
        definition, record = self.forms[plan.form]
        answers = answers_for(definition, plan.language, rng, plan.person)
        case = build_case(definition=definition, form_record=record, answers=answers,
                          language=plan.language, reporter=plan.reporter,
                          sealer=self.sealer, identity_secret=self.secret, now=plan.filed,
                          case_id=plan.case_id, reference=plan.reference,
                          tracking_hash=plan.tracking_hash, attachments=[])
        return Walk(self.graphs, self.rules, rng).through(case, plan) if stage_walk else case


class Walk:
    """One case routed as the routing task routes it, then taken some way along the stages."""

    def __init__(self, graphs: dict[Any, Any], rules: RoutingRules, rng: random.Random) -> None:
        self.graphs, self.rules, self.rng = graphs, rules, rng

    def through(self, case: dict[str, Any], plan: Plan) -> dict[str, Any]:
        graph = self.graphs.get(case["country"]) or self.graphs[None]
        at = plan.filed + timedelta(minutes=self.rng.randint(1, 30))
        self.route(case, graph, plan, at)
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

    def route(self, case: dict[str, Any], graph: Any, plan: Plan, at: datetime) -> None:
        """What `CaseService.route` writes; the possible duplicate is the person's first
        case when it was filed within the routing rules' window."""
        decision = decide_route(case, self.rules)
        earlier = plan.earlier
        duplicates = ([earlier[0]] if earlier and earlier[1] >= self.rules.duplicates_since(
            plan.filed) else [])
        result = apply_transition(case, "route", SYSTEM, {}, at, graph)
        event = {**result.event, "data": {"team": decision.team, "priority": decision.priority,
                                          "reasons": list(decision.reasons),
                                          "possible_duplicates": duplicates}}
        case.update(result.changes, team=decision.team, priority=decision.priority,
                    possible_duplicates=duplicates, caseworker_gender=decision.caseworker_gender,
                    search_terms=search_terms(case),
                    routing={"routed_at": at, "team": decision.team},
                    **deadline_fields(result.changes["deadlines"]))
        case["events"].append(event)
        case["version"] += 1

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
