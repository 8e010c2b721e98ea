"""The audit log on both stores: the keyed chain, anchors, tampering found, concurrent writers."""

import itertools
import threading
from collections import Counter

import pytest

from app.audit import AnchorError, AuditKeys, AuditLog, legacy_hash, make_anchor
from app.audit.anchors import dumps, loads

KEY = "audit-key-for-tests-" + "k" * 24
KEYS = AuditKeys([KEY])


@pytest.fixture
def log(any_db):
    audit = AuditLog(any_db, KEYS)
    audit.ensure_indexes()
    return audit


def _write(log, n: int) -> list[dict]:
    return [log.record("thing.happened", actor="u_1", target=f"t_{i}", n=i) for i in range(n)]


def _anchor_newest(log):
    event = log.recent(1)[0]
    return make_anchor(log.keys, event["seq"], event["hash"], event["at"])


# -- the three tampering attacks of the security review ------------------------------------

def _delete_newest(db) -> None:
    newest = db.audit_events.find_one({}, sort=[("seq", -1)])
    db.audit_events.delete_one({"seq": newest["seq"]})


def _cut_three_and_set_head_back(db) -> None:
    newest = db.audit_events.find_one({}, sort=[("seq", -1)])["seq"]
    db.audit_events.delete_many({"seq": {"$gt": newest - 3}})
    kept = db.audit_events.find_one({"seq": newest - 3})
    db.audit_head.update_one({}, {"$set": {"seq": kept["seq"], "hash": kept["hash"]},
                                  "$unset": {"event": ""}})


def _alter_and_rechain(db, seal, start: int = 2, stop: int | None = None) -> None:
    """Alter one event and recompute every later link and hash (up to `stop`) with `seal`,
    as someone with write access to the database but without the audit key can."""
    prev = db.audit_events.find_one({"seq": start - 1}, {"_id": 0})
    chosen = {"$gte": start, **({"$lte": stop} if stop else {})}
    for event in list(db.audit_events.find({"seq": chosen}, {"_id": 0}).sort("seq")):
        if event["seq"] == start:
            event["details"]["n"] = 99
        event["prev_hash"] = prev["hash"] if prev else "0" * 64
        event["hash"] = seal(event)
        db.audit_events.replace_one({"seq": event["seq"]}, event)
        prev = event
    if stop is None:
        db.audit_head.update_one({}, {"$set": {"hash": prev["hash"]}})


def _plain_sha256_keeping_the_scheme(event: dict) -> str:
    return legacy_hash(event)


def _plain_sha256_as_legacy(event: dict) -> str:
    event.pop("scheme", None)
    event.pop("key_id", None)
    return legacy_hash(event)


def _a_guessed_key(event: dict) -> str:
    forged = AuditKeys(["not-the-audit-key-" + "x" * 30])
    key_id = event["key_id"]
    sealed = forged.seal(event)["hash"]
    event["key_id"] = key_id  # claims the real key
    return sealed


def test_attack__newest_event_deleted__found_without_an_anchor(log, any_db):
    _write(log, 5)
    _delete_newest(any_db)
    report = log.verify()
    assert not report.intact and report.first_bad_seq == 5, report
    assert "event 5 is missing: the head records event 5" in report.problem


def test_attack__newest_event_deleted__found_by_an_anchor(log, any_db):
    _write(log, 5)
    anchor = _anchor_newest(log)
    _delete_newest(any_db)
    any_db.audit_head.update_one({}, {"$set": {"seq": 4, "hash": log.recent(1)[0]["hash"]}})
    report = log.verify([anchor])
    assert not report.intact and report.first_bad_seq == 5
    assert "is gone: the log now ends at event 4" in report.problem


def test_attack__last_three_cut_and_head_set_back__found_by_an_anchor(log, any_db):
    _write(log, 6)
    anchor = _anchor_newest(log)
    _write(log, 2)
    assert log.verify([anchor]).intact  # a later anchor-free stretch is fine
    _cut_three_and_set_head_back(any_db)
    report = log.verify([anchor])
    assert not report.intact and report.first_bad_seq == 6, report
    assert "anchored at" in report.problem and "is gone" in report.problem


@pytest.mark.parametrize("seal", [_plain_sha256_keeping_the_scheme, _plain_sha256_as_legacy,
                                  _a_guessed_key])
def test_attack__event_altered_and_later_hashes_recomputed__found(log, any_db, seal):
    _write(log, 5)
    _alter_and_rechain(any_db, seal)
    report = log.verify()
    assert not report.intact and report.first_bad_seq == 2, report
    assert "altered" in report.problem or "rewritten" in report.problem


def test_attack__whole_log_rewritten_as_legacy__shown_in_the_count_and_found_by_an_anchor(
        log, any_db):
    """Rewritten from the first event as if written before keyed sealing, the log holds
    together as a plain chain: verify says so in its count, and any anchor finds it."""
    _write(log, 4)
    anchor = _anchor_newest(log)
    _alter_and_rechain(any_db, _plain_sha256_as_legacy, start=1)
    plain = log.verify()
    assert plain.intact and plain.legacy == 4
    report = log.verify([anchor])
    assert not report.intact and "differs from its anchor" in report.problem


# -- the chain itself ---------------------------------------------------------------------

def test_chain__intact_then_alteration_found(log, any_db):
    _write(log, 5)
    report = log.verify()
    assert report.intact and report.checked == 5 and report.legacy == 0
    any_db.audit_events.update_one({"seq": 3}, {"$set": {"details.n": 99}})
    report = log.verify()
    assert not report.intact and report.first_bad_seq == 3
    assert "altered" in report.problem


def test_chain__events_are_keyed_hmacs_not_plain_hashes(log):
    event = log.record("thing.happened", actor=None)
    assert event["scheme"] == "hmac-sha256" and event["key_id"] == KEYS.current_id
    assert event["hash"] != legacy_hash(event)
    assert KEY not in str(event)


def test_chain__removed_event_found(log, any_db):
    _write(log, 4)
    any_db.audit_events.delete_one({"seq": 2})
    report = log.verify()
    assert report.first_bad_seq == 2 and "missing" in report.problem


def test_chain__renumbered_after_removal_found(log, any_db):
    _write(log, 4)
    any_db.audit_events.delete_one({"seq": 2})
    any_db.audit_events.update_one({"seq": 3}, {"$set": {"seq": 2}})
    assert log.verify().first_bad_seq == 2


def test_chain__holds_over_many_records(log):
    _write(log, 60)
    report = log.verify()
    assert report.intact and report.checked == 60 and report.last_seq == 60
    assert [e["seq"] for e in log.recent(3)] == [60, 59, 58]


def test_chain__writers_taking_turns_each_find_the_other_s_event(log, any_db):
    """Each writer first tries the head as it left it; the other's event in between
    makes that try fail, and the event goes after the other's, not beside it."""
    other = AuditLog(any_db, KEYS)
    for i in range(6):
        (log if i % 2 else other).record("thing.happened", actor=f"u_{i % 2}", n=i)
    log.record("thing.happened", actor="u_1", n=6)  # twice in a row: its guess holds
    events = list(any_db.audit_events.find({}).sort("seq"))
    assert [e["details"]["n"] for e in events] == list(range(7))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    assert log.verify().intact and log.verify().checked == 7


def test_chain__removed_last_event_found_once_the_next_is_written(log, any_db):
    _write(log, 3)
    any_db.audit_events.delete_one({"seq": 3})
    log.record("thing.happened", actor=None)
    report = log.verify()
    assert report.first_bad_seq == 3 and "missing" in report.problem


# -- legacy events and key rotation ---------------------------------------------------------

def _legacy_events(db, n: int) -> None:
    """Events as versions before keyed sealing wrote them: plain SHA-256, no scheme."""
    prev = "0" * 64
    for i in range(n):
        event = {"seq": i + 1, "at": "2026-01-01T00:00:00.000+00:00", "action": "old.thing",
                 "actor": None, "target": None, "details": {"n": i}, "prev_hash": prev}
        event["hash"] = prev = legacy_hash(event)
        db.audit_events.insert_one(event)
    db.audit_head.insert_one({"_id": "head", "seq": n, "hash": prev})


def test_legacy__earlier_plain_events_verify_and_are_counted(log, any_db):
    _legacy_events(any_db, 3)
    _write(log, 2)
    report = log.verify()
    assert report.intact and report.checked == 5 and report.legacy == 3


def test_legacy__altering_a_legacy_event_breaks_the_keyed_one_after_it(log, any_db):
    _legacy_events(any_db, 3)
    _write(log, 2)
    _alter_and_rechain(any_db, _plain_sha256_as_legacy, start=2, stop=3)
    report = log.verify()
    assert not report.intact and report.first_bad_seq == 4


def test_rotation__old_key_kept_for_checking__verifies(any_db):
    old = AuditLog(any_db, KEYS)
    old.ensure_indexes()
    _write(old, 2)
    new_key = "rotated-audit-key-" + "r" * 30
    rotated = AuditLog(any_db, AuditKeys([new_key, KEY]))
    _write(rotated, 2)
    assert rotated.recent(1)[0]["key_id"] != KEYS.current_id
    assert rotated.verify().intact and rotated.verify().checked == 4
    dropped = AuditLog(any_db, AuditKeys([new_key])).verify()
    assert dropped.first_bad_seq == 1 and "key this deployment does not have" in dropped.problem


def test_rotation__a_later_event_resealed_with_the_retired_key__found(any_db):
    """Whoever holds a retired key cannot reseal events written after the rotation."""
    old = AuditLog(any_db, KEYS)
    old.ensure_indexes()
    _write(old, 2)
    rotated = AuditLog(any_db, AuditKeys(["rotated-audit-key-" + "r" * 30, KEY]))
    _write(rotated, 3)
    _alter_and_rechain(any_db, lambda event: KEYS.seal(event)["hash"], start=4)
    report = rotated.verify()
    assert not report.intact and report.first_bad_seq == 4 and "retired key" in report.problem


# -- anchors ------------------------------------------------------------------------------

def test_anchor__round_trips_and_refuses_alteration_or_another_key(log):
    _write(log, 2)
    text = dumps(_anchor_newest(log))
    assert loads(text, KEYS, "a.json").seq == 2
    with pytest.raises(AnchorError, match="valid signature"):
        loads(text.replace('"seq": 2', '"seq": 1'), KEYS, "a.json")
    with pytest.raises(AnchorError, match="does not have"):
        loads(text, AuditKeys(["another-audit-key-" + "z" * 30]), "a.json")
    with pytest.raises(AnchorError, match="not an audit anchor"):
        loads("{}", KEYS, "a.json")


def test_anchor__of_a_rewritten_event__found(log, any_db):
    _write(log, 4)
    anchor = make_anchor(KEYS, 2, log.recent(4)[-2]["hash"], "then")
    any_db.audit_events.update_one({"seq": 2}, {"$set": {"hash": "f" * 64}})
    report = log.verify([anchor])
    assert not report.intact and report.first_bad_seq == 2


# -- the head, and writers that stop or race --------------------------------------------------

def _append_without_the_head(db, log) -> None:
    """An event appended the way earlier versions did, by a writer that died before moving
    the head."""
    after = log.recent(1)[0]
    event = KEYS.seal({"seq": after["seq"] + 1, "at": after["at"], "action": "thing.orphaned",
                       "actor": None, "target": None, "details": {},
                       "prev_hash": after["hash"]})
    db.audit_events.insert_one(event)


def _head_set_back(db, log) -> None:
    first = log.recent(3)[-1]
    db.audit_head.update_many({}, {"$set": {"seq": first["seq"], "hash": first["hash"]}})


def _head_lost(db, log) -> None:
    """As in a log written before the head document existed."""
    db.audit_head.delete_many({})


@pytest.mark.parametrize("make_stale", [_append_without_the_head, _head_set_back, _head_lost])
def test_head__stale_heals_and_chain_stays_intact(log, any_db, make_stale):
    _write(log, 4)
    make_stale(any_db, log)
    before = log.recent(1)[0]["seq"]
    first, second = log.record("after.stale", actor=None), log.record("after.heal", actor=None)
    assert (first["seq"], second["seq"]) == (before + 1, before + 2)
    assert first["prev_hash"] == log.recent(3)[-1]["hash"]
    report = log.verify()
    assert report.intact and report.checked == before + 2


def test_head__writer_stopped_after_taking_the_head__its_event_is_stored_by_the_next(
        log, any_db):
    """A writer moved the head to its event and stopped before inserting it."""
    _write(log, 2)
    newest = log.recent(1)[0]
    stranded = KEYS.seal({"seq": 3, "at": newest["at"], "action": "thing.stranded",
                          "actor": None, "target": None, "details": {},
                          "prev_hash": newest["hash"]})
    any_db.audit_head.update_one({}, {"$set": {"seq": 3, "hash": stranded["hash"],
                                               "event": stranded}})
    assert log.verify().intact  # in flight is not missing
    after = log.record("after.stop", actor=None)
    assert after["seq"] == 4 and after["prev_hash"] == stranded["hash"]
    assert [e["action"] for e in log.recent(2)] == ["after.stop", "thing.stranded"]
    assert log.verify().intact and log.verify().checked == 4


@pytest.mark.integration
def test_head__concurrent_writers_leave_every_event_in_a_gapless_intact_chain(real_db):
    """On a server, not the embedded store: each writer takes its own place through the
    head, so no event is lost and no insert races another on the unique seq."""
    AuditLog(real_db, KEYS).ensure_indexes()
    writers, each = 8, 25
    barrier, errors = threading.Barrier(writers), []

    def write(n: int) -> None:
        log = AuditLog(real_db, KEYS)
        barrier.wait()
        try:
            for i in range(each):
                log.record("thing.happened", actor=f"u_{n}", n=i)
        except Exception as exc:  # noqa: BLE001  every failure counts, reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    log = AuditLog(real_db, KEYS)
    events = list(real_db.audit_events.find({}, {"seq": 1, "actor": 1, "details": 1}))
    assert errors == [], errors
    assert sorted(e["seq"] for e in events) == list(range(1, writers * each + 1))
    assert Counter(e["actor"] for e in events) == {f"u_{n}": each for n in range(writers)}
    report = log.verify()
    assert report.intact and report.checked == writers * each, report
    assert log.record("after.race", actor=None)["seq"] == writers * each + 1
