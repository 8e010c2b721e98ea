"""A generated dataset for the export, indicator and report tests, stored as intake stores it.

Cases are filed on the shipped Malaysian and Singaporean forms, their sensitive
answers sealed with the app's key, and inserted through the case repository. Each
case carries planted identifying values (name, phone, passport, e-mail, city) that
a pseudonymised export must never hold, and its narrative repeats them, together
with a spreadsheet formula, the way a reporter might type them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.unit.exports.export_factories import _timeline, make_case

ACTS = ["unpaid_wages", "deductions", "long_hours", "documents_taken", "confined",
        "violence", "recruitment_fees", "debt_bondage", "detained", "discrimination"]
GENDERS = ["woman", "man", "non_binary", "undisclosed", None]
PERPETRATORS = ["EMP_IND", "AGENCY_DEST", "BROKER", "POLICE", "IMMIGRATION"]
STATUSES = ["documented", "undocumented", "overstayed", None]
FORMULA = '=HYPERLINK("http://evil.example/x","click")'


def planted(i: int) -> dict[str, str]:
    """The identifying values of case `i`: each unique, so a leak is unambiguous."""
    return {"full_name": f"Zubaidah Kartika{i:04d}", "phone": f"+60 17-{i:03d} {5000 + i:04d}",
            "passport_number": f"X{7000000 + i}", "email": f"worker{i:04d}@mail.example",
            "city_area": f"Kampung Sungai{i:04d}"}


def case_answers(i: int, rng: random.Random) -> tuple[str, dict[str, Any]]:
    form_id = "my-intake" if i % 3 else "sg-intake"
    secrets = planted(i)
    answers: dict[str, Any] = {
        "destination_country": "MY" if form_id == "my-intake" else "SG",
        "nationality": rng.choice(["ID", "PH", "BD"]),
        "acts": rng.sample(ACTS, rng.randrange(1, 4)),
        "perpetrator_type": rng.sample(PERPETRATORS, rng.randrange(0, 3)),
        "consent_case_work": True, "consent_statistics": rng.random() < 0.8,
        "consent_advocacy": rng.random() < 0.5,
        "narrative": (f"{secrets['full_name']} lives in {secrets['city_area']}. The agent kept "
                      f"passport {secrets['passport_number']}; call {secrets['phone']} or "
                      f"{secrets['email']}."),
        "agency_name": FORMULA if i % 5 == 0 else "Harbour Agency",
        **secrets,
    }
    for key, values in (("gender", GENDERS), ("immigration_status", STATUSES)):
        value = rng.choice(values)
        if value is not None:
            answers[key] = value
    return form_id, answers


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Case documents with opened sensitive answers (as the export cores see them)."""
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        form_id, answers = case_answers(i, rng)
        created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(2 * 365 * 24))
        stage, outcome, events = _timeline(rng, created)
        country = "MY" if form_id == "my-intake" else "SG"
        # A reviewer approved the narrative as written (carelessly: the names are still
        # in it), so pseudonymised outputs carry it, masked again on the way out.
        approved = {"narrative": {"text": answers["narrative"], "by": "u_reviewer",
                                  "at": created}}
        cases.append(make_case(form_id, answers, case_id=f"c_gen{i:05d}",
                               reference=f"{country}-{created.year}-{i + 1:06d}",
                               created_at=created, updated_at=created, stage=stage,
                               outcome=outcome, events=events, approved_texts=approved))
    return cases


def store(svc: Any, cases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seal each case's sensitive answers with the app's key and insert it."""
    stored = []
    for case in cases:
        document = {k: v for k, v in case.items() if k != "sensitive_answers"}
        opened = case.get("sensitive_answers") or {}
        document["sensitive"] = svc.sealer.seal(opened) if opened else None
        svc.cases.insert(document)
        stored.append(case)
    return stored


#: The stages every output counts by default (docs/exports.md, "Counting rules").
COUNTED_STAGES = frozenset({"verified", "follow_up", "closed"})


def counted_cases(cases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases in a stage an output counts by default: verified, followed up, closed."""
    return [c for c in cases if c.get("stage") in COUNTED_STAGES]


def statistics_cases(cases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases counted by default whose reporter consented to anonymous statistics."""
    return consented_to_statistics(counted_cases(cases))


def consented_to_statistics(cases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases whose reporter consented to anonymous statistics, whatever their stage:
    what a mission may read, case by case (listing is not counting)."""
    return [c for c in cases if (c.get("consent") or {}).get("statistics") is True]


#: Cases per stage in `every_stage`: each stage of the lifecycle, duplicates and rejected ones.
STAGE_MIX = {"submitted": 1, "in_review": 2, "needs_info": 1, "verified": 3, "follow_up": 1,
             "closed": 2, "rejected": 2, "duplicate": 2}
EVERY_STAGE_DAY = datetime(2025, 3, 1, 9, tzinfo=UTC)


def every_stage(seed: int = 3) -> list[dict[str, Any]]:
    """Malaysian cases filed on one day, in every stage (see `STAGE_MIX`).

    Every reporter consented to anonymous statistics except one verified case's; the
    duplicates name the first verified case as their original.
    """
    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    for stage, n in STAGE_MIX.items():
        for _ in range(n):
            i = len(cases)
            _, answers = case_answers(i, rng)
            answers.update(destination_country="MY", consent_statistics=True)
            cases.append(make_case("my-intake", answers, case_id=f"c_stage{i:03d}",
                                   reference=f"MY-2025-{900 + i:06d}",
                                   created_at=EVERY_STAGE_DAY, updated_at=EVERY_STAGE_DAY,
                                   stage=stage, outcome="resolved" if stage == "closed" else None))
    verified = [c for c in cases if c["stage"] == "verified"]
    verified[1]["consent"] = {**verified[1]["consent"], "statistics": False}
    for case in cases:
        if case["stage"] == "duplicate":
            case["duplicate_of"] = verified[0]["reference"]
    return cases
