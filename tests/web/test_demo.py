"""`mrvrs run --demo` data: accounts for every role and generated cases at every stage."""

from collections import Counter

from app.cli import _seed_demo_cases
from app.demo import seed_accounts
from app.demo_cases import seed_cases
from workflows.queue import OPEN_STAGES


def test_demo_cases__filed_through_intake_and_spread_over_the_lifecycle(app, svc):
    with app.app_context():
        seed_accounts(svc)
        coordinator = svc.users.by_email("coordinator@demo.mrvrs")
        actor = {"id": coordinator["_id"], "roles": coordinator["roles"], "org_id": None,
                 "countries": []}
        assert seed_cases(svc, actor, None, count=60) == 60
    cases = list(svc.db.cases.find())
    stages = Counter(case["stage"] for case in cases)
    assert len(cases) == 60 and {"in_review", "verified", "closed"} <= set(stages)
    assert all(case["team"] and case["mwc"] is not None for case in cases)
    assert len({case["country"] for case in cases}) > 3
    assert all(len(case["events"]) == case["version"] for case in cases)


def test_demo_cases__not_seeded_twice(app, svc):
    with app.app_context():
        seed_accounts(svc)
        svc.db.cases.insert_one({"_id": "existing"})
        assert _seed_demo_cases(svc) == 0


def test_demo_queue__urgent_is_a_minority_not_none(app, svc):
    """Urgent must single out the few cases that cannot wait, not most of the queue."""
    with app.app_context():
        seed_accounts(svc)
        coordinator = svc.users.by_email("coordinator@demo.mrvrs")
        actor = {"id": coordinator["_id"], "roles": coordinator["roles"], "org_id": None,
                 "countries": []}
        seed_cases(svc, actor, None)
    open_cases = list(svc.db.cases.find({"stage": {"$in": list(OPEN_STAGES)}},
                                        {"priority": 1}))
    urgent = sum(case["priority"] == "urgent" for case in open_cases)
    share = urgent / len(open_cases)
    print(f"urgent share of the demo queue: {urgent}/{len(open_cases)} = {share:.1%}")
    assert 0 < share < 0.5
