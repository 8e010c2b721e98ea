"""The faults a case must survive, on real workers, Redis and FerretDB: a worker killed
mid-task, Redis stopped while cases are filed, the same task delivered twice, two
reviewers closing a case at once, and the database away during a task."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient

from config.settings import load_settings
from tests.tasks.workflow_services import make_app, wait_for, workflow_environ
from workflows.celery_app import make_celery

pytestmark = pytest.mark.integration

ANSWERS = {"destination_country": "MY", "narrative": "Wages unpaid for three months.",
           "acts": ["unpaid_wages"], "consent_case_work": True}


@pytest.fixture
def database(request):
    """`database(uri, name)`: a pymongo database, its client closed afterwards."""
    clients = []

    def open_database(uri, name):
        client = MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)
        clients.append(client)
        return client[name]

    yield open_database
    for client in clients:
        client.close()


def insert_case(db, n, **fields):
    now = datetime.now(UTC) - timedelta(minutes=5)
    case = {"_id": f"c_{n:06x}", "reference": f"MY-2026-{n:06d}", "country": "MY",
            "answers": {"narrative": "Passport kept by the agency"}, "mwc": [21],
            "dimensions": {"gender": "woman", "destination_country": "MY"}, "flags": {},
            "stage": "submitted", "version": 1, "priority": "normal", "assignee": None,
            "team": None, "follow_ups": [], "duplicate_keys": [],
            "reporter": {"anonymous": True, "user_id": None, "org_id": None},
            "events": [{"at": now, "actor": "reporter", "from": None, "to": "submitted",
                        "note": "", "kind": "transition"}],
            "created_at": now, "updated_at": now, **fields}
    db.cases.insert_one(case)
    return db.cases.find_one({"_id": case["_id"]})  # as stored (milliseconds)


def routed(db, case_id, what="routing on the worker"):
    return wait_for(lambda: db.cases.find_one({"_id": case_id, "stage": "in_review"}), what)


def route_events(case):
    return [e for e in case["events"] if e.get("transition") == "route"]


def test_worker_killed_mid_task__task_reruns_with_the_same_result(
        mongo_uri, private_redis, workers, database_name, database):
    env = workflow_environ(mongo_uri, private_redis.url, database_name)
    db = database(mongo_uri, database_name)
    celery = make_celery(load_settings(env))
    slow = workers({**env, "MRVRS_TEST_TASK_PAUSE_SECONDS": "300"})
    killed = insert_case(db, 1)
    celery.send_task("mrvrs.route_case", args=[killed["_id"]])
    wait_for(lambda: db.task_markers.find_one({"case_id": killed["_id"]}), "the task to start")
    slow.kill9()
    assert db.cases.find_one({"_id": killed["_id"]}) == killed

    workers(env)  # restarted; the unacknowledged task comes back to it
    rerun = routed(db, killed["_id"], "the killed task to run again")
    plain = insert_case(db, 2)
    celery.send_task("mrvrs.route_case", args=[plain["_id"]])
    uninterrupted = routed(db, plain["_id"])
    for field in ("stage", "version", "team", "priority", "possible_duplicates",
                  "caseworker_gender"):
        assert rerun[field] == uninterrupted[field], field
    own_words = {"000001", "000002"}
    assert set(rerun["search_terms"]) - own_words == set(uninterrupted["search_terms"]) - own_words
    assert len(route_events(rerun)) == 1 and rerun["version"] == 2


def test_redis_stopped_while_filing__cases_kept_waiting_then_routed_by_the_catch_up(
        mongo_uri, private_redis, workers, database_name):
    env = workflow_environ(mongo_uri, private_redis.url, database_name,
                           MRVRS_CATCH_UP_AFTER_SECONDS="1",
                           MRVRS_SWEEP_INTERVALS="catch_up=2")
    workers(env)
    app = make_app(env)
    svc, client = app.extensions["mrvrs"], app.test_client()
    try:
        org = svc.organisations.create("Tenaganita", "MY")["_id"]
        svc.users.collection.insert_one({"_id": "u_member", "email": "m@example.org",
                                         "roles": ["member"], "org_id": org, "countries": [],
                                         "active": True, "auth_version": 1})
        headers = {"Authorization": f"Bearer {svc.tokens.create('u_member', 't')[1]}"}
        private_redis.stop()
        references = []
        for _ in range(3):
            filed = client.post("/api/v1/cases", headers=headers, json={
                "form_id": "my-intake", "version": 1, "language": "en", "answers": ANSWERS})
            assert filed.status_code == 201, filed.json
            references.append(filed.json["reference"])
        waiting = client.get("/api/v1/cases?stage=submitted", headers=headers).json["items"]
        assert sorted(row["reference"] for row in waiting) == sorted(references)

        private_redis.start()
        workers(env, "beat")
        for reference in references:
            case = wait_for(lambda r=reference: (c := svc.cases.by_reference(r))["stage"]
                            == "in_review" and c, f"{reference} to be routed")
            assert len(route_events(case)) == 1 and case["version"] == 2
    finally:
        svc.db.client.close()


def test_same_task_delivered_twice__no_second_change(mongo_uri, private_redis, workers,
                                                      database_name, database):
    env = workflow_environ(mongo_uri, private_redis.url, database_name)
    db = database(mongo_uri, database_name)
    celery = make_celery(load_settings(env))
    workers(env), workers(env)  # two workers, so deliveries really overlap
    case = insert_case(db, 1)
    results = [celery.send_task("mrvrs.route_case", args=[case["_id"]],
                                task_id=f"route:{case['_id']}:{n}") for n in range(4)]
    for result in results:
        result.get(timeout=90)  # each delivery finished without an error
    stored = db.cases.find_one({"_id": case["_id"]})
    assert stored["version"] == 2 and len(route_events(stored)) == 1

    db.cases.update_one({"_id": case["_id"]},
                        {"$set": {"reminder_at": datetime.now(UTC) - timedelta(minutes=1)}})
    sweeps = [celery.send_task("mrvrs.sweep_reminders") for _ in range(4)]
    assert sum(r.get(timeout=90) for r in sweeps) == 1
    stored = db.cases.find_one({"_id": case["_id"]})
    assert [e["kind"] for e in stored["events"]].count("reminder") == 1
    assert stored["version"] == 2


def test_two_reviewers_close_at_once__one_success_one_conflict(mongo_uri, database_name):
    env = workflow_environ(mongo_uri, "memory://", database_name)
    env.pop("MRVRS_BROKER_URL")
    app = make_app(env)
    svc = app.extensions["mrvrs"]
    try:
        tokens = {}
        for name in ("u_rev_a", "u_rev_b"):
            svc.users.collection.insert_one({"_id": name, "email": f"{name}@example.org",
                                             "roles": ["reviewer"], "countries": ["MY"],
                                             "org_id": None, "active": True, "auth_version": 1})
            tokens[name] = svc.tokens.create(name, "t")[1]
        reviewer = {"id": "u_rev_a", "roles": ["reviewer"], "countries": ["MY"], "org_id": None}
        for n in range(1, 6):
            case = svc.workflow.route(insert_case(svc.db, n)["_id"])
            case = svc.workflow.transition(case, "verify", reviewer, {}, case["version"])
            case = svc.workflow.transition(case, "start_follow_up", reviewer, {},
                                           case["version"])
            statuses = close_at_once(app, case, tokens)
            assert sorted(statuses) == [200, 409]
            stored = svc.cases.get(case["_id"])
            assert stored["stage"] == "closed" and stored["version"] == case["version"] + 1
            assert [e["to"] for e in stored["events"]].count("closed") == 1
    finally:
        svc.db.client.close()


def close_at_once(app, case, tokens):
    """Two reviewers press "close" on the same version at the same moment."""
    barrier = threading.Barrier(len(tokens))
    statuses = []

    def close(token, outcome):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/cases/{case['reference']}/transitions",
                               headers={"Authorization": f"Bearer {token}"},
                               json={"to": "closed", "outcome": outcome,
                                     "version": case["version"]})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=close, args=(token, outcome))
               for token, outcome in zip(tokens.values(), ("resolved", "unresolved"),
                                         strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_database_briefly_away__task_retried_with_back_off_then_done(
        private_ferretdb, private_redis, workers, database):
    env = workflow_environ(private_ferretdb.uri, private_redis.url, private_ferretdb.db_name,
                           MRVRS_TASK_MAX_RETRIES="8")
    db = database(private_ferretdb.uri, private_ferretdb.db_name)
    worker = workers(env)
    case = insert_case(db, 1)
    celery = make_celery(load_settings(env))
    private_ferretdb.stop()
    celery.send_task("mrvrs.route_case", args=[case["_id"]])
    wait_for(lambda: "retry 2 in 2.0s" in worker.log(), "two retries with growing back-off")
    private_ferretdb.start()
    stored = routed(db, case["_id"], "the retried task to route the case")
    assert stored["version"] == 2 and len(route_events(stored)) == 1
    assert db.task_failures.count_documents({}) == 0


def test_database_away_too_long__failure_recorded_and_nothing_half_applied(
        private_ferretdb, private_redis, workers, database):
    env = workflow_environ(private_ferretdb.uri, private_redis.url, private_ferretdb.db_name,
                           MRVRS_TASK_MAX_RETRIES="2", MRVRS_CATCH_UP_AFTER_SECONDS="1")
    db = database(private_ferretdb.uri, private_ferretdb.db_name)
    worker = workers(env)
    case = insert_case(db, 1)
    celery = make_celery(load_settings(env))
    private_ferretdb.stop()
    celery.send_task("mrvrs.route_case", args=[case["_id"]])
    wait_for(lambda: "gave up after 2 retries" in worker.log(), "the task to give up")
    private_ferretdb.start()
    record = wait_for(lambda: db.task_failures.find_one({"task": "mrvrs.route_case"}),
                      "the failure record")
    assert record["args"] == [case["_id"]] and "ServerSelectionTimeoutError" in record["error"]
    assert db.cases.find_one({"_id": case["_id"]}) == case, "nothing half-applied"
    assert celery.send_task("mrvrs.sweep_submitted").get(timeout=90) == 1
    stored = routed(db, case["_id"], "the catch-up to route the case")
    assert stored["version"] == 2 and len(route_events(stored)) == 1
