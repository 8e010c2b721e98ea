"""Shared inputs for the workflow unit tests: the shipped configuration and cases.

Plain functions rather than a conftest, so each test module says what it uses.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def shipped_stage_mapping() -> dict[str, Any]:
    """A fresh copy of the parsed `config/stages.yaml`, safe to mutate."""
    return yaml.safe_load((CONFIG_DIR / "stages.yaml").read_text(encoding="utf-8"))


def shipped_routing_mapping() -> dict[str, Any]:
    """A fresh copy of the parsed `config/routing.yaml`, safe to mutate."""
    return yaml.safe_load((CONFIG_DIR / "routing.yaml").read_text(encoding="utf-8"))


_CASE: dict[str, Any] = {
    "_id": "c_test",
    "reference": "MY-2026-000042",
    "country": "MY",
    "answers": {},
    "mwc": [],
    "dimensions": {"gender": "woman", "nationality": "ID", "destination_country": "MY"},
    "flags": {"risk_to_life": False, "detention": False, "trafficking": False, "minor": False},
    "caseworker_gender": None,
    "stage": "submitted",
    "version": 1,
    "priority": "normal",
    "team": None,
    "duplicate_of": None,
    "possible_duplicates": [],
    "outcome": None,
    "follow_ups": [],
    "events": [],
    "deadlines": {},
}


def make_case(**overrides: Any) -> dict[str, Any]:
    """A case document as described in docs/case-document.md, with `overrides` applied."""
    case = copy.deepcopy(_CASE)
    case.update(overrides)
    return case


def actor(*roles: str, actor_id: str = "u_1") -> dict[str, Any]:
    return {"id": actor_id, "roles": set(roles)}
