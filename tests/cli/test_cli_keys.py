"""`mrvrs keys rotate-data` on the embedded store and on the real server."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from pymongo import MongoClient

from app.cli import main
from config.settings import load_settings
from tests.case_helpers import file_case
from tests.helpers import TEST_DATA_KEY, base_environ
from tests.intake_helpers import publish_shipped
from workflows.sealing import Sealer

NEW = Fernet.generate_key().decode()


@pytest.fixture
def store(request, monkeypatch):
    """(environment extras, database) of one store the command and the app share."""
    if request.param == "mongomock":
        from config.database import connect

        db = connect(load_settings(base_environ()))  # the embedded store, GridFS included
        monkeypatch.setattr("app.connect", lambda settings: db)
        yield {}, db
        return
    uri = request.getfixturevalue("mongo_uri")
    name = f"mrvrs_cli_{uuid.uuid4().hex[:8]}"
    client = MongoClient(uri, tz_aware=True)
    yield {"MRVRS_MONGO_URI": uri, "MRVRS_DB_NAME": name}, client[name]
    client.drop_database(name)
    client.close()


def _app(extra: dict, db, data_key: str):
    from app import create_app

    settings = load_settings(base_environ(MRVRS_DATA_KEY=data_key, **extra))
    return create_app(settings, database=db)


@pytest.mark.parametrize("store", ["mongomock", pytest.param("server",
                                                             marks=pytest.mark.integration)],
                         indirect=True)
def test_rotate_data__cases_filed_under_the_old_key__readable_with_only_the_new_one(store):
    extra, db = store
    svc = _app(extra, db, TEST_DATA_KEY).extensions["mrvrs"]
    publish_shipped(svc)
    filed = [file_case(svc, route=False) for _ in range(3)]
    assert all(case["sensitive"] for case in filed)
    opened = svc.sealer.open(filed[0]["sensitive"])

    env = base_environ(MRVRS_DATA_KEY=f"{NEW},{TEST_DATA_KEY}", **extra)
    result = CliRunner().invoke(main, ["keys", "rotate-data", "--batch-size", "2"], env=env)
    assert result.exit_code == 0, result.output
    assert "re-sealed 3 of 3 cases" in result.output

    only_new = _app(extra, db, NEW).extensions["mrvrs"]
    for case in filed:
        stored = only_new.cases.get(case["_id"])
        assert only_new.sealer.open(stored["sensitive"]) == svc.sealer.open(case["sensitive"])
    assert only_new.sealer.open(only_new.cases.get(filed[0]["_id"])["sensitive"]) == opened
    events = [e for e in db.audit_events.find({"action": "keys.rotate_data"})]
    assert [(e["details"]["resealed"], e["details"]["checked"]) for e in events] == [(3, 3)]

    again = CliRunner().invoke(main, ["keys", "rotate-data"], env=env)
    assert again.exit_code == 0 and "re-sealed 0 of 3" in again.output


@pytest.mark.parametrize("store", ["mongomock"], indirect=True)
def test_rotate_data__old_key_left_out__names_the_cases_and_exits_1(store):
    extra, db = store
    svc = _app(extra, db, TEST_DATA_KEY).extensions["mrvrs"]
    publish_shipped(svc)
    case = file_case(svc, route=False)

    result = CliRunner().invoke(main, ["keys", "rotate-data"], env=base_environ(
        MRVRS_DATA_KEY=NEW, **extra))

    assert result.exit_code == 1
    assert case["_id"] in result.output and "none of the listed keys" in result.output
    assert Sealer(TEST_DATA_KEY).open(db.cases.find_one({"_id": case["_id"]})["sensitive"])


def test_rotate_data__bad_key__one_clear_line_naming_the_variable():
    result = CliRunner().invoke(main, ["keys", "rotate-data"], env=base_environ(
        MRVRS_DATA_KEY=f"{NEW},nonsense"))
    assert result.exit_code == 1
    assert "MRVRS_DATA_KEY: key 2 of 2 is not a Fernet key" in result.output
    assert "Traceback" not in result.output and NEW not in result.output
