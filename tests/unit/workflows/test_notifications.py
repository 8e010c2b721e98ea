"""Notifications and the e-mail outbox: addressed to people, written once, mailed once,
with nothing about the case but its reference; and the retry policy of the tasks."""

import smtplib
from datetime import timedelta
from email.message import EmailMessage

import pytest
from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError
from workflow_service_env import COORDINATOR, make_env

from workflows.case_service import CaseService
from workflows.errors import StaleVersion
from workflows.outbox import CLAIM_LEASE, SmtpTransport, mark_failed, resend_pending, send_message
from workflows.retries import Done, GiveUp, Retry, RetryPolicy, attempt

TRANSIENT = (AutoReconnect, ServerSelectionTimeoutError)


class Transport:
    def __init__(self, fail: int = 0):
        self.sent: list[EmailMessage] = []
        self.fail = fail

    def send(self, message):
        if self.fail:
            self.fail -= 1
            raise smtplib.SMTPServerDisconnected("gone")
        self.sent.append(message)


def test_addresses__user_team_and_coordinators():
    env = make_env()
    directory = env.notifications.directory
    assert [u["_id"] for u in directory.resolve("user:u_rev")] == ["u_rev"]
    assert sorted(u["_id"] for u in directory.resolve("team:my-team")) == ["u_rev", "u_rev2"]
    assert [u["_id"] for u in directory.resolve("team:secretariat")] == ["u_coord"]
    assert [u["_id"] for u in directory.resolve("coordinators")] == ["u_coord"]
    env.db.users.update_one({"_id": "u_rev"}, {"$set": {"active": False}})
    assert directory.resolve("user:u_rev") == []
    with pytest.raises(ValueError):
        directory.resolve("everyone")


def test_notify__once_per_key_and_person():
    env = make_env()
    case = env.routed()
    for _ in range(2):
        env.notifications.notify("reminder", case, ["team:my-team", "user:u_rev"], "k1")
    assert [(n["kind"], n["reference"]) for n in env.told("u_rev")] == [
        ("reminder", case["reference"])]
    assert len(env.told("u_rev2", unread_only=True)) == 1
    with pytest.raises(ValueError):
        env.notifications.notify("gossip", case, ["user:u_rev"], "k2")


def test_mark_read__only_ones_own():
    env = make_env()
    case = env.routed()
    env.notifications.notify("assignment", case, ["user:u_rev"], "k")
    [note] = env.told("u_rev")
    assert not env.notifications.mark_read("u_rev2", note["_id"])
    assert env.notifications.mark_read("u_rev", note["_id"])
    assert env.notifications.unread_count("u_rev") == 1  # the case reaching the team
    assert env.told("u_rev", unread_only=True) == []


def test_no_smtp__no_outbox():
    env = make_env(mail=False)
    env.service.assign(env.routed(), COORDINATOR, "u_rev")
    assert env.db.outbox.count_documents({}) == 0 and env.mailed == []


def test_outbox__written_once_enqueued_after_and_only_the_reference():
    env = make_env(mail=True)
    case = env.routed(answers={"narrative": "Employer Tan took my passport"})
    env.service.assign(case, COORDINATOR, "u_rev")
    [message] = list(env.db.outbox.find())
    assert env.mailed == [message["_id"]]
    assert message["to"] == "u_rev@example.org" and message["status"] == "pending"
    text = message["subject"] + message["body"]
    assert case["reference"] in text
    assert "Tan" not in text and "passport" not in text and "MY" not in text.replace(
        case["reference"], "")


def test_outbox__broker_away__notification_kept_and_sweep_resends():
    env = make_env(mail=True)

    def broker_down(message_id):
        raise ConnectionError("redis is away")

    env.notifications.enqueue_mail = broker_down
    case = env.service.assign(env.routed(), COORDINATOR, "u_rev")
    assert case["assignee"] == "u_rev" and len(env.told("u_rev")) == 1
    later = []
    assert resend_pending(env.db, later.append, env.clock.now) == 0
    assert resend_pending(env.db, later.append, env.clock.advance(minutes=5)) == 1


def test_send__once_even_when_delivered_twice():
    env = make_env(mail=True)
    env.service.assign(env.routed(), COORDINATOR, "u_rev")
    [message_id] = env.mailed
    transport = Transport()
    assert send_message(env.db, message_id, transport, "MRVRS <a@b.c>", env.clock.now) == "sent"
    assert send_message(env.db, message_id, transport, "MRVRS <a@b.c>", env.clock.now) == "already"
    assert len(transport.sent) == 1
    sent = transport.sent[0]
    assert sent["To"] == "u_rev@example.org" and sent["From"] == "MRVRS <a@b.c>"
    assert env.db.outbox.find_one({"_id": message_id})["status"] == "sent"
    assert send_message(env.db, "m:none", transport, "x", env.clock.now) == "missing"


def test_send__server_away__pending_again_then_sent():
    env = make_env(mail=True)
    env.service.assign(env.routed(), COORDINATOR, "u_rev")
    [message_id] = env.mailed
    transport = Transport(fail=1)
    with pytest.raises(smtplib.SMTPException):
        send_message(env.db, message_id, transport, "x", env.clock.now)
    stored = env.db.outbox.find_one({"_id": message_id})
    assert stored["status"] == "pending" and stored["attempts"] == 1
    assert send_message(env.db, message_id, transport, "x", env.clock.now) == "sent"


def test_send__claim_of_a_dead_worker__taken_again_after_the_lease():
    env = make_env(mail=True)
    env.service.assign(env.routed(), COORDINATOR, "u_rev")
    [message_id] = env.mailed
    env.db.outbox.update_one({"_id": message_id},
                             {"$set": {"status": "sending", "claimed_at": env.clock.now}})
    transport = Transport()
    assert send_message(env.db, message_id, transport, "x", env.clock.now) == "already"
    later = env.clock.now + CLAIM_LEASE + timedelta(seconds=1)
    assert send_message(env.db, message_id, transport, "x", later) == "sent"


def test_mark_failed__kept_for_an_administrator():
    env = make_env(mail=True)
    env.service.assign(env.routed(), COORDINATOR, "u_rev")
    [message_id] = env.mailed
    mark_failed(env.db, message_id, "SMTPServerDisconnected", env.clock.now)
    assert env.db.outbox.find_one({"_id": message_id})["status"] == "failed"


def test_smtp_url__parsed():
    secure = SmtpTransport("smtps://user%40x:p%3Ass@mail.example.org")
    assert (secure.secure, secure.host, secure.port, secure.user, secure.password) == (
        True, "mail.example.org", 465, "user@x", "p:ss")
    plain = SmtpTransport("smtp://127.0.0.1:2525")
    assert (plain.secure, plain.port, plain.user) == (False, 2525, None)


# -- the tasks' retry policy ---------------------------------------------------------


def test_retry_policy__exponential_and_capped():
    policy = RetryPolicy(max_retries=8, base_seconds=2, cap_seconds=30)
    assert [policy.countdown(n) for n in range(6)] == [2, 4, 8, 16, 30, 30]


class FlakyRepository:
    """The case repository with the database away for the first `outages` writes."""

    def __init__(self, repo, outages):
        self.repo, self.outages, self.cases = repo, outages, repo.cases
        self.failed_writes = 0

    def get(self, case_id):
        return self.repo.get(case_id)

    def apply(self, case, result, extra=None):
        if self.outages:
            self.outages -= 1
            self.failed_writes += 1
            raise AutoReconnect("connection reset")
        return self.repo.apply(case, result, extra)


def flaky_service(env, outages):
    repo = FlakyRepository(env.repo, outages)
    return CaseService(repo, env.service.graphs, env.service.rules, b"k", env.clock), repo


def test_route__database_away__retried_with_back_off_then_done():
    env = make_env()
    case = env.file()
    service, _ = flaky_service(env, outages=2)
    policy = RetryPolicy(max_retries=5, base_seconds=1)
    outcomes = [attempt(lambda: service.route(case["_id"]), n, policy, TRANSIENT)
                for n in range(3)]
    assert [type(o) for o in outcomes] == [Retry, Retry, Done]
    assert [o.countdown for o in outcomes[:2]] == [1, 2]
    stored = env.stored(case)
    assert stored["stage"] == "in_review" and stored["version"] == 2
    assert [e["to"] for e in stored["events"]].count("in_review") == 1


def test_route__database_away_too_long__give_up_and_nothing_half_applied():
    env = make_env()
    case = env.file()
    service, repo = flaky_service(env, outages=10)
    policy = RetryPolicy(max_retries=3, base_seconds=1)
    outcomes = [attempt(lambda: service.route(case["_id"]), n, policy, TRANSIENT)
                for n in range(4)]
    assert [type(o) for o in outcomes] == [Retry, Retry, Retry, GiveUp]
    assert env.stored(case) == case and repo.failed_writes == 4


def test_attempt__stale_version_is_done_and_other_errors_raise():
    policy = RetryPolicy(max_retries=3, base_seconds=1)

    def moved_on():
        raise StaleVersion("c_1", "in_review", 3)

    assert attempt(moved_on, 0, policy, TRANSIENT) == Done(None)
    with pytest.raises(KeyError):
        attempt(lambda: {}["x"], 0, policy, TRANSIENT)
