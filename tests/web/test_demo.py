"""`mrvrs run --demo` data: accounts for every role and generated cases at every stage."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from app.cli import _seed_demo_cases
from app.demo import seed_accounts
from app.demo_cases import seed_cases
from tests.case_helpers import file_case
from workflows.local_beat import run_sweeps
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


def test_local_beat__every_sweep_runs_in_process_on_the_embedded_store(app, svc, make_user):
    """What `mrvrs run` starts on the embedded store: the beat schedule's tasks, run in
    the web process, so a case past its deadline is marked and its team reminded."""
    from tests.intake_helpers import publish_shipped

    publish_shipped(svc)
    reviewer = make_user(("reviewer",), countries=["MY"])
    case = file_case(svc)
    past = datetime.now(UTC) - timedelta(days=1)
    svc.db.cases.update_one({"_id": case["_id"]}, {"$set": {"reminder_at": past,
                                                            "due_at": past}})
    stop = threading.Event()
    schedule = svc.celery.conf.beat_schedule
    assert run_sweeps(svc.celery, schedule, stop, wait=lambda seconds: stop.set()) == \
        len(schedule)
    stored = svc.cases.get(case["_id"])
    assert stored["events"][-1]["kind"] == "reminder"
    assert "reminder" in {n["kind"] for n in svc.notifications.for_user(reviewer["_id"])}
