"""Generated demo cases for `mrvrs run --demo`: a few hundred, through the real path.

Each case is filed with `submit_case` on a shipped country form in one of its
languages, routed by the case service, and a share of them taken further (asked
for information, verified, followed up, closed) as a coordinator, so every screen,
queue and indicator has something to show. Same seed, same cases.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from forms.sample_answers import sample_answers
from workflows.intake import FormRecord, submit_case

DEMO_CASES = 300
OUTCOMES = ("resolved", "referred", "unresolved", "withdrawn")


def seed_cases(svc, actor: dict, member_org: str | None, count: int = DEMO_CASES,
               seed: int = 2026) -> int:
    """File and move `count` cases; returns how many were filed."""
    rng = random.Random(seed)
    forms = [record for record in svc.forms.list_latest() if record.get("country")]
    now = datetime.now(UTC)
    for _ in range(count):
        record = rng.choice(forms)
        definition = svc.forms.definition(record["form_id"], record["version"])
        reporter = {"user_id": None, "org_id": member_org} if rng.random() < 0.3 else {}
        case, _code = submit_case(
            definition=definition,
            form_record=FormRecord(record["form_id"], record["version"], record["hash"]),
            answers=sample_answers(definition, rng), files=None,
            language=rng.choice(definition.languages), reporter=reporter, repo=svc.cases,
            sealer=svc.sealer, attachments_store=svc.attachments,
            identity_secret=svc.identity_secret,
            now=now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440)))
        _advance(svc.workflow, svc.workflow.route(case["_id"]), actor, rng)
    return count


def _advance(workflow, case: dict | None, actor: dict, rng: random.Random) -> None:
    """Take a routed case some way along the lifecycle, as far as a roll of the dice says."""
    roll = rng.random()
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
        "due": (datetime.now(UTC) + timedelta(days=14)).date().isoformat()})
    if roll < 0.8:
        return
    action_id = case["follow_ups"][-1]["id"]
    case = workflow.update_follow_up(case, actor, action_id,
                                     {"status": "done", "result": "Lawyer assigned."})
    _step(workflow, case, "close", actor, {"outcome": rng.choice(OUTCOMES)})


def _step(workflow, case: dict, name: str, actor: dict, data: dict) -> dict:
    return workflow.transition(case, name, actor, data, case["version"])
