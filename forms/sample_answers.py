"""Invented but valid answers to any form definition, for the demo and the benchmarks.

Pure: takes a definition and a `random.Random`, returns answers shaped like the
built form's `answers()`, so the same seed always gives the same cases. Every
person, employer and place here is invented.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from forms.answers import visible_answers
from forms.mwc import load_taxonomy
from forms.schema import Field, FormDefinition
from forms.vocabulary import YES_NO_ANSWERS

COUNTRIES = ("MY", "SG", "HK", "KR", "SA", "AE", "QA", "TH", "PH", "ID", "BD", "NP", "IN", "LK",
             "MM", "KH", "VN")
NAMES = ("Siti Aminah", "Rina Dewi", "Maria Santos", "Joy Dela Cruz", "Rahim Uddin",
         "Ram Bahadur Thapa", "Nguyen Thi Lan", "Sok Dara", "Aye Aye Win", "Kumari Perera")
EMPLOYERS = ("Harbourview Furniture Sdn Bhd", "Lim household", "Golden Crane Construction",
             "Al Noor Cleaning Services", "Green Valley Farm", "Pearl Marine Fisheries")
PLACES = ("Shah Alam", "Jurong West", "Tsuen Wan", "Ansan", "Riyadh", "Bangkok")
#: How often, against an ordinary answer, a generated case shows a danger sign (a choice
#: carrying a flag, detention, a minor). Drawn evenly they marked more than half the
#: demo cases urgent; at this weight a realistic few are (tests/web/test_demo.py).
RARE_WEIGHT = 0.12
#: Stored values as rare as a danger flag: held in detention, and the minors' age bands.
RARE_VALUES = frozenset({"in_detention", "under_15", "15-17"})
NARRATIVES = (
    "The agency kept my passport and I was paid less than the contract said.",
    "I worked every day without a rest day and the employer took my phone.",
    "I was arrested in a raid on the hostel and held for weeks without seeing a judge.",
    "My employer stopped paying wages for three months and threatened to report me.",
    "I was injured at work and the supervisor told me to say it happened at the dormitory.",
)


def sample_answers(definition: FormDefinition, rng: random.Random) -> dict[str, Any]:
    """One plausible, valid set of answers; questions hidden by `show_if` are left out."""
    answers: dict[str, Any] = {}
    for field in definition.fields():
        if field.type == "file" or (not field.required and rng.random() < 0.25):
            continue
        value = _value(field, rng)
        if value is not None:
            answers[field.id] = value
    for field in definition.fields():
        if field.consent == "case_work":
            answers[field.id] = True
    return visible_answers(definition, answers)


def _value(field: Field, rng: random.Random) -> Any:
    maker = _MAKERS.get(field.type)
    return maker(field, rng) if maker else None


def _text(field: Field, rng: random.Random) -> str:
    pool = {"name": NAMES, "location": PLACES}.get(field.personal or "", None)
    if pool is None and "employer" in field.id:
        pool = EMPLOYERS
    text = rng.choice(pool) if pool else rng.choice(PLACES)
    return text[: int(field.max)] if field.max else text


def _number(field: Field, rng: random.Random) -> int:
    low = int(field.min) if field.min is not None else 0
    high = int(field.max) if field.max is not None else low + 40
    return rng.randint(low, max(low, high))


def _date(field: Field, rng: random.Random) -> str:
    return (date(2026, 11, 1) - timedelta(days=rng.randint(1, 700))).isoformat()


def _weight(choice: Any) -> float:
    return RARE_WEIGHT if choice.flag or choice.value in RARE_VALUES else 1.0


def _choice(field: Field, rng: random.Random) -> str:
    return rng.choices(field.choices, [_weight(c) for c in field.choices])[0].value


def _multichoice(field: Field, rng: random.Random) -> list[str]:
    pool = list(field.choices)
    limit = min(len(pool), int(field.max) if field.max else 3, 3)
    picked = []
    for _ in range(rng.randint(1, max(1, limit))):  # weighted, without replacement
        choice = rng.choices(pool, [_weight(c) for c in pool])[0]
        pool.remove(choice)
        picked.append(choice.value)
    return picked


def _mwc(field: Field, rng: random.Random) -> list[str]:
    codes = sorted(load_taxonomy().violation_codes())
    return [f"MWC-{n}" for n in sorted(rng.sample(codes, rng.randint(1, 3)))]


_MAKERS = {
    "text": _text,
    "textarea": lambda field, rng: rng.choice(NARRATIVES),
    "integer": _number,
    "decimal": lambda field, rng: f"{_number(field, rng)}.00",
    "date": _date,
    "boolean": lambda field, rng: rng.random() < 0.5,
    "yesno": lambda field, rng: rng.choice(YES_NO_ANSWERS),
    "choice": _choice,
    "multichoice": _multichoice,
    "country": lambda field, rng: rng.choice(COUNTRIES),
    "email": lambda field, rng: f"worker{rng.randint(1, 999)}@example.org",
    "phone": lambda field, rng: f"+60 12 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
    "mwc": _mwc,
}
