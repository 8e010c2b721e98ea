"""The export job store on both stores: jobs, claims, files in GridFS, expiry, ownership."""

import io
from datetime import UTC, datetime, timedelta

import pytest

from exports.jobs import CLAIM_TTL, ExportJobStore, file_id

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
KEEP = timedelta(hours=72)
ACTOR = {"id": "u_1", "roles": ["mission"], "org_id": None, "countries": ["MY"]}


@pytest.fixture
def store(any_db):
    import mongomock.gridfs

    mongomock.gridfs.enable_gridfs_integration()  # what config.database does for the demo store
    jobs = ExportJobStore(any_db)
    jobs.ensure_indexes()
    return jobs


def make_job(store, user_id="u_1", kind="export"):
    return store.create(kind=kind, user_id=user_id, actor=ACTOR,
                        params={"format": "csv"}, now=NOW, total=12)


def stored_files(store, job_id):
    return sorted(f["_id"] for f in store.files.find({"metadata.job_id": job_id}))


def finish(store, job, run, data=b"a,b\n1,2\n", name="export"):
    meta = store.store_file(job["_id"], run, name, io.BytesIO(data), filename="x.csv",
                            media_type="text/csv")
    store.finish(job["_id"], run, files={name: meta}, summary={"rows": {"cases": 1}},
                 now=NOW, keep=KEEP)
    return meta


def test_create__queued_with_requester_scope_and_count(store):
    job = make_job(store)
    stored = store.get(job["_id"])
    assert stored["status"] == "queued" and stored["user_id"] == "u_1"
    assert stored["actor"] == ACTOR and stored["progress"] == {"done": 0, "total": 12}
    assert job["_id"].startswith("x_") and len(job["_id"]) > 20


def test_claim__second_run_while_first_holds__refused_then_stale_claim_taken_over(store):
    job = make_job(store)
    assert store.claim(job["_id"], NOW) == 1
    assert store.claim(job["_id"], NOW + timedelta(seconds=5)) is None
    assert store.claim(job["_id"], NOW + CLAIM_TTL + timedelta(seconds=1)) == 2
    assert store.get(job["_id"])["status"] == "running"


def test_progress__recorded_and_keeps_the_claim_alive(store):
    job = make_job(store)
    store.claim(job["_id"], NOW)
    store.progress(job["_id"], 5, 12, NOW + CLAIM_TTL)
    assert store.get(job["_id"])["progress"] == {"done": 5, "total": 12}
    assert store.claim(job["_id"], NOW + CLAIM_TTL + timedelta(seconds=5)) is None


def test_file__stored_renamed_and_downloadable_by_the_requester_only(store):
    job = make_job(store)
    run = store.claim(job["_id"], NOW)
    meta = finish(store, job, run)
    assert meta["size"] == 8 and meta["filename"] == "x.csv"
    names = [f["filename"] for f in store.files.find({"metadata.job_id": job["_id"]})]
    assert names == [f"{job['_id']}/x.csv"]  # no ".partial" left
    opened = store.open_file(job["_id"], "export", "u_1", NOW)
    assert opened is not None and opened[1].read() == b"a,b\n1,2\n"
    assert store.open_file(job["_id"], "export", "u_2", NOW) is None
    assert store.for_user(job["_id"], "u_2") is None
    assert store.open_file(job["_id"], "other", "u_1", NOW) is None


def test_rerun__overwrites_rather_than_duplicates(store):
    job = make_job(store)
    first = store.claim(job["_id"], NOW)
    finish(store, job, first, b"first")
    store.jobs.update_one({"_id": job["_id"]}, {"$set": {"status": "queued"}})
    # a run that died half-way through its upload leaves chunks behind
    second = store.claim(job["_id"], NOW)
    store.fs.put(b"partial", _id=file_id(job["_id"], "export", second), filename="p",
                 metadata={"job_id": job["_id"], "run": second})
    store.release(job["_id"])
    third = store.claim(job["_id"], NOW)
    finish(store, job, third, b"third")
    assert stored_files(store, job["_id"]) == [file_id(job["_id"], "export", third)]
    assert store.files.database["export_files.chunks"].count_documents({}) == 1
    assert store.open_file(job["_id"], "export", "u_1", NOW)[1].read() == b"third"


def test_fail__reason_kept_and_partial_files_dropped(store):
    job = make_job(store)
    run = store.claim(job["_id"], NOW)
    store.store_file(job["_id"], run, "export", io.BytesIO(b"half"), filename="x.csv",
                     media_type="text/csv")
    store.fail(job["_id"], run, "LevelNotAllowed: no", NOW)
    stored = store.get(job["_id"])
    assert stored["status"] == "failed" and stored["error"] == "LevelNotAllowed: no"
    assert stored_files(store, job["_id"]) == []
    assert store.claim(job["_id"], NOW) == 2  # released


def test_expiry__download_refused_and_sweep_deletes_files(store):
    job = make_job(store)
    finish(store, job, store.claim(job["_id"], NOW))
    other = make_job(store)
    finish(store, other, store.claim(other["_id"], NOW + timedelta(hours=10)))
    store.jobs.update_one({"_id": other["_id"]}, {"$set": {"expires_at": NOW + KEEP * 2}})
    later = NOW + KEEP + timedelta(minutes=1)
    assert store.open_file(job["_id"], "export", "u_1", later) is None
    assert store.sweep_expired(later) == 1
    assert store.sweep_expired(later) == 0
    assert store.get(job["_id"])["status"] == "expired"
    assert stored_files(store, job["_id"]) == []
    assert len(stored_files(store, other["_id"])) == 1


def test_recent_for__own_jobs_newest_first_without_scope(store):
    first = make_job(store)
    store.jobs.update_one({"_id": first["_id"]}, {"$set": {"created_at": NOW - timedelta(1)}})
    second = make_job(store, kind="report")
    make_job(store, user_id="u_2")
    listed = store.recent_for("u_1")
    assert [j["_id"] for j in listed] == [second["_id"], first["_id"]]
    assert all("actor" not in j for j in listed)
