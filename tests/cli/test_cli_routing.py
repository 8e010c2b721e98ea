"""Routing on the command line: `db init` imports the seed once, and `forms publish`
refuses a form for a country no team covers until the routing covers or accepts it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pymongo import MongoClient

from app.cli import main
from tests.helpers import base_environ
from workflows.routing_edits import accept_fallback
from workflows.routing_store import RoutingStore

DEFINITIONS = Path(__file__).resolve().parents[2] / "forms" / "definitions"
LAOS = (DEFINITIONS / "np-intake.yaml").read_text(encoding="utf-8").replace(
    "form: np-intake", "form: la-intake").replace("country: NP", "country: LA")


@pytest.fixture
def laos_file(tmp_path):
    path = tmp_path / "la.yaml"
    path.write_text(LAOS, encoding="utf-8")
    return str(path)


def test_publish__country_no_team_covers__refused_naming_the_fix(runner, laos_file):
    result = runner.invoke(main, ["forms", "publish", laos_file], env=base_environ())
    assert result.exit_code == 1, result.output
    assert "No team covers LA" in result.output
    assert "on the Routing page, or an administrator" in result.output
    assert "published" not in result.stdout


@pytest.fixture
def server_env(mongo_uri):
    name = f"mrvrs_cli_routing_{uuid.uuid4().hex[:8]}"
    yield base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name), name
    client = MongoClient(mongo_uri)
    client.drop_database(name)
    client.close()


@pytest.mark.integration
def test_db_init__seed_imported_once__then_accepting_the_country_lets_publish(
        runner, server_env, mongo_uri, laos_file):
    env, name = server_env
    first = runner.invoke(main, ["db", "init"], env=env)
    assert first.exit_code == 0, first.output
    assert "imported the routing seed file as routing version 1" in first.output
    again = runner.invoke(main, ["db", "init"], env=env)
    assert again.exit_code == 0 and "routing seed" not in again.output
    client = MongoClient(mongo_uri, tz_aware=True)
    try:
        store = RoutingStore(client[name])
        assert store.latest_number() == 1
        refused = runner.invoke(main, ["forms", "publish", laos_file], env=env)
        assert refused.exit_code == 1 and "No team covers LA" in refused.output
        store.save(accept_fallback(store.latest()["config"], "LA"), expected=1, actor="admin")
        published = runner.invoke(main, ["forms", "publish", laos_file], env=env)
        assert published.exit_code == 0, published.output
        assert "published la-intake version 1" in published.output
    finally:
        client.close()
