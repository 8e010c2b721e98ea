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
        cases.append(make_case(form_id, answers, case_id=f"c_gen{i:05d}",
                               reference=f"{country}-{created.year}-{i + 1:06d}",
                               created_at=created, updated_at=created, stage=stage,
                               outcome=outcome, events=events))
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


def statistics_cases(cases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in cases if (c.get("consent") or {}).get("statistics") is True]
