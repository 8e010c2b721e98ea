"""The draft store on the embedded store and the real server: sealed, expiring, gone on delete."""

from datetime import UTC, datetime, timedelta

import mongomock.gridfs

from tests.helpers import TEST_DATA_KEY
from workflows.drafts import DraftStore
from workflows.sealing import Sealer

# The stores' TTL index is run by the server's clock (and mongomock's), so "now" must be real:
# a fixed date lets a draft saved "at NOW" expire before the test reads it back.
NOW = datetime.now(UTC).replace(microsecond=0)


def _store(db, hours=8):
    store = DraftStore(db, Sealer(TEST_DATA_KEY), timedelta(hours=hours))
    store.ensure_indexes()
    return store


def test_saved_draft__read_back_whole_and_sealed_at_rest(any_db):
    store = _store(any_db)
    draft = store.create("my-intake")
    draft.values = {"narrative": ["My employer keeps my passport."]}
    draft.reach("person")
    store.save(draft, NOW)
    back = store.get(draft.id, "my-intake", NOW + timedelta(hours=1))
    assert back.values == draft.values and back.reached == ["person"]
    assert back.case_id == draft.case_id and back.submission == draft.submission
    assert "passport" not in str(any_db.drafts.find_one())


def test_expired_or_other_form_or_bad_id__nothing(any_db):
    store = _store(any_db, hours=2)
    draft = store.create("my-intake")
    store.save(draft, NOW)
    assert store.get(draft.id, "my-intake", NOW + timedelta(hours=2)) is None
    assert store.get(draft.id, "sa-intake", NOW) is None
    assert store.get({"$ne": ""}, "my-intake", NOW) is None


def test_ttl_index__the_database_removes_expired_drafts(any_db):
    _store(any_db)
    ttl = [i for i in any_db.drafts.index_information().values() if "expireAfterSeconds" in i]
    assert ttl and ttl[0]["key"] == [("expires_at", 1)] and ttl[0]["expireAfterSeconds"] == 0


def test_delete__gives_the_reserved_case_id_once(any_db):
    store = _store(any_db)
    draft = store.create("my-intake")
    store.save(draft, NOW)
    assert store.delete(draft.id) == draft.case_id
    assert store.delete(draft.id) is None and store.get(draft.id, "my-intake", NOW) is None


def test_sweep__deletes_files_of_drafts_never_sent_only(any_db):
    from tests.samples import PDF
    from workflows.attachments import AttachmentStore, Upload, check_uploads
    from workflows.drafts import sweep_abandoned_files

    mongomock.gridfs.enable_gridfs_integration()  # what config.database does for the demo store
    files = AttachmentStore(any_db, max_bytes=10_000_000, max_files=5)
    store = _store(any_db, hours=8)
    abandoned, alive, sent = (store.create("my-intake") for _ in range(3))
    for draft in (abandoned, alive, sent):
        checked = check_uploads([Upload("evidence", "a.pdf", PDF)], max_bytes=10_000_000,
                                max_files=5)
        files.put_pending(checked, draft.case_id)
    later = datetime.now(UTC) + timedelta(hours=9)
    store.save(alive, later)  # still being filled in
    any_db.cases.insert_one({"_id": sent.case_id})  # sent: its files belong to the case
    assert sweep_abandoned_files(any_db, files, later, timedelta(hours=8)) == 1
    left = {d["metadata"]["case_id"] for d in any_db["attachments.files"].find()}
    assert left == {alive.case_id, sent.case_id}
