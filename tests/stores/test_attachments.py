"""Attachments on both stores: content checks, GridFS metadata, the pending-attached cycle."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.samples import EXE, PDF, SAMPLES
from workflows.attachments import (
    ALLOWED_TYPES,
    AttachmentsRefused,
    AttachmentStore,
    Upload,
    check_uploads,
    safe_name,
)


@pytest.fixture
def store(any_db):
    import mongomock.gridfs

    mongomock.gridfs.enable_gridfs_integration()  # what config.database does for the demo store
    attachments = AttachmentStore(any_db, max_bytes=1000, max_files=3)
    attachments.ensure_indexes()
    return attachments


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_check__each_allowed_type__detected_from_content(name):
    [checked] = check_uploads([Upload("evidence", name, SAMPLES[name])],
                              max_bytes=1000, max_files=5)
    assert checked.content_type in ALLOWED_TYPES
    assert len(checked.sha256) == 64


def test_check__exe_renamed_pdf__refused_by_content():
    with pytest.raises(AttachmentsRefused) as refused:
        check_uploads([Upload("evidence", "contract.pdf", EXE)], max_bytes=1000, max_files=5)
    [problem] = refused.value.problems
    assert (problem.field, problem.name, problem.code) == ("evidence", "contract.pdf",
                                                           "type_refused")
    assert problem.detail == "application/x-msdownload"


def test_check__html_or_unknown_bytes__refused():
    with pytest.raises(AttachmentsRefused, match="type_refused"):
        check_uploads([Upload("evidence", "a.pdf", b"<script>alert(1)</script>")],
                      max_bytes=1000, max_files=5)


def test_check__too_large_too_many_and_empty__every_problem_reported():
    uploads = [Upload("evidence", "big.pdf", PDF + b"\x00" * 2000),
               Upload("evidence", "empty.pdf", b""),
               Upload("evidence", "a.pdf", PDF), Upload("evidence", "b.pdf", PDF)]
    with pytest.raises(AttachmentsRefused) as refused:
        check_uploads(uploads, max_bytes=1000, max_files=3)
    assert sorted(p.code for p in refused.value.problems) == ["empty", "too_large", "too_many"]


def test_safe_name__drops_paths_and_control_characters():
    assert safe_name("C:\\Users\\x\\..\\evil\x00.pdf") == "evil.pdf"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("") == "attachment"


def test_put_pending__then_attached__metadata_and_bytes_kept(store):
    checked = store.check([Upload("evidence", "../payslip.pdf", PDF)])
    [entry] = store.put_pending(checked, "c_1")
    assert entry["name"] == "payslip.pdf" and entry["content_type"] == "application/pdf"
    assert entry["size"] == len(PDF)
    assert store.for_case("c_1") == []  # pending files are not part of a case yet
    assert store.mark_attached("c_1") == 1
    [stored] = store.for_case("c_1")
    assert stored["sha256"] == entry["sha256"] and stored["original_name"] == "payslip.pdf"
    from bson import ObjectId

    assert store.read(ObjectId(stored["id"])) == PDF


def test_discard_pending__removes_files_and_chunks(store, any_db):
    store.put_pending(store.check([Upload("evidence", "a.pdf", PDF)]), "c_2")
    store.discard_pending("c_2")
    assert any_db["attachments.files"].count_documents({}) == 0
    assert any_db["attachments.chunks"].count_documents({}) == 0


def test_sweep__deletes_orphans_and_finishes_interrupted_intakes(store, any_db):
    store.put_pending(store.check([Upload("evidence", "a.pdf", PDF)]), "c_orphan")
    store.put_pending(store.check([Upload("evidence", "b.pdf", PDF)]), "c_stored")
    store.put_pending(store.check([Upload("evidence", "c.pdf", PDF)]), "c_fresh")
    old = datetime.now(UTC) - timedelta(days=1)
    any_db["attachments.files"].update_many({"metadata.case_id": {"$ne": "c_fresh"}},
                                            {"$set": {"uploadDate": old}})
    counts = store.sweep_pending(lambda case_id: case_id == "c_stored", now=datetime.now(UTC))
    assert counts == {"attached": 1, "deleted": 1}
    assert [f["original_name"] for f in store.for_case("c_stored")] == ["b.pdf"]
    remaining = {d["metadata"]["case_id"] for d in any_db["attachments.files"].find()}
    assert remaining == {"c_stored", "c_fresh"}
