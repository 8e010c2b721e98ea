"""Shared inputs for the export tests: shipped forms, case documents, a generated dataset.

Plain functions rather than a conftest, so each test module says what it uses.
Cases are built the way intake builds them (answers split into plain and sensitive,
derived MWC articles, terms, dimensions and consent), with the sensitive answers
already opened, as an export job hands them to the cores.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from forms.answers import derive_case_fields, split_sensitive
from forms.compiler import compile_form
from forms.schema import FormDefinition
from forms.shipped import shipped_sources

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
GENDERS = ["woman", "man", "non_binary", "other", "undisclosed", None]
STATUSES = ["documented", "undocumented", "overstayed", "absconding_reported", None]
PERPETRATORS = ["EMP_IND", "EMP_FAM", "AGENCY_DEST", "BROKER", "POLICE", "IMMIGRATION"]
OUTCOMES = ["resolved", "referred", "unresolved", "withdrawn"]
ARTICLES = [1, 8, 10, 11, 14, 16, 21, 22, 25, 28, 39, 49, 52, 54, 66, 68]


@functools.cache
def shipped(form_id: str) -> FormDefinition:
    return compile_form(form_id, shipped_sources()).unwrap()


def make_case(form_id: str, answers: dict[str, Any], *, version: int = 1,
              case_id: str = "c_1", reference: str | None = None,
              **overrides: Any) -> dict[str, Any]:
    """A case document filed on a shipped form, its sensitive answers opened."""
    definition = shipped(form_id)
    plain, sensitive = split_sensitive(definition, answers)
    case = {
        "_id": case_id, "reference": reference or f"{definition.country}-2026-000001",
        "country": definition.country,
        "form": {"id": form_id, "version": version, "hash": definition.definition_hash()},
        "language": definition.default_language, "answers": plain,
        "sensitive": "gAAAA-sealed" if sensitive else None, "sensitive_answers": sensitive,
        **derive_case_fields(definition, answers),
        "reporter": {"anonymous": True, "user_id": None, "org_id": None},
        "tracking_hash": "h", "stage": "submitted", "version": 1, "outcome": None,
        "events": [{"at": NOW, "actor": "reporter", "from": None, "to": "submitted",
                    "note": "", "kind": "transition"}],
        "created_at": NOW, "updated_at": NOW,
    }
    case.update(overrides)
    return case


def generated_cases(count: int, seed: int = 5) -> Iterator[dict[str, Any]]:
    """Cases with random dimensions, articles, consent and timelines (not from a form).

    Enough of every field is left out or empty to exercise the "not recorded" rows.
    """
    rng = random.Random(seed)
    for i in range(count):
        created = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(3 * 365 * 24))
        stage, outcome, events = _timeline(rng, created)
        dimensions: dict[str, Any] = {
            "gender": rng.choice(GENDERS), "destination_country": rng.choice(["MY", "SG", "HK"]),
            "nationality": rng.choice(["ID", "PH", "BD"]),
            "immigration_status": rng.choice(STATUSES),
            "perpetrator_type": rng.sample(PERPETRATORS, rng.randrange(0, 3)),
        }
        if rng.random() < 0.1:
            dimensions.pop("gender")
        yield {
            "_id": f"c_{i:06d}", "reference": f"XX-2026-{i:06d}", "country": "MY",
            "form": {"id": "my-intake", "version": 1},
            "mwc": sorted(rng.sample(ARTICLES, rng.randrange(0, 4))),
            "dimensions": dimensions, "consent": _consent(rng),
            "stage": stage, "outcome": outcome, "events": events, "created_at": created,
        }


def _consent(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.05:
        return {}
    return {"case_work": True, "statistics": roll > 0.25, "advocacy": roll > 0.6}


def _timeline(rng: random.Random,
              created: datetime) -> tuple[str, str | None, list[dict[str, Any]]]:
    events = [{"at": created, "to": "submitted", "kind": "transition"},
              {"at": created + timedelta(hours=1), "to": "in_review", "kind": "transition"}]
    roll = rng.random()
    if roll < 0.3:
        return "in_review", None, events
    verified = created + timedelta(hours=rng.randrange(2, 60 * 24))
    events.append({"at": verified, "to": "verified", "kind": "transition"})
    if roll < 0.6:
        return "verified", None, events
    closed = verified + timedelta(hours=rng.randrange(1, 90 * 24))
    events.append({"at": closed, "to": "closed", "kind": "transition"})
    if roll < 0.65:  # reopened and still open: it has not closed
        events.append({"at": closed + timedelta(days=2), "to": "in_review",
                       "kind": "transition"})
        return "in_review", None, events
    if roll < 0.7:  # reopened, then closed again later
        events.append({"at": closed + timedelta(days=3), "to": "in_review",
                       "kind": "transition"})
        closed = closed + timedelta(days=10)
        events.append({"at": closed, "to": "closed", "kind": "transition"})
    return "closed", rng.choice(OUTCOMES), events


# --- what the database would answer, and what the answer must be --------------------


MISSING = object()


def field_value(case: dict[str, Any], path: str) -> Any:
    """The value at a dotted path, or a marker when a part is missing."""
    value: Any = case
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def group_like_mongo(cases: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """What `pipelines.count_by(..., keys)` returns for these (already matched) cases."""
    from exports.pipelines import GROUP_FIELDS

    counts: dict[tuple[Any, ...], int] = {}
    shapes: dict[tuple[Any, ...], dict[str, Any]] = {}
    for case in cases:
        group_id = {k: v for k in keys
                    if (v := field_value(case, GROUP_FIELDS[k][1:])) is not MISSING}
        frozen = tuple(sorted((k, repr(v)) for k, v in group_id.items()))
        counts[frozen] = counts.get(frozen, 0) + 1
        shapes[frozen] = group_id
    return [{"_id": shapes[k], "n": n} for k, n in counts.items()]


def expected_violations(cases: list[dict[str, Any]], row: Any, column: Any,
                        countable: set[int] | None = None) -> dict[tuple[Any, Any], int]:
    """Counted case by case: one violation per case per article, plain loops.

    `row` and `column` take a case and an article and give a key or a list of keys.
    """
    counts: dict[tuple[Any, Any], int] = {}
    for case in cases:
        for article in set(case["mwc"]):
            if countable is not None and article not in countable:
                continue
            for r in _listed(row(case, article)):
                key = (r, column(case, article))
                counts[key] = counts.get(key, 0) + 1
    return counts


def _listed(value: Any) -> list[Any]:
    if isinstance(value, list):
        return list(dict.fromkeys(value)) or [None]
    return [value]


def expected_median(values: list[float]) -> float | None:
    """The middle value (or the mean of the two middle ones), by sorting."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return round(ordered[middle], 1)
    return round((ordered[middle - 1] + ordered[middle]) / 2, 1)


def expected_durations(cases: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    to_verification, to_closure = [], []
    for case in cases:
        verified = [e["at"] for e in case["events"] if e["to"] == "verified"]
        closed = [e["at"] for e in case["events"] if e["to"] == "closed"]
        if verified:
            to_verification.append((min(verified) - case["created_at"]).total_seconds() / 86400)
        if closed and case["stage"] == "closed":
            to_closure.append((max(closed) - case["created_at"]).total_seconds() / 86400)
    return expected_median(to_verification), expected_median(to_closure)
