"""One questionnaire page, one case, on the embedded store and the real server: a page
sent several times at once files exactly one case (the unique index decides, not a read
before the write), the sends that lose keep no files, and the receipt shown again
replaces the tracking code so that exactly one code works."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import mongomock.gridfs
import pytest

from tests.helpers import TEST_DATA_KEY
from tests.samples import PDF
from tests.stores.test_atomic_writes import race
from tests.unit.workflows.test_intake_service import BASE_ANSWERS, definition, record
from workflows.attachments import AttachmentStore, Upload
from workflows.errors import AlreadyFiled
from workflows.intake import submit_case
from workflows.repository import CaseRepository
from workflows.resubmission import EVENT_KIND, reissue, submission_hash
from workflows.sealing import Sealer
from workflows.tracking import code_hash

NOW = datetime.now(UTC).replace(microsecond=0)
WINDOW = timedelta(hours=24)
ROUNDS = 10
SENDERS = 6


def _parts(db) -> dict:
    repo = CaseRepository(db)
    repo.ensure_indexes()
    return {"repo": repo, "sealer": Sealer(TEST_DATA_KEY),
            "attachments_store": AttachmentStore(db, max_bytes=10_000, max_files=2)}


@pytest.fixture
def parts(any_db):
    mongomock.gridfs.enable_gridfs_integration()
    return _parts(any_db)


def send(parts, token: str, now: datetime = NOW):
    """One send of the questionnaire page holding `token`, with one piece of evidence."""
    return submit_case(definition=definition("my-intake"), form_record=record("my-intake"),
                       answers=BASE_ANSWERS, language="en", reporter={"anonymous": True},
                       files={"evidence": [Upload("evidence", "payslip.pdf", PDF)]},
                       identity_secret=b"secret", now=now, submission_hash=submission_hash(token),
                       **parts)


def _files(db) -> list[str]:
    """The case id of every stored evidence file."""
    return [f["metadata"]["case_id"] for f in db["attachments.files"].find({}, {"metadata": 1})]


def test_second_send__already_filed_and_its_file_discarded(parts, any_db):
    token = secrets.token_urlsafe(16)
    case, _code = send(parts, token)
    with pytest.raises(AlreadyFiled):
        send(parts, token)
    assert any_db.cases.count_documents({}) == 1
    assert _files(any_db) == [case["_id"]]


def test_reissue__replaces_the_code_within_the_window_only(parts):
    repo, token = parts["repo"], secrets.token_urlsafe(16)
    case, code = send(parts, token)
    again = reissue(repo, token, now=NOW + timedelta(hours=23), window=WINDOW, actor="reporter")
    assert again.reference == case["reference"] and again.code != code
    assert repo.by_tracking(case["reference"], code) is None
    assert repo.by_tracking(case["reference"], again.code)["_id"] == case["_id"]
    late = reissue(repo, token, now=NOW + timedelta(hours=25), window=WINDOW, actor="reporter")
    assert late.code is None and late.reference is None
    assert repo.get(case["_id"])["tracking_hash"] == code_hash(again.code)
    assert reissue(repo, secrets.token_urlsafe(16), now=NOW, window=WINDOW,
                   actor="reporter") is None


@pytest.mark.integration
def test_same_page_sent_at_once__exactly_one_case(real_db):
    """Per round a new page, sent by several threads released together: one insert wins,
    every other send is told the page was filed and keeps no file; then the losers all
    ask for the receipt again at once, and exactly the last code given out works."""
    any_db, parts = real_db, _parts(real_db)
    repo = parts["repo"]
    for n in range(ROUNDS):
        token = secrets.token_urlsafe(16)
        results, errors = race(SENDERS, lambda _i, token=token: send(parts, token))
        assert len(results) == 1, f"round {n}: {len(results)} cases filed"
        assert all(isinstance(e, AlreadyFiled) for e in errors.values()), errors
        [(case, _code)] = results.values()
        assert any_db.cases.count_documents({"submission_hash": submission_hash(token)}) == 1
        filed = {c["_id"] for c in any_db.cases.find({}, {"_id": 1})}
        assert case["_id"] in _files(any_db) and set(_files(any_db)) == filed

        again, failed = race(len(errors), lambda _i, token=token: reissue(
            repo, token, now=NOW, window=WINDOW, actor="reporter"))
        assert not failed and all(r.reference == case["reference"] for r in again.values())
        working = [r.code for r in again.values() if repo.by_tracking(case["reference"], r.code)]
        assert len(working) == 1, f"round {n}: {len(working)} codes work"
        events = repo.get(case["_id"])["events"]
        assert [e["kind"] for e in events].count(EVENT_KIND) == len(errors)
    assert any_db.cases.count_documents({}) == ROUNDS
