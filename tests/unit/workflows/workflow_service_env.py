"""A case service on a fresh mongomock store, with a clock the test moves, for the
workflow service, sweep and notification tests (imported by module name, like
`workflow_factories`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import mongomock
from workflow_factories import NOW, make_case, shipped_routing_mapping, shipped_stage_mapping

from workflows.case_service import CaseService
from workflows.notifications import NotificationStore, StaffDirectory
from workflows.repository import CaseRepository
from workflows.routing import load_routing_rules
from workflows.stages import load_all_stage_graphs

SECRET = b"identity-secret"
_ids = itertools.count(1)


class Clock:
    """`now` that tests move forward by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Env:
    db: Any
    repo: CaseRepository
    clock: Clock
    notifications: NotificationStore
    service: CaseService
    mailed: list[str]

    def file(self, **overrides: Any) -> dict[str, Any]:
        """Store a submitted case, as intake would, and return it."""
        n = next(_ids)
        fields = {"_id": f"c_{n:06x}", "reference": f"MY-2026-{n:06d}",
                  "created_at": self.clock.now, "updated_at": self.clock.now, "assignee": None,
                  "reporter": {"anonymous": False, "user_id": "u_member", "org_id": "o_1"},
                  "answers": {"narrative": "Majikan menahan pasport saya"},
                  "events": [{"at": self.clock.now, "actor": "u_member", "from": None,
                              "to": "submitted", "note": "", "kind": "transition"}]}
        fields.update(overrides)
        return self.repo.insert(make_case(**fields))

    def routed(self, **overrides: Any) -> dict[str, Any]:
        case = self.file(**overrides)
        return self.service.route(case["_id"])

    def stored(self, case: dict[str, Any]) -> dict[str, Any]:
        return self.repo.get(case["_id"])

    def told(self, user_id: str, **options: Any) -> list[dict[str, Any]]:
        """The user's notifications other than a case reaching their team (which
        routing writes for every case; its own tests read `for_user`)."""
        return [n for n in self.notifications.for_user(user_id, **options)
                if n["kind"] != "new_case"]


REVIEWER = {"id": "u_rev", "roles": ["reviewer"], "org_id": None, "countries": ["MY"]}
OTHER_REVIEWER = {"id": "u_rev2", "roles": ["reviewer"], "org_id": None, "countries": ["MY"]}
SG_REVIEWER = {"id": "u_sg", "roles": ["reviewer"], "org_id": None, "countries": ["SG"]}
COORDINATOR = {"id": "u_coord", "roles": ["coordinator"], "org_id": None, "countries": []}
MEMBER = {"id": "u_member", "roles": ["member"], "org_id": "o_1", "countries": []}
OTHER_MEMBER = {"id": "u_m2", "roles": ["member"], "org_id": "o_2", "countries": []}
MISSION = {"id": "u_mission", "roles": ["mission"], "org_id": None, "countries": ["MY"]}
ADMIN = {"id": "u_admin", "roles": ["admin"], "org_id": None, "countries": []}
STAFF = [REVIEWER, OTHER_REVIEWER, SG_REVIEWER, COORDINATOR, MEMBER, OTHER_MEMBER, MISSION,
         ADMIN]


def make_env(mail: bool = False, now: datetime = NOW) -> Env:
    db = mongomock.MongoClient(tz_aware=True)[f"wf_{next(_ids)}"]
    for person in STAFF:
        db.users.insert_one({"_id": person["id"], "email": f"{person['id']}@example.org",
                             "roles": person["roles"], "countries": person["countries"],
                             "org_id": person["org_id"], "active": True})
    repo = CaseRepository(db)
    repo.ensure_indexes()
    clock = Clock(now)
    rules = load_routing_rules(shipped_routing_mapping())
    directory = StaffDirectory(db, rules)
    mailed: list[str] = []
    notifications = NotificationStore(db, directory, mail=mail, enqueue_mail=mailed.append,
                                      clock=clock)
    notifications.ensure_indexes()
    service = CaseService(repo, load_all_stage_graphs(shipped_stage_mapping()), rules, SECRET,
                          clock, notifier=notifications, staff_check=directory.may_hold)
    return Env(db, repo, clock, notifications, service, mailed)
