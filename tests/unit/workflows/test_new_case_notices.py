"""A case reaching a team tells the team's caseworkers in the app, once per arrival."""

import pytest
from workflow_service_env import make_env


def arrivals(env, user_id):
    return [(n["kind"], n["team"], n["reference"])
            for n in env.notifications.for_user(user_id) if n["kind"] == "new_case"]


def test_routing__every_active_reviewer_of_the_team_is_told_at_once():
    env = make_env()
    env.db.users.insert_one({"_id": "u_gone", "email": "gone@example.org", "roles": ["reviewer"],
                             "countries": ["MY"], "active": False})
    case = env.routed()
    assert case["team"] == "my-team"
    for reviewer in ("u_rev", "u_rev2"):
        assert arrivals(env, reviewer) == [("new_case", "my-team", case["reference"])]
    for other in ("u_sg", "u_member", "u_coord", "u_mission", "u_admin", "u_gone"):
        assert arrivals(env, other) == []


def test_routing__the_secretariat_is_its_coordinators():
    env = make_env()
    case = env.routed(country="FR", dimensions={"destination_country": "FR"})
    assert case["team"] == "secretariat"
    assert arrivals(env, "u_coord") == [("new_case", "secretariat", case["reference"])]
    assert arrivals(env, "u_rev") == []


def test_routing_run_again__nobody_told_twice():
    env = make_env()
    case = env.routed()
    env.service.route(case["_id"])
    env.service.route(case["_id"])
    assert len(arrivals(env, "u_rev")) == 1


def test_routing_run_that_died_after_its_write__the_retry_tells_the_team_once():
    env = make_env()
    store = env.notifications

    class DiesOnce:
        def __init__(self):
            self.died = False

        def notify(self, *args):
            if not self.died:
                self.died = True
                raise ConnectionError("worker lost")
            return store.notify(*args)

    env.service.notifier = DiesOnce()
    case = env.file()
    with pytest.raises(ConnectionError):
        env.service.route(case["_id"])
    assert env.stored(case)["stage"] == "in_review" and arrivals(env, "u_rev") == []
    env.service.route(case["_id"])  # the task delivered again
    env.service.route(case["_id"])
    assert len(arrivals(env, "u_rev")) == 1 and len(arrivals(env, "u_rev2")) == 1


def test_later_move_to_a_team__news_again_but_once_per_move():
    env = make_env()
    case = env.routed()
    for _ in range(2):
        env.service.announce_arrival(case, "transfer:2026-03-02T10:00:00+00:00")
    assert len(arrivals(env, "u_rev")) == 2


def test_a_case_reaching_a_team__no_e_mail_of_its_own():
    env = make_env(mail=True)
    env.routed()
    assert arrivals(env, "u_rev") and env.db.outbox.count_documents({}) == 0
    assert env.mailed == []
