"""The benchmark generator writes the documents intake and routing write, only in bulk."""

from __future__ import annotations

import re
import uuid

import mongomock
import pytest

from bench import generate
from bench.cases import published_forms
from bench.common import DATA_KEY, identity_secret
from tests.case_helpers import file_case
from workflows.intake import build_case
from workflows.sealing import Sealer
from workflows.search_terms import search_terms

CASES = 50
#: What routing and the later transitions add to the case intake stored.
WALKED = {"stage", "version", "events", "updated_at", "team", "priority", "assignee",
          "possible_duplicates", "caseworker_gender", "deadlines", "search_terms", "routing",
          "due_at", "reminder_at", "escalate_at", "escalated_at", "follow_ups",
          "follow_up_due_at", "duplicate_of", "outcome"}


def fresh_db():
    return mongomock.MongoClient(tz_aware=True)[f"mrvrs_gen_{uuid.uuid4().hex[:8]}"]


def unsealed(db) -> list[dict]:
    """The cases by id, without the sealed answers (a Fernet token has a random IV)."""
    return sorted(({k: v for k, v in c.items() if k != "sensitive"} for c in db.cases.find()),
                  key=lambda c: c["_id"])


@pytest.fixture(scope="module")
def generated():
    db = fresh_db()
    generate.generate(db, CASES, seed=7)
    return db


def test_routed_case__same_keys_as_one_filed_and_routed_by_the_app(generated, svc):
    real = file_case(svc)
    assert real["stage"] == "in_review"
    routed = [c for c in generated.cases.find() if c["stage"] == "in_review"]
    assert routed, "some generated cases are still in review"
    for case in routed:
        assert set(case) == set(real), case["_id"]
        assert set(case["events"][-1]) == set(real["events"][-1])
        assert set(case["routing"]) == set(real["routing"])
        assert set(case["reporter"]) == set(real["reporter"])


def test_every_case__is_what_build_case_makes_of_its_answers(generated):
    """Open the sealed answers, file them again through intake's `build_case`, compare."""
    sealer, forms = Sealer(DATA_KEY), {r.id: (d, r) for d, r in published_forms(generated,
                                                                                  False)}
    cases = list(generated.cases.find())
    assert len(cases) == CASES
    for case in cases:
        sensitive = sealer.open(case["sensitive"])
        definition, record = forms[case["form"]["id"]]
        reporter = {k: case["reporter"][k] for k in ("user_id", "org_id")}
        again = build_case(definition=definition, form_record=record,
                           answers={**case["answers"], **sensitive},
                           language=case["language"], reporter=reporter, sealer=sealer,
                           identity_secret=identity_secret(), now=case["created_at"],
                           case_id=case["_id"], reference=case["reference"],
                           tracking_hash=case["tracking_hash"], attachments=[])
        assert set(again) <= set(case)
        assert set(case) - set(again) <= WALKED
        for key in set(again) - WALKED - {"sensitive"}:
            assert case[key] == again[key], (case["_id"], key)
        assert sealer.open(again["sensitive"]) == sensitive
        assert case["events"][0] == again["events"][0]
        if case["stage"] != "submitted":
            assert case["search_terms"] == search_terms(again)


def test_references__unique_gapless_and_where_the_counters_stand(generated):
    references = [c["reference"] for c in generated.cases.find({}, {"reference": 1})]
    assert len(set(references)) == CASES
    numbers: dict[str, list[int]] = {}
    for reference in references:
        assert re.fullmatch(r"[A-Z]{2}-\d{4}-\d{6}", reference)
        numbers.setdefault(reference[:7], []).append(int(reference[8:]))
    counters = {c["_id"]: c["seq"] for c in generated.case_counters.find()}
    assert counters == {key: len(seqs) for key, seqs in numbers.items()}
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in numbers.values())


def test_indexes__made_after_the_cases(generated):
    names = {index["name"] for index in generated.cases.list_indexes()}
    assert {"reference_unique", "stage_created", "search_terms"} <= names


def test_same_seed__same_cases_but_for_the_sealing_iv(generated):
    again = fresh_db()
    generate.generate(again, CASES, seed=7)

    assert unsealed(again) == unsealed(generated)


@pytest.mark.integration
def test_worker_processes__write_the_same_cases_on_the_server(generated, real_db, mongo_uri,
                                                               monkeypatch):
    monkeypatch.setattr(generate, "BATCH", 10)  # several batches, both workers busy
    assert CASES > 2 * generate.BATCH * 2, "enough cases for the workers to be started"
    generate.generate(real_db, CASES, seed=7, uri=mongo_uri, processes=2)

    assert unsealed(real_db) == unsealed(generated)
    assert {d["_id"]: d["seq"] for d in real_db.case_counters.find()} == {
        d["_id"]: d["seq"] for d in generated.case_counters.find()}
    assert real_db.case_duplicate_keys.count_documents({}) == (
        generated.case_duplicate_keys.count_documents({}))
