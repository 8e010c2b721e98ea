"""The digest on both stores: a window counted from the indexed notifications, one
message per person and period, the window's end only ever moving on."""

from datetime import UTC, datetime, timedelta

from workflows.digests import send_digests
from workflows.notifications import NotificationStore, StaffDirectory
from workflows.routing import load_routing_rules

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def _setup(db):
    import yaml

    from tests.stores.test_case_queue import CONFIG

    rules = load_routing_rules(yaml.safe_load((CONFIG / "routing.yaml").read_text()))
    db.users.insert_many([
        {"_id": "u_rev", "email": "rev@example.org", "roles": ["reviewer"],
         "countries": ["MY"], "active": True},
        {"_id": "u_hour", "email": "hour@example.org", "roles": ["reviewer"],
         "countries": ["MY"], "active": True, "digest": "hourly"},
        {"_id": "u_off", "email": "", "roles": ["reviewer"], "countries": ["MY"],
         "active": True}])
    clock = [DAY - timedelta(hours=3)]
    store = NotificationStore(db, StaffDirectory(db, rules), clock=lambda: clock[0])
    store.ensure_indexes()
    case = {"_id": "c_1", "reference": "MY-2026-000001", "team": "my-team"}
    store.notify("new_case", case, ["team:my-team"], "arrival-1")
    clock[0] = DAY - timedelta(minutes=30)
    store.notify("reminder", case, ["team:my-team"], "reminder-1")
    return store


def test_digest__once_per_person_and_period_on_both_stores(any_db):
    _setup(any_db)
    queued = []
    for minutes in (5, 6, 40):  # three runs in the first hour of the day
        send_digests(any_db, queued.append, DAY + timedelta(minutes=minutes), "https://x.org")
    daily = list(any_db.outbox.find({"to": "rev@example.org"}))
    hourly = list(any_db.outbox.find({"to": "hour@example.org"}))
    assert len(daily) == 1 and "1 new case reached your team" in daily[0]["body"]
    assert "1 other notification" in daily[0]["body"]
    assert len(hourly) == 1 and "new case" not in hourly[0]["body"]  # 23:00-24:00 only
    assert sorted(queued) == sorted([daily[0]["_id"], hourly[0]["_id"]])
    assert any_db.outbox.count_documents({}) == 2
    state = any_db.digests.find_one({"_id": "u_rev"})["until"]
    assert state.replace(tzinfo=UTC) == DAY
    any_db.digests.update_one({"_id": "u_rev"}, {"$max": {"until": DAY - timedelta(days=9)}})
    assert any_db.digests.find_one({"_id": "u_rev"})["until"].replace(tzinfo=UTC) == DAY
