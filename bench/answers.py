"""Invented but valid answers to any shipped form, in the language chosen.

Pure: a definition, a language and a `random.Random` give the same answers every
time, so a seed reproduces the whole data set. Every person, employer and place is
invented. Narratives are in the reporter's language (with the person's name and
passport number planted in them, as reporters do), so search terms, masking and
exports meet every script the forms ship in.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from forms.answers import visible_answers
from forms.mwc import load_taxonomy
from forms.schema import Field, FormDefinition
from forms.vocabulary import YES_NO_ANSWERS

COUNTRIES = ("MY", "SG", "HK", "KR", "SA", "AE", "QA", "TH", "PH", "ID", "BD", "NP", "IN",
             "LK", "MM", "KH", "VN")
NAMES = ("Siti Aminah", "Rina Dewi", "Maria Santos", "Joy Dela Cruz", "Rahim Uddin",
         "Ram Bahadur Thapa", "Nguyen Thi Lan", "Sok Dara", "Aye Aye Win", "Kumari Perera",
         "Nurul Huda", "Abdul Karim", "Lakshmi Devi", "Mei Ling", "Fatima Begum")
EMPLOYERS = ("Harbourview Furniture Sdn Bhd", "Lim household", "Golden Crane Construction",
             "Al Noor Cleaning Services", "Green Valley Farm", "Pearl Marine Fisheries")
PLACES = ("Shah Alam", "Jurong West", "Tsuen Wan", "Ansan", "Riyadh", "Bangkok")
STORIES = {
    "en": "{name} says the agency kept passport {passport} and paid less than the contract.",
    "ms": "{name} berkata agensi menyimpan pasport {passport} dan gaji tidak dibayar.",
    "zh-Hans": "{name}说中介扣留了护照{passport}，工资也没有付清。",
    "zh-Hant": "{name}說中介扣留了護照{passport}，工資也沒有付清。",
    "tl": "Sabi ni {name}, kinuha ng ahensya ang pasaporte {passport} at hindi binayaran.",
    "ko": "{name} 씨는 중개업체가 여권 {passport}을 가져갔고 임금을 받지 못했다고 합니다.",
    "ar": "تقول {name} إن الوكالة احتجزت جواز السفر {passport} ولم تدفع الأجر.",
    "id": "{name} mengatakan agen menahan paspor {passport} dan gaji tidak dibayar.",
    "bn": "{name} বলেন এজেন্সি পাসপোর্ট {passport} রেখে দিয়েছে এবং বেতন দেয়নি।",
    "ne": "{name} भन्नुहुन्छ, एजेन्सीले राहदानी {passport} राख्यो र तलब दिएन।",
    "my": "{name} က အေဂျင်စီသည် နိုင်ငံကူးလက်မှတ် {passport} ကို သိမ်းထားပြီး လုပ်ခ မပေးခဲ့ဟု ဆိုသည်။",
    "vi": "{name} cho biết công ty môi giới giữ hộ chiếu {passport} và không trả lương.",
}


def answers_for(definition: FormDefinition, language: str, rng: random.Random,
                person: dict[str, str]) -> dict[str, Any]:
    """One plausible set of answers about `person` (name, passport, employer)."""
    answers: dict[str, Any] = {}
    for field in definition.fields():
        if field.type == "file" or (not field.required and rng.random() < 0.2):
            continue
        value = _value(field, language, rng, person)
        if value is not None:
            answers[field.id] = value
    for field in definition.fields():
        if field.consent:
            answers[field.id] = field.consent == "case_work" or rng.random() < 0.85
    return visible_answers(definition, answers)


def _value(field: Field, language: str, rng: random.Random, person: dict[str, str]) -> Any:
    if field.personal == "name" or field.id == "full_name":
        return person["name"] if field.id == "full_name" else None
    if field.id == "passport_number":
        return person["passport"]
    if "employer" in field.id and field.type == "text":
        return person["employer"]
    if field.type == "textarea":
        story = STORIES.get(language, STORIES["en"]).format(**person)
        return story[: int(field.max)] if field.max else story
    if field.pattern and field.type == "text":
        return None
    maker = _MAKERS.get(field.type)
    return maker(field, rng) if maker else None


def _number(field: Field, rng: random.Random) -> int:
    low = int(field.min) if field.min is not None else 0
    high = int(field.max) if field.max is not None else low + 40
    return rng.randint(low, max(low, high))


def _multichoice(field: Field, rng: random.Random) -> list[str]:
    values = [choice.value for choice in field.choices]
    limit = min(len(values), int(field.max) if field.max else 3, 3)
    return rng.sample(values, rng.randint(1, max(1, limit)))


_CODES = sorted(load_taxonomy().violation_codes())
_MAKERS = {
    "text": lambda field, rng: rng.choice(PLACES)[: int(field.max or 200)],
    "integer": _number,
    "decimal": lambda field, rng: f"{_number(field, rng)}.00",
    "date": lambda field, rng: (date(2026, 11, 1) - timedelta(days=rng.randint(1, 900))
                                ).isoformat(),
    "boolean": lambda field, rng: rng.random() < 0.3,
    # Yes for three in ten, no for half, the rest prefer not to say.
    "yesno": lambda field, rng: rng.choices(YES_NO_ANSWERS, (3, 5, 2))[0],
    "choice": lambda field, rng: rng.choice(field.choices).value,
    "multichoice": _multichoice,
    "country": lambda field, rng: rng.choice(COUNTRIES),
    "email": lambda field, rng: f"worker{rng.randint(1, 999)}@example.org",
    "phone": lambda field, rng: f"+60 12 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
    "mwc": lambda field, rng: [f"MWC-{n}" for n in sorted(rng.sample(_CODES, rng.randint(1, 3)))],
}
