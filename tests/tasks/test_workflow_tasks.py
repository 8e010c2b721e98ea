"""The workflow tasks' bodies without a broker: thin adapters around plain functions,
retries with back-off, a failure record when they give up; the schedule and the
configuration read once at start-up."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import mongomock
import pytest
import yaml
from click.testing import CliRunner
from pymongo.errors import AutoReconnect

import config
from config.settings import load_settings
from forms.dimensions import load_dimensions
from tests.helpers import alias_bomb, base_environ
from workflows import tasks
from workflows.celery_app import make_celery
from workflows.schedule import SWEEP_TASKS, beat_schedule
from workflows.workflow_config import WorkflowConfigError


@pytest.fixture
def celery_env():
    settings = load_settings(base_environ(MRVRS_TASK_MAX_RETRIES="2",
                                          MRVRS_TASK_RETRY_SECONDS="0.5"))
    db = mongomock.MongoClient(tz_aware=True)["tasks"]
    return make_celery(settings, database=db), db


def submitted(db, case_id="c_000001", minutes_ago=0):
    now = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    db.cases.insert_one({
        "_id": case_id, "reference": f"MY-2026-{int(case_id[2:], 16):06d}", "country": "MY",
        "stage": "submitted", "version": 1, "answers": {}, "dimensions": {}, "flags": {},
        "priority": "normal", "assignee": None, "follow_ups": [], "created_at": now,
        "updated_at": now, "events": [{"at": now, "actor": "reporter", "from": None,
                                       "to": "submitted", "note": "", "kind": "transition"}]})


def test_route_case__routes_once_however_often_delivered(celery_env):
    _, db = celery_env
    submitted(db)
    assert tasks.route_case.apply(args=["c_000001"]).get() is True
    assert tasks.route_case.apply(args=["c_000001"]).get() is True
    case = db.cases.find_one({"_id": "c_000001"})
    assert case["stage"] == "in_review" and case["version"] == 2 and case["team"] == "my-team"


def test_route_case__unknown_case__false(celery_env):
    assert tasks.route_case.apply(args=["c_00000f"]).get() is False


class FakeTask:
    """What `run` reads of a bound task: its app, retry count, id, name and `retry`."""

    def __init__(self, app, retries):
        self.app, self.name = app, "mrvrs.route_case"
        self.request = SimpleNamespace(retries=retries, id="t-1")
        self.retried = None

    def retry(self, exc, countdown):
        self.retried = countdown
        return RuntimeError("retry requested")


def failing(workflow):
    raise AutoReconnect("database away")


def test_run__transient_failure__retry_with_growing_countdown(celery_env):
    celery, _ = celery_env
    countdowns = []
    for retries in (0, 1):
        task = FakeTask(celery, retries)
        with pytest.raises(RuntimeError):
            tasks.run(task, failing, "c_1")
        countdowns.append(task.retried)
    assert countdowns == [0.5, 1.0]


def test_run__out_of_retries__failure_recorded_and_case_untouched(celery_env):
    celery, db = celery_env
    submitted(db)
    before = db.cases.find_one({"_id": "c_000001"})
    result = tasks.run(FakeTask(celery, 2), failing, "c_000001")
    assert result == {"failed": "AutoReconnect: database away"}
    [record] = list(db.task_failures.find())
    assert (record["task"], record["args"], record["retries"]) == (
        "mrvrs.route_case", ["c_000001"], 2)
    assert db.cases.find_one({"_id": "c_000001"}) == before


def test_sweep_submitted__enqueues_routing_for_old_submitted_cases(celery_env):
    _, db = celery_env
    submitted(db, "c_000001", minutes_ago=5)
    submitted(db, "c_000002", minutes_ago=0)
    assert tasks.sweep_submitted.apply().get() == 1
    assert db.cases.find_one({"_id": "c_000001"})["stage"] == "in_review"
    assert db.cases.find_one({"_id": "c_000002"})["stage"] == "submitted"


def test_sweeps__run_with_nothing_due(celery_env):
    for task in (tasks.sweep_reminders, tasks.sweep_escalations, tasks.sweep_follow_ups,
                 tasks.sweep_outbox):
        assert task.apply().get() == 0


def test_send_outbox__without_smtp__nothing_to_do(celery_env):
    assert tasks.send_outbox.apply(args=["m:x"]).get() == "no-smtp"


def test_beat_schedule__one_entry_per_sweep_from_settings():
    settings = load_settings(base_environ(MRVRS_SWEEP_INTERVALS="catch_up=30"))
    schedule = make_celery(settings).conf.beat_schedule
    assert {e["task"] for e in schedule.values()} == set(SWEEP_TASKS.values())
    assert schedule["sweep-catch_up"]["schedule"] == 30.0
    assert schedule["sweep-catch_up"]["options"]["expires"] == 30.0
    with pytest.raises(ValueError):
        beat_schedule({"gardening": 5})


BROKEN_STAGES = "initial: submitted\nstages: {submitted: {}}\ntransitions: []\n"


def test_start_up__broken_stage_file__stops_with_the_file_and_problems(tmp_path):
    from app import create_app

    path = tmp_path / "stages.yaml"
    path.write_text(BROKEN_STAGES)
    with pytest.raises(WorkflowConfigError, match="stages.yaml: The stage graph has"):
        create_app(load_settings(base_environ(MRVRS_STAGES_FILE=str(path))))


def test_cli__broken_routing_file__one_clear_error(tmp_path, monkeypatch):
    from app.cli import main

    path = tmp_path / "routing.yaml"
    path.write_text("teams: [nope\n")
    for name, value in base_environ(MRVRS_ROUTING_FILE=str(path)).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["db", "init"])
    assert result.exit_code == 1
    assert "routing.yaml: is not valid YAML" in result.output


def test_start_up__routing_value_no_form_stores__stops_with_file_rule_and_value(tmp_path):
    from app import create_app

    shipped = yaml.safe_load((Path(config.__file__).parent / "routing.yaml").read_text())
    child_rule = next(r for r in shipped["priority_rules"] if r.get("dimension") == "age_band")
    child_rule["values"] = ["<15", *child_rule["values"][1:]]
    path = tmp_path / "my-routing.yaml"
    path.write_text(yaml.safe_dump(shipped))
    with pytest.raises(WorkflowConfigError) as error:
        create_app(load_settings(base_environ(MRVRS_ROUTING_FILE=str(path))))
    message = str(error.value)
    assert message.startswith(f"{path}: The routing rules ")
    assert f"priority_rules.{child_rule['id']}.values: Rule {child_rule['id']} names '<15'" in message
    assert ", ".join(load_dimensions().get("age_band").values or ()) in message


@pytest.mark.parametrize("name", ["stages.yaml", "routing.yaml"])
def test_start_up__alias_bomb_in_a_workflow_file__refused_before_expanding(tmp_path, name):
    from app import create_app

    path = tmp_path / name
    path.write_text(alias_bomb(4).replace("form: bomb\n", ""))
    variable = "MRVRS_STAGES_FILE" if name == "stages.yaml" else "MRVRS_ROUTING_FILE"
    with pytest.raises(WorkflowConfigError, match=rf"{name}:2 a1\[0\]: Anchors and aliases"):
        create_app(load_settings(base_environ(**{variable: str(path)})))


def test_identity_secret__worker_and_web_derive_the_same_key(svc):
    from workflows.assembly import identity_secret

    assert identity_secret(svc.settings) == svc.identity_secret
    assert svc.workflow.identity_secret == svc.identity_secret


def _digest_env(smtp: bool):
    environ = {"MRVRS_SMTP_URL": "smtp://mail.example.org:25"} if smtp else {}
    settings = load_settings(base_environ(**environ))
    db = mongomock.MongoClient(tz_aware=True)["digest_task"]
    celery = make_celery(settings, database=db)
    celery.mrvrs_mail_transport = SimpleNamespace(send=lambda message: None)
    db.users.insert_one({"_id": "u_rev", "email": "rev@example.org", "roles": ["reviewer"],
                         "countries": ["MY"], "active": True, "digest": "hourly"})
    db.notifications.insert_one({"_id": "n1", "user_id": "u_rev", "kind": "new_case",
                                 "created_at": datetime.now(UTC) - timedelta(hours=1),
                                 "read": False})
    return celery, db


def test_send_digests__task_writes_once_and_sends_once():
    celery, db = _digest_env(smtp=True)
    assert celery.tasks["mrvrs.send_digests"].apply().get() == 1
    assert celery.tasks["mrvrs.send_digests"].apply().get() == 0  # a retry: nothing again
    [message] = list(db.outbox.find())
    assert message["status"] == "sent" and message["to"] == "rev@example.org"


def test_send_digests__without_smtp__nothing_written():
    celery, db = _digest_env(smtp=False)
    assert celery.tasks["mrvrs.send_digests"].apply().get() == 0
    assert db.outbox.count_documents({}) == 0
