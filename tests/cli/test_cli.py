import uuid

import pytest
from pymongo import MongoClient

from app.cli import main
from tests.helpers import base_environ


@pytest.mark.parametrize("command", [[], ["run"], ["worker"], ["beat"], ["db", "init"],
                                     ["users", "create"], ["audit", "verify"],
                                     ["audit", "anchor"],
                                     ["keys", "generate"], ["keys", "rotate-data"]])
def test_every_command_has_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_bad_setting__one_clear_line(runner):
    result = runner.invoke(main, ["db", "init"], env={"MRVRS_MONGO_URI": "nonsense"})
    assert result.exit_code == 1
    assert "MRVRS_MONGO_URI must start with mongodb://" in result.output
    assert "Traceback" not in result.output


def test_users_create__unknown_role__refused(runner):
    result = runner.invoke(main, ["users", "create", "--email", "a@example.org",
                                  "--role", "boss"], env=base_environ())
    assert result.exit_code == 1 and "'boss' is not a role" in result.output


def test_worker__without_broker__explains(runner):
    result = runner.invoke(main, ["worker"], env=base_environ())
    assert result.exit_code == 1 and "MRVRS_BROKER_URL is not set" in result.output


def test_keys_generate__prints_usable_keys(runner):
    from config.settings import load_settings

    result = runner.invoke(main, ["keys", "generate"])
    environ = dict(line.split("=", 1) for line in result.output.split())
    settings = load_settings({**environ, "MRVRS_ENV": "production"})
    assert settings.production and settings.data_key and settings.audit_keys


@pytest.fixture
def server_env(mongo_uri):
    name = f"mrvrs_cli_{uuid.uuid4().hex[:8]}"
    yield base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name)
    client = MongoClient(mongo_uri)
    client.drop_database(name)
    client.close()


@pytest.mark.integration
def test_cli_on_server__db_init_users_create_duplicate_and_audit_verify(runner, server_env,
                                                                        mongo_uri):
    init = runner.invoke(main, ["db", "init"], env=server_env)
    assert init.exit_code == 0, init.output
    assert "created administrator admin@mrvrs.local" in init.output
    assert runner.invoke(main, ["db", "init"], env=server_env).exit_code == 0

    create = ["users", "create", "--email", "rev@example.org", "--role", "reviewer",
              "--country", "MY", "--org", "Harbour Aid", "--org-country", "MY"]
    first = runner.invoke(main, create, env=server_env)
    assert first.exit_code == 0 and "password:" in first.output
    again = runner.invoke(main, create, env=server_env)
    assert again.exit_code == 1 and "already exists" in again.output

    verify = runner.invoke(main, ["audit", "verify"], env=server_env)
    assert verify.exit_code == 0 and "audit log intact:" in verify.output

    client = MongoClient(mongo_uri)
    client[server_env["MRVRS_DB_NAME"]].audit_events.update_one(
        {"seq": 1}, {"$set": {"actor": "someone else"}})
    client.close()
    broken = runner.invoke(main, ["audit", "verify"], env=server_env)
    assert broken.exit_code == 1 and "broken at event 1" in broken.output
