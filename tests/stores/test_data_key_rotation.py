"""Rotating the data key: old answers stay readable, and re-sealing moves them to the new key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet

from workflows.repository import new_case_id
from workflows.resealing import reseal_cases
from workflows.sealing import Sealer, SealError

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))


def _case(repo, sealed: str | None, answers: dict | None = None) -> dict:
    now = datetime.now(UTC)
    event = {"at": now, "actor": "reporter", "from": None, "to": "submitted", "note": ""}
    return repo.insert({"_id": new_case_id(), "reference": repo.next_reference("MY", 2026),
                        "country": "MY", "stage": "submitted", "version": 1, "events": [event],
                        "created_at": now, "updated_at": now, "sensitive": sealed,
                        "answers": answers or {}})


def test_new_key_in_front__old_answers_still_open__new_ones_sealed_with_the_new_key():
    old_token = Sealer(OLD).seal({"passport_number": "A1234567"})
    rotated = Sealer(NEW, OLD)
    assert rotated.open(old_token) == {"passport_number": "A1234567"}
    new_token = rotated.seal({"full_name": "Siti Rahmah"})
    assert Sealer(NEW).open(new_token) == {"full_name": "Siti Rahmah"}
    with pytest.raises(SealError):
        Sealer(OLD).open(new_token)


def test_reseal__every_sealed_value_moves_to_the_newest_key__nothing_else_changes(repo):
    old_cases = [_case(repo, Sealer(OLD).seal({"full_name": f"Worker {i}"})) for i in range(5)]
    current = _case(repo, Sealer(NEW).seal({"full_name": "Already new"}))
    plain = _case(repo, None, {"narrative": "no sensitive answers"})
    before = {c["_id"]: repo.get(c["_id"]) for c in old_cases}

    report = reseal_cases(repo, Sealer(NEW, OLD), batch_size=2)

    assert (report.checked, report.resealed, report.current) == (6, 5, 1)
    assert report.complete
    only_new = Sealer(NEW)
    for i, case in enumerate(old_cases):
        stored = repo.get(case["_id"])
        assert only_new.open(stored["sensitive"]) == {"full_name": f"Worker {i}"}
        unchanged = {k: v for k, v in before[case["_id"]].items() if k != "sensitive"}
        assert {k: v for k, v in stored.items() if k != "sensitive"} == unchanged
    assert only_new.open(repo.get(current["_id"])["sensitive"]) == {"full_name": "Already new"}
    assert repo.get(plain["_id"])["sensitive"] is None


def test_reseal__run_again__idempotent(repo):
    for i in range(3):
        _case(repo, Sealer(OLD).seal({"n": i}))
    sealer = Sealer(NEW, OLD)
    reseal_cases(repo, sealer)
    before = {c["_id"]: c["sensitive"] for c in repo.sealed_after(None, 100)}

    again = reseal_cases(repo, sealer)

    assert (again.checked, again.resealed, again.current) == (3, 0, 3)
    assert {c["_id"]: c["sensitive"] for c in repo.sealed_after(None, 100)} == before


def test_reseal__interrupted_run__the_next_run_finishes_it(repo):
    ids = [_case(repo, Sealer(OLD).seal({"n": i}))["_id"] for i in range(5)]
    sealer = Sealer(NEW, OLD)

    def stop_after_first_batch(report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reseal_cases(repo, sealer, batch_size=2, progress=stop_after_first_batch)
    halfway = sum(Sealer(NEW).is_current(repo.get(i)["sensitive"]) for i in ids)
    assert halfway == 2

    report = reseal_cases(repo, sealer, batch_size=2)

    assert (report.resealed, report.current) == (3, 2)
    assert all(Sealer(NEW).open(repo.get(i)["sensitive"]) == {"n": n} for n, i in enumerate(ids))


def test_reseal__value_no_listed_key_opens__reported_and_left_as_is(repo):
    lost = _case(repo, Sealer(STRANGER).seal({"n": 1}))
    fine = _case(repo, Sealer(OLD).seal({"n": 2}))

    report = reseal_cases(repo, Sealer(NEW, OLD))

    assert report.unreadable == [lost["_id"]] and not report.complete
    assert report.resealed == 1
    assert repo.get(lost["_id"])["sensitive"] == lost["sensitive"]
    assert Sealer(NEW).open(repo.get(fine["_id"])["sensitive"]) == {"n": 2}


def test_replace_sealed__value_changed_meanwhile__not_overwritten(repo):
    case = _case(repo, Sealer(OLD).seal({"n": 1}))
    assert not repo.replace_sealed(case["_id"], "some other token", Sealer(NEW).seal({"n": 2}))
    assert repo.get(case["_id"])["sensitive"] == case["sensitive"]


def test_reseal__messages_to_and_from_the_reporter_move_to_the_newest_key(repo):
    old = Sealer(OLD)
    case = _case(repo, None)
    now = datetime.now(UTC)
    messages = [{"id": "m_1", "kind": "question", "at": now, "by": "u_1",
                 "sealed": old.seal({"text": "Which month?"}), "attachments": []},
                {"id": "m_2", "kind": "reply", "at": now, "by": "reporter", "sealed": None,
                 "attachments": ["f_1"]}]
    repo.cases.update_one({"_id": case["_id"]}, {"$set": {"messages": messages}})

    report = reseal_cases(repo, Sealer(NEW, OLD))

    assert report.messages_resealed == 1 and report.complete
    stored = repo.get(case["_id"])
    assert Sealer(NEW).open(stored["messages"][0]["sealed"]) == {"text": "Which month?"}
    assert stored["messages"][1]["sealed"] is None and stored["version"] == 1
    assert reseal_cases(repo, Sealer(NEW, OLD)).messages_resealed == 0
