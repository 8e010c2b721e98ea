"""The intake service without Flask: the case document, refusals, and nothing half-stored."""

from datetime import UTC, datetime
from functools import cache

import mongomock
import mongomock.gridfs
import pytest

from forms.compiler import compile_form
from forms.shipped import shipped_sources
from tests.helpers import TEST_DATA_KEY
from tests.samples import EXE, PDF
from workflows.attachments import AttachmentsRefused, AttachmentStore, Upload
from workflows.identity_keys import duplicate_keys
from workflows.intake import (
    FormRecord,
    IntakeError,
    submit_case,
)
from workflows.repository import CaseRepository
from workflows.sealing import Sealer
from workflows.tracking import code_hash

NOW = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
SECRET = b"identity-secret"


@cache
def definition(form_id):
    return compile_form(form_id, shipped_sources()).unwrap()


def record(form_id):
    return FormRecord(form_id, 1, definition(form_id).definition_hash())


BASE_ANSWERS = {
    "full_name": "Siti Rahmah", "gender": "woman", "sex_on_documents": "female",
    "nationality": "ID", "destination_country": "MY", "passport_number": "X1234567",
    "employer_name": "Tan Household", "narrative": "My employer keeps my passport.",
    "acts": ["documents_taken", "unpaid_wages", "confined"], "passport_held_by": "employer",
    "caseworker_gender": "same_gender", "consent_case_work": True, "consent_statistics": True,
}


@pytest.fixture
def env():
    mongomock.gridfs.enable_gridfs_integration()
    db = mongomock.MongoClient(tz_aware=True)["intake"]
    repo = CaseRepository(db)
    repo.ensure_indexes()
    return {"db": db, "repo": repo, "sealer": Sealer(TEST_DATA_KEY),
            "attachments_store": AttachmentStore(db, max_bytes=1000, max_files=2)}


def submit(env, form_id="my-intake", answers=None, files=None, language="en",
           reporter=None, **kwargs):
    parts = {k: env[k] for k in ("repo", "sealer", "attachments_store")}
    return submit_case(definition=definition(form_id), form_record=record(form_id),
                       answers=BASE_ANSWERS if answers is None else answers, files=files,
                       language=language, reporter=reporter or {"anonymous": True},
                       identity_secret=SECRET, now=NOW, **parts, **kwargs)


def test_submit__stores_the_case_document(env):
    case, code = submit(env, language="ms")
    stored = env["repo"].get(case["_id"])
    assert stored["reference"] == "MY-2026-000001" and stored["country"] == "MY"
    assert stored["form"] == {"id": "my-intake", "version": 1,
                              "hash": definition("my-intake").definition_hash()}
    assert stored["language"] == "ms"
    assert stored["stage"] == "submitted" and stored["version"] == 1
    assert stored["tracking_hash"] == code_hash(code) and code not in str(stored)
    assert stored["mwc"] == [11, 21, 25, 39] and stored["terms"] == ["passport_retention"]
    assert stored["dimensions"]["gender"] == "woman"
    assert stored["dimensions"]["destination_country"] == "MY"
    assert stored["consent"] == {"case_work": True, "referral": False, "statistics": True,
                                 "advocacy": False}
    assert stored["caseworker_gender"] == "woman"
    [event] = stored["events"]
    assert (event["actor"], event["from"], event["to"]) == ("reporter", None, "submitted")


def test_submit__sensitive_answers_sealed_and_absent_from_plain(env):
    case, _code = submit(env)
    stored = env["repo"].get(case["_id"])
    for secret in ("full_name", "passport_number", "gender", "sex_on_documents"):
        assert secret not in stored["answers"]
    assert "Siti" not in str(stored["answers"]) and "X1234567" not in str(stored)
    opened = env["sealer"].open(stored["sensitive"])
    assert opened["full_name"] == "Siti Rahmah" and opened["sex_on_documents"] == "female"
    assert stored["answers"]["employer_name"] == "Tan Household"


def test_submit__anonymous_reporter_keeps_no_address_or_device(env):
    reporter = {"anonymous": True, "ip": "203.0.113.9", "user_agent": "Phone/1.0",
                "user_id": None}
    case, _code = submit(env, reporter=reporter)
    assert case["reporter"] == {"anonymous": True, "user_id": None, "org_id": None}
    text = str(env["repo"].get(case["_id"]))
    assert "203.0.113.9" not in text and "Phone/1.0" not in text


def test_submit__registered_reporter_and_member_organisation_recorded(env):
    case, _code = submit(env, reporter={"user_id": "u_1", "org_id": "o_1"})
    assert case["reporter"] == {"anonymous": False, "user_id": "u_1", "org_id": "o_1"}
    assert case["events"][0]["actor"] == "u_1"


def test_submit__duplicate_keys_from_personal_answers(env):
    first, _ = submit(env)
    split = {**BASE_ANSWERS, "full_name": "", "given_name": "SITI", "family_name": "Rahmah"}
    second, _ = submit(env, answers=split)
    expected = duplicate_keys({"worker_name": "Siti Rahmah", "nationality": "ID",
                               "destination_country": "MY", "employer_name": "Tan Household",
                               "passport_number": "X1234567"}, SECRET)
    assert sorted(first["duplicate_keys"]) == sorted(expected)
    assert sorted(second["duplicate_keys"]) == sorted(expected)


def test_submit__hidden_answers_dropped(env):
    answers = {**BASE_ANSWERS, "sexual_violence": False, "sexual_violence_recent": True}
    case, _ = submit(env, answers=answers)
    assert "sexual_violence_recent" not in env["sealer"].open(case["sensitive"])


def test_same_facts__two_countries_different_terms__same_mwc(env):
    my_case, _ = submit(env, "my-intake")
    sa_case, _ = submit(env, "sa-intake", answers={**BASE_ANSWERS,
                                                   "destination_country": "SA"}, language="ar")
    assert my_case["terms"] == ["passport_retention"] and sa_case["terms"] == []
    assert my_case["mwc"] == sa_case["mwc"] == [11, 21, 25, 39]
    assert sa_case["reference"] == "SA-2026-000001"


@pytest.mark.parametrize(("answers", "code"), [
    ({"no_such_field": "x"}, "unknown_field"),
    ({"employer_name": {"$gt": ""}}, "not_plain"),
    ({"acts": [{"$ne": None}]}, "not_plain"),
    ({"narrative": "x" * 10_000_000}, "too_long"),
])
def test_submit__bad_answers__refused_and_nothing_stored(env, answers, code):
    with pytest.raises(IntakeError) as refused:
        submit(env, answers={**BASE_ANSWERS, **answers})
    assert code in [p.code for p in refused.value.problems]
    assert env["db"].cases.count_documents({}) == 0
    assert env["db"].case_counters.count_documents({}) == 0


def test_submit__unknown_language__refused(env):
    with pytest.raises(IntakeError, match="unknown_language"):
        submit(env, language="fr")


def test_submit__attachments_stored_with_hash_and_linked(env):
    files = {"evidence": [Upload("evidence", "payslip.pdf", PDF)]}
    case, _ = submit(env, files=files)
    [entry] = env["repo"].get(case["_id"])["attachments"]
    assert entry["content_type"] == "application/pdf" and len(entry["sha256"]) == 64
    assert [a["id"] for a in env["attachments_store"].for_case(case["_id"])] == [entry["id"]]


def test_submit__exe_renamed_pdf__nothing_stored(env):
    files = {"evidence": [Upload("evidence", "ok.pdf", PDF), Upload("evidence", "x.pdf", EXE)]}
    with pytest.raises(AttachmentsRefused):
        submit(env, files=files)
    assert env["db"].cases.count_documents({}) == 0
    assert env["db"]["attachments.files"].count_documents({}) == 0


def test_submit__insert_fails__pending_files_removed(env):
    def broken_insert(case):
        raise RuntimeError("database went away")

    env["repo"].insert = broken_insert
    with pytest.raises(RuntimeError):
        submit(env, files={"evidence": [Upload("evidence", "a.pdf", PDF)]})
    assert env["db"]["attachments.files"].count_documents({}) == 0
    assert env["db"]["attachments.chunks"].count_documents({}) == 0


def test_submit__marking_fails__case_kept_and_sweep_finishes(env):
    store = env["attachments_store"]

    def broken_mark(case_id):
        raise RuntimeError("lost the connection")

    store.mark_attached, real_mark = broken_mark, store.mark_attached
    case, _ = submit(env, files={"evidence": [Upload("evidence", "a.pdf", PDF)]})
    store.mark_attached = real_mark
    assert store.for_case(case["_id"]) == []
    later = datetime.now(UTC).replace(year=2100)
    counts = store.sweep_pending(lambda cid: env["repo"].get(cid) is not None, now=later)
    assert counts == {"attached": 1, "deleted": 0}
    assert len(store.for_case(case["_id"])) == 1


def test_submit__enqueue_fails__case_stored(env, caplog):
    def broker_down(case_id):
        raise ConnectionRefusedError("broker down")

    case, _ = submit(env, enqueue=broker_down)
    assert env["repo"].get(case["_id"]) is not None
    assert "catch-up sweep" in caplog.text


def test_submit__enqueue_called_after_insert(env):
    seen = []
    submit(env, enqueue=lambda cid: seen.append(env["repo"].get(cid) is not None))
    assert seen == [True]
