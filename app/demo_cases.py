"""Generated demo cases for `mrvrs run --demo`: a few hundred, through the real path.

Each case is filed with `submit_case` on a shipped country form in one of its
languages, routed by the case service, and a share of them taken further (asked
for information, verified, followed up, closed) as a coordinator, so every screen,
queue and indicator has something to show. Same seed, same cases.

Each case is routed and moved on at its own (past) time, through the service's clock,
so its deadlines fall where they would have: most old cases are closed, and the few
left open show as overdue in the queue, as in a real caseload.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from forms.sample_answers import sample_answers
from workflows.intake import FormRecord, submit_case

DEMO_CASES = 300
#: Cases filed longer ago than this are mostly finished.
SETTLED_AFTER = timedelta(days=120)
OUTCOMES = ("resolved", "referred", "unresolved", "withdrawn")


def seed_cases(svc, actor: dict, member_org: str | None, count: int = DEMO_CASES,
               seed: int = 2026) -> int:
    """File and move `count` cases; returns how many were filed."""
    rng = random.Random(seed)
    forms = [record for record in svc.forms.list_latest() if record.get("country")]
    now = datetime.now(UTC)
    clocks = (svc.workflow.clock, svc.notifications.clock)
    try:
        for _ in range(count):
            _file_one(svc, forms, actor, member_org, rng, now)
    finally:
        svc.workflow.clock, svc.notifications.clock = clocks
    return count


def _file_one(svc, forms: list, actor: dict, member_org: str | None, rng: random.Random,
              now: datetime) -> None:
    """File one case at a random past moment, route it then, and move it on."""
    record = rng.choice(forms)
    definition = svc.forms.definition(record["form_id"], record["version"])
    reporter = {"user_id": None, "org_id": member_org} if rng.random() < 0.3 else {}
    days = rng.randint(0, 30) if rng.random() < 0.25 else rng.randint(0, 700)  # this month's
    filed = now - timedelta(days=days, minutes=rng.randint(0, 1440))
    _set_clock(svc, filed + timedelta(minutes=2))
    case, _code = submit_case(
        definition=definition,
        form_record=FormRecord(record["form_id"], record["version"], record["hash"]),
        answers=sample_answers(definition, rng), files=None,
        language=rng.choice(definition.languages), reporter=reporter, repo=svc.cases,
        sealer=svc.sealer, attachments_store=svc.attachments,
        identity_secret=svc.identity_secret,
        now=filed)
    routed = svc.workflow.route(case["_id"])
    _set_clock(svc, filed + timedelta(days=rng.randint(1, 12)))
    settled = now - filed > SETTLED_AFTER and rng.random() < 0.96
    _advance(svc.workflow, routed, actor, rng, settled)


def _set_clock(svc, moment: datetime) -> None:
    svc.workflow.clock = svc.notifications.clock = lambda: moment


def _advance(workflow, case: dict | None, actor: dict, rng: random.Random,
             settled: bool = False) -> None:
    """Take a routed case some way along the lifecycle, as far as a roll of the dice says
    (to the end, for a `settled` one)."""
    roll = 0.8 + rng.random() * 0.2 if settled else rng.random()
    if case is None or roll < 0.35:
        return
    if roll < 0.45:
        _step(workflow, case, "request_info", actor, {"note": "Which agency placed you?"})
        return
    case = _step(workflow, case, "verify", actor, {})
    if roll < 0.6:
        return
    case = _step(workflow, case, "start_follow_up", actor, {})
    case = workflow.add_follow_up(case, actor, {
        "type": "legal_aid_referral", "responsible_org": "Harbour Workers Aid (demo)",
        "due": (workflow.clock() + timedelta(days=14)).date().isoformat()})
    if roll < 0.8:
        return
    action_id = case["follow_ups"][-1]["id"]
    case = workflow.update_follow_up(case, actor, action_id,
                                     {"status": "done", "result": "Lawyer assigned."})
    _step(workflow, case, "close", actor, {"outcome": rng.choice(OUTCOMES)})


def _step(workflow, case: dict, name: str, actor: dict, data: dict) -> dict:
    return workflow.transition(case, name, actor, data, case["version"])
