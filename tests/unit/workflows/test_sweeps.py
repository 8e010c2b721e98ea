"""The sweeps: each does what is due, once, whenever and however often it runs."""

from datetime import timedelta

import pytest
from workflow_service_env import COORDINATOR, REVIEWER, make_env

from workflows import sweeps


@pytest.fixture
def env():
    return make_env()


def events(env, case, kind):
    return [e for e in env.stored(case)["events"] if e["kind"] == kind]


def test_nothing_due__nothing_done(env):
    env.routed()
    assert sweeps.send_reminders(env.service, env.clock.now) == 0
    assert sweeps.escalate(env.service, env.clock.now) == 0
    assert sweeps.follow_ups_due(env.service, env.clock.now) == 0


def test_reminder__holder_told_once_however_often_it_runs(env):
    case = env.service.claim(env.routed(), REVIEWER)
    now = env.clock.advance(days=15)
    assert sweeps.send_reminders(env.service, now) == 1
    assert sweeps.send_reminders(env.service, now) == 0
    assert sweeps.send_reminders(env.service, env.clock.advance(hours=1)) == 0
    assert [n["kind"] for n in env.told("u_rev")] == ["reminder"]
    [event] = events(env, case, "reminder")
    assert event["data"]["deadline"] == "review" and event["actor"] == "system"
    stored = env.stored(case)
    assert stored["reminder_at"] is None and stored["due_at"] == case["due_at"]
    assert stored["version"] == case["version"], "a reminder is not an edit"


def test_reminder__unassigned_case__its_team_is_told(env):
    env.routed()
    sweeps.send_reminders(env.service, env.clock.advance(days=15))
    assert len(env.told("u_rev")) == 1
    assert len(env.told("u_rev2")) == 1
    assert env.told("u_sg") == []


def test_reminder__two_runs_that_read_the_same_case__one_event_one_notification(env):
    case = env.routed()
    now = env.clock.advance(days=15)
    first_read = sweeps._due(env.service, "reminder_at", now)
    assert sweeps.send_reminders(env.service, now) == 1
    # A second run that read the case before the first marked it: its mark matches nothing.
    stale = first_read[0]
    env.service.notify("reminder", stale, env.service.holders(stale),
                       f"reminder:{stale['_id']}:review:{stale['reminder_at'].isoformat()}")
    assert not sweeps._mark(env.service, stale, "reminder_at", {"reminder_at": None},
                            {"kind": "reminder"})
    assert len(events(env, case, "reminder")) == 1
    assert len(env.told("u_rev")) == 1


def test_reminder__case_moved_on__next_stage_deadlines_count(env):
    case = env.routed()
    late = env.clock.advance(days=15)
    case = env.service.transition(env.stored(case), "request_info", REVIEWER,
                                  {"note": "Dates?"}, case["version"])
    assert sweeps.send_reminders(env.service, late) == 0
    assert sweeps.send_reminders(env.service, env.clock.advance(days=31)) == 1
    assert events(env, case, "reminder")[0]["data"]["deadline"] == "reply"


def test_escalation__coordinators_and_holder_told_once(env):
    case = env.service.claim(env.routed(), REVIEWER)
    now = env.clock.advance(days=22)
    assert sweeps.escalate(env.service, now) == 1
    assert sweeps.escalate(env.service, now) == 0
    assert [n["kind"] for n in env.told(COORDINATOR["id"])] == ["escalation"]
    assert [n["kind"] for n in env.told("u_rev")] == ["escalation"]
    stored = env.stored(case)
    assert stored["escalate_at"] is None and stored["escalated_at"] == now
    assert len(events(env, case, "escalation")) == 1


def test_escalation__country_deadlines_apply(env):
    case = env.routed(country="SA", dimensions={"destination_country": "SA"})
    assert case["escalate_at"] == env.clock.now + timedelta(days=7)
    assert sweeps.escalate(env.service, env.clock.advance(days=8)) == 1


def test_follow_up_due__reminded_once_per_due_date(env):
    case = env.routed()
    case = env.service.transition(case, "verify", REVIEWER, {}, case["version"])
    case = env.service.add_follow_up(case, REVIEWER, {
        "type": "shelter", "responsible_org": "Bethune House", "due": "2026-03-05"})
    action = case["follow_ups"][0]
    assert sweeps.follow_ups_due(env.service, env.clock.advance(days=2)) == 0
    now = env.clock.advance(days=5)
    assert sweeps.follow_ups_due(env.service, now) == 1
    assert sweeps.follow_ups_due(env.service, now) == 0
    stored = env.stored(case)
    assert stored["follow_up_reminders"] == {action["id"]: "2026-03-05"}
    assert stored["follow_up_due_at"] is None
    moved = env.service.update_follow_up(stored, REVIEWER, action["id"], {"due": "2026-03-10"})
    assert moved["follow_up_due_at"] is not None
    assert sweeps.follow_ups_due(env.service, env.clock.advance(days=5)) == 1
    assert len(events(env, case, "follow_up_due")) == 2


def test_follow_up_due__finished_actions_are_not_reminded(env):
    case = env.routed()
    case = env.service.transition(case, "verify", REVIEWER, {}, case["version"])
    case = env.service.add_follow_up(case, REVIEWER, {
        "type": "shelter", "responsible_org": "Bethune House", "due": "2026-03-05"})
    env.service.update_follow_up(case, REVIEWER, case["follow_ups"][0]["id"],
                                 {"status": "done"})
    assert sweeps.follow_ups_due(env.service, env.clock.advance(days=10)) == 0


def test_catch_up__only_cases_waiting_longer_than_a_minute(env):
    waiting = env.file(created_at=env.clock.now - timedelta(minutes=5))
    env.file(created_at=env.clock.now - timedelta(seconds=10))
    env.routed(created_at=env.clock.now - timedelta(minutes=5))
    enqueued = []
    assert sweeps.catch_up_submitted(env.service, enqueued.append, env.clock.now) == 1
    assert enqueued == [waiting["_id"]]
    for case_id in enqueued * 2:  # the same routing delivered twice
        env.service.route(case_id)
    assert env.stored(waiting)["stage"] == "in_review"
    assert env.stored(waiting)["version"] == 2
    assert sweeps.catch_up_submitted(env.service, enqueued.append, env.clock.now) == 0
