"""The e-mail digest: one message per person and period at their pace, counting what
is new, never saying anything about a case, and never sent twice."""

from datetime import UTC, datetime, timedelta

import pytest
from workflow_service_env import make_env

from workflows.digests import compose_digest, frequency_of, period_start, send_digests
from workflows.outbox import send_message

BASE = "https://mrvrs.example.org"
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class Transport:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


@pytest.mark.parametrize(("user", "expected"), [
    ({"roles": ["reviewer"]}, "daily"), ({"roles": ["coordinator"]}, "daily"),
    ({"roles": ["member"]}, "never"), ({"roles": ["reviewer"], "digest": "hourly"}, "hourly"),
    ({"roles": ["reviewer"], "digest": "never"}, "never"),
    ({"roles": ["member"], "digest": "sometimes"}, "never"),
])
def test_frequency__chosen_else_daily_for_caseworkers(user, expected):
    assert frequency_of(user) == expected


def test_period_start__hour_or_utc_day():
    assert period_start("hourly", T0) == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert period_start("daily", T0) == datetime(2026, 3, 2, tzinfo=UTC)


def test_compose__counts_and_links_only():
    digest = compose_digest(3, 1, T0 - timedelta(days=1), T0, f"{BASE}/cases/?queue=team",
                            f"{BASE}/cases/notifications")
    assert digest.subject == "MRVRS: 4 new notifications"
    assert "3 new cases reached your team" in digest.body
    assert "1 other notification\n" in digest.body
    assert f"{BASE}/cases/?queue=team" in digest.body
    assert compose_digest(0, 0, T0, T0, "q", "n") is None


def _env_with_news():
    """u_rev (daily by default) with two cases reaching the team and one reminder."""
    env = make_env()
    env.clock.now = T0 - timedelta(hours=5)
    case = env.routed(answers={"narrative": "Employer Tan took my passport"})
    env.routed()
    env.notifications.notify("reminder", case, ["user:u_rev"], "r1")
    return env, case


def test_send_digests__one_message_per_person_with_counts_and_no_case_content():
    env, case = _env_with_news()
    queued = []
    now = T0 + timedelta(days=1)  # the day after: yesterday's window is due
    assert send_digests(env.db, queued.append, now, BASE) >= 1
    [message] = list(env.db.outbox.find({"to": "u_rev@example.org"}))
    assert message["_id"] in queued and message["kind"] == "digest"
    assert "2 new cases reached your team" in message["body"]
    assert "1 other notification" in message["body"]
    text = message["subject"] + message["body"]
    for secret in (case["reference"], "Tan", "passport", "MY-"):
        assert secret not in text
    # u_member (never by default) and u_sg (nothing new) get nothing
    assert env.db.outbox.count_documents({"to": {"$in": ["u_member@example.org",
                                                         "u_sg@example.org"]}}) == 0


def test_send_digests__retried_run_sends_nothing_twice():
    env, _ = _env_with_news()
    now, transport = T0 + timedelta(days=1), Transport()
    queued = []
    for _ in range(3):  # a retried task, and beat running it again within the period
        send_digests(env.db, queued.append, now + timedelta(minutes=len(queued)), BASE)
    for message_id in queued:  # each enqueued send delivered, some twice
        send_message(env.db, message_id, transport, "MRVRS <x@example.org>", now)
        send_message(env.db, message_id, transport, "MRVRS <x@example.org>", now)
    to_rev = [m for m in transport.sent if m["To"] == "u_rev@example.org"]
    assert len(to_rev) == 1


def test_send_digests__run_that_died_before_marking__same_message_again():
    env, _ = _env_with_news()
    now = T0 + timedelta(days=1)
    send_digests(env.db, None, now, BASE)
    env.db.digests.delete_many({})  # as if the run died after writing the message
    send_digests(env.db, None, now, BASE)
    assert env.db.outbox.count_documents({"to": "u_rev@example.org"}) == 1


def test_send_digests__next_period_counts_only_what_came_since():
    env, case = _env_with_news()
    day2 = T0 + timedelta(days=1)
    send_digests(env.db, None, day2, BASE)
    env.clock.now = day2
    env.notifications.notify("reminder", case, ["user:u_rev"], "r2")
    assert send_digests(env.db, None, day2 + timedelta(hours=3), BASE) == 0  # same day
    send_digests(env.db, None, day2 + timedelta(days=1), BASE)
    latest = env.db.outbox.find_one({"to": "u_rev@example.org"}, sort=[("created_at", -1)])
    assert "1 other notification" in latest["body"] and "new case" not in latest["body"]


def test_send_digests__hourly_and_never():
    env, case = _env_with_news()
    env.clock.now = T0 - timedelta(hours=1)  # 08:30
    env.notifications.notify("reminder", case, ["user:u_rev", "user:u_rev2"], "r3")
    env.db.users.update_one({"_id": "u_rev"}, {"$set": {"digest": "hourly"}})
    env.db.users.update_one({"_id": "u_rev2"}, {"$set": {"digest": "never"}})
    send_digests(env.db, None, T0, BASE)  # 09:30: the 08:00-09:00 hour is due
    [message] = list(env.db.outbox.find({"to": "u_rev@example.org"}))
    assert message["_id"].endswith("2026-03-02T09:00:00+00:00")
    assert "1 other notification" in message["body"]  # that hour only
    assert env.db.outbox.count_documents({"to": "u_rev2@example.org"}) == 0
