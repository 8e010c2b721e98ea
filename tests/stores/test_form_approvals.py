"""The approval store on both stores: the per-country rule, one submission per form,
and every step guarded by the state it expects, so racing approvers give one
success and one conflict."""

from __future__ import annotations

import threading

import pytest

from forms.approvals import (
    APPROVING,
    PUBLISHED,
    SUBMITTED,
    WITHDRAWN,
    ApprovalStore,
    SubmissionConflict,
)


@pytest.fixture
def approvals(any_db):
    return ApprovalStore(any_db)


def submit(store: ApprovalStore, actor: str = "ana", text: str = "form: zz\n") -> dict:
    return store.submit("zz-intake", text=text, digest="sha256:1", country="MY", actor=actor)


def test_rule__off_until_set_and_per_country(approvals):
    assert approvals.required("MY") is False and approvals.required(None) is False
    approvals.set_required("MY", True, "coord")
    assert approvals.required("MY") is True and approvals.required("SG") is False
    approvals.set_required("MY", False, "coord")
    assert approvals.required("MY") is False
    assert [(r["_id"], r["required"], r["changed_by"]) for r in approvals.rules_list()] == [
        ("MY", False, "coord")]


def test_submit__frozen_text_with_who_and_when(approvals):
    submit(approvals, text="form: zz-intake\n# v2\n")
    found = approvals.pending("zz-intake")
    assert found["state"] == SUBMITTED and found["text"] == "form: zz-intake\n# v2\n"
    assert found["submitted_by"] == "ana" and found["submitted_at"] is not None


def test_submit__second_one_while_pending_refused(approvals):
    submit(approvals)
    with pytest.raises(SubmissionConflict):
        submit(approvals, actor="ben", text="other")
    assert approvals.pending("zz-intake")["submitted_by"] == "ana"


@pytest.mark.parametrize("close", ["withdraw", "return"])
def test_submit__allowed_again_once_closed(approvals, close):
    submit(approvals)
    if close == "withdraw":
        assert approvals.withdraw("zz-intake", "ana")["state"] == WITHDRAWN
    else:
        assert approvals.return_("zz-intake", "ben", "fix the title")["reason"] == "fix the title"
    assert approvals.pending("zz-intake") is None
    submit(approvals, actor="ben", text="again")
    assert approvals.pending("zz-intake")["text"] == "again"


def test_withdraw__only_by_the_submitter(approvals):
    submit(approvals)
    with pytest.raises(SubmissionConflict):
        approvals.withdraw("zz-intake", "ben")
    assert approvals.pending("zz-intake")["state"] == SUBMITTED


def test_claim_and_return__never_by_the_submitter(approvals):
    submit(approvals)
    with pytest.raises(SubmissionConflict):
        approvals.claim("zz-intake", "ana")
    with pytest.raises(SubmissionConflict):
        approvals.return_("zz-intake", "ana", "no")
    assert approvals.pending("zz-intake")["state"] == SUBMITTED


def test_claim__then_published_or_released(approvals):
    submit(approvals)
    assert approvals.claim("zz-intake", "ben")["state"] == APPROVING
    with pytest.raises(SubmissionConflict):
        approvals.claim("zz-intake", "cai")  # taken
    approvals.release("zz-intake", "ben")
    assert approvals.pending("zz-intake")["state"] == SUBMITTED
    approvals.claim("zz-intake", "cai")
    approvals.mark_published("zz-intake", "cai", 3)
    closed = approvals.get("zz-intake")
    assert (closed["state"], closed["version"], closed["decided_by"]) == (PUBLISHED, 3, "cai")
    assert approvals.pending("zz-intake") is None


def test_return_after_claim__conflict(approvals):
    submit(approvals)
    approvals.claim("zz-intake", "ben")
    with pytest.raises(SubmissionConflict):
        approvals.return_("zz-intake", "cai", "late")
    assert approvals.get("zz-intake")["state"] == APPROVING


@pytest.mark.integration
def test_two_approvers_at_once__one_wins_one_conflict(real_db):
    """Many rounds of two threads claiming the same submission at the same moment."""
    for round_number in range(10):
        store = ApprovalStore(real_db)
        form_id = f"zz-{round_number}"
        store.submit(form_id, text="t", digest="d", country="MY", actor="ana")
        barrier = threading.Barrier(2)
        won, lost = [], []

        def approve(actor: str) -> None:
            barrier.wait()
            try:
                won.append(ApprovalStore(real_db).claim(form_id, actor)["decided_by"])
            except SubmissionConflict:
                lost.append(actor)

        threads = [threading.Thread(target=approve, args=(a,)) for a in ("ben", "cai")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1 and len(lost) == 1, (won, lost)
        assert store.get(form_id)["decided_by"] == won[0]


@pytest.mark.integration
def test_two_submitters_at_once__one_submission(real_db):
    for round_number in range(10):
        form_id = f"zz-{round_number}"
        barrier = threading.Barrier(2)
        made, refused = [], []

        def send(actor: str) -> None:
            barrier.wait()
            try:
                made.append(ApprovalStore(real_db).submit(
                    form_id, text=actor, digest="d", country="MY", actor=actor))
            except SubmissionConflict:
                refused.append(actor)

        threads = [threading.Thread(target=send, args=(a,)) for a in ("ana", "ben")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(made) == 1 and len(refused) == 1, (made, refused)
        assert ApprovalStore(real_db).pending(form_id)["text"] == made[0]["submitted_by"]
