"""`mrvrs db migrate` on the embedded store and on the real server: the "No"s unticked
boxes left in cases filed before yes/no questions become "not answered", in the plain and
the sealed answers; a ticked yes stays; each change is on the case's timeline and in the
audit log; a second run changes nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli import main
from tests.case_helpers import file_case
from tests.cli.test_cli_keys import _app, store  # noqa: F401  (fixture)
from tests.helpers import TEST_DATA_KEY, base_environ
from tests.intake_helpers import publish_shipped

BOTH = pytest.mark.parametrize(
    "store", ["mongomock", pytest.param("server", marks=pytest.mark.integration)],
    indirect=True)


def _as_filed_before(svc, case, plain, sealed):
    """The case as the release with yes/no boxes stored it: no answers format, false for
    each box left unticked."""
    opened = svc.sealer.open(case["sensitive"])
    svc.db.cases.update_one({"_id": case["_id"]}, {
        "$unset": {"answers_format": ""},
        "$set": {"answers": {**case["answers"], **plain},
                 "sensitive": svc.sealer.seal({**opened, **sealed})}})


def _migrate(extra):
    return CliRunner().invoke(main, ["db", "migrate", "--batch-size", "2"],
                              env=base_environ(MRVRS_DATA_KEY=TEST_DATA_KEY, **extra))


@BOTH
def test_migrate__unticked_boxes_become_not_answered_once(store):
    extra, db = store
    svc = _app(extra, db, TEST_DATA_KEY).extensions["mrvrs"]
    publish_shipped(svc)
    old = file_case(svc, route=False)
    _as_filed_before(svc, old, {"ongoing": False, "live_in": True, "interpreter_needed": False},
                     {"sexual_violence": False})
    untouched = file_case(svc, route=False)
    _as_filed_before(svc, untouched, {"ongoing": True}, {})
    new = file_case(svc, route=False, answers={**_answers(), "ongoing": False})

    result = _migrate(extra)
    assert result.exit_code == 0, result.output
    assert "checked 2 cases" in result.output and "1 had unticked" in result.output

    after = db.cases.find_one({"_id": old["_id"]})
    assert after["answers_format"] == 2 and after["version"] == old["version"] + 1
    assert "ongoing" not in after["answers"] and "interpreter_needed" not in after["answers"]
    assert after["answers"]["live_in"] is True
    assert "sexual_violence" not in svc.sealer.open(after["sensitive"])
    assert svc.sealer.open(after["sensitive"])["full_name"] == "Siti Rahmah"
    event = after["events"][-1]
    assert event["kind"] == "answers_migrated" and event["data"]["cleared"] == [
        "interpreter_needed", "ongoing", "sexual_violence"]
    audit = db.audit_events.find_one({"action": "case.answers_migrated"})
    assert audit["target"] == old["_id"]

    kept = db.cases.find_one({"_id": untouched["_id"]})
    assert kept["answers"]["ongoing"] is True and kept["answers_format"] == 2
    assert kept["version"] == untouched["version"] and len(kept["events"]) == 1
    assert db.cases.find_one({"_id": new["_id"]})["answers"]["ongoing"] is False

    again = _migrate(extra)
    assert again.exit_code == 0 and "checked 0 cases" in again.output
    assert "event period of 0 cases" in again.output
    assert db.cases.find_one({"_id": old["_id"]})["version"] == after["version"]
    runs = [e["details"]["changed"] for e in db.audit_events.find({"action": "db.migrate"})]
    assert runs == [1, 0]


@BOTH
def test_migrate__event_period_of_older_cases_from_their_answers(store):
    extra, db = store
    svc = _app(extra, db, TEST_DATA_KEY).extensions["mrvrs"]
    publish_shipped(svc)
    dated = file_case(svc, route=False, answers={**_answers(), "event_year": 2005,
                                                 "event_month": "03",
                                                 "event_approximate": True})
    undated = file_case(svc, route=False)
    db.cases.update_many({}, {"$unset": {"event": ""}})
    result = _migrate(extra)
    assert result.exit_code == 0, result.output
    assert "event period of 2 cases" in result.output
    assert db.cases.find_one({"_id": dated["_id"]})["event"] == {
        "start": "2005-03-01", "end": "2005-03-31", "precision": "month", "approximate": True}
    assert db.cases.find_one({"_id": undated["_id"]})["event"] is None
    assert db.cases.find_one({"_id": dated["_id"]})["version"] == dated["version"]


@pytest.mark.parametrize("store", ["mongomock"], indirect=True)
def test_migrate__unreadable_sealed_answers__named_and_exit_1(store):
    extra, db = store
    svc = _app(extra, db, TEST_DATA_KEY).extensions["mrvrs"]
    publish_shipped(svc)
    case = file_case(svc, route=False)
    db.cases.update_one({"_id": case["_id"]}, {"$unset": {"answers_format": ""},
                                               "$set": {"sensitive": "not-a-sealed-value"}})
    result = _migrate(extra)
    assert result.exit_code == 1 and case["_id"] in result.output
    assert "answers_format" not in db.cases.find_one({"_id": case["_id"]})


def _answers():
    from tests.case_helpers import ANSWERS

    return dict(ANSWERS)
