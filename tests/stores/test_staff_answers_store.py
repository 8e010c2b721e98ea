"""Staff answers are one guarded write: on the embedded store and on the real server,
they land with the derived fields worked out again, and of reviewers answering the same
version at once exactly one wins while the others get a clean conflict."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet

from config.settings import load_settings
from forms.store import FormStore
from workflows.case_service import CaseService
from workflows.errors import StaleVersion, TransitionNotAllowed
from workflows.intake import FormRecord, build_case
from workflows.repository import CaseRepository
from workflows.sealing import Sealer
from workflows.workflow_config import load_workflow_config

NOW = datetime.now(UTC).replace(microsecond=0)
WRITERS = 6
ANSWERS = {"destination_country": "MY", "narrative": "My employer keeps my passport.",
           "acts": ["unpaid_wages"], "consent_case_work": True, "full_name": "Siti Rahmah"}


def _setup(db):
    forms = FormStore(db)
    forms.ensure_indexes()
    forms.publish_shipped()
    record = forms.latest("my-intake")
    definition = forms.definition("my-intake", record["version"])
    repo = CaseRepository(db)
    repo.ensure_indexes()
    sealer = Sealer(Fernet.generate_key().decode())
    case = build_case(
        definition=definition, answers=ANSWERS, language="en", sealer=sealer,
        form_record=FormRecord("my-intake", record["version"], record["hash"]),
        reporter={}, identity_secret=b"secret", now=NOW, case_id="c_staff1",
        reference="MY-2026-000001", tracking_hash="h", attachments=[])
    repo.insert(case)
    config = load_workflow_config(load_settings({}))
    service = CaseService(repo, config.graphs, config.rules, b"secret", lambda: NOW)
    return service, repo, definition, sealer, repo.get("c_staff1")


def reviewer(n: int) -> dict:
    return {"id": f"u_rev{n}", "roles": ["reviewer"], "org_id": None, "countries": ["MY"]}


def test_staff_answers__stored_with_derived_fields(any_db):
    service, repo, definition, sealer, case = _setup(any_db)
    service.answer_for_staff(case, reviewer(0), definition, {"mwc_codes": ["MWC-18"]}, sealer)
    stored = repo.get(case["_id"])
    assert stored["answers"]["mwc_codes"] == ["MWC-18"] and {18, 25} <= set(stored["mwc"])
    assert stored["version"] == case["version"] + 1
    assert sealer.open(stored["sensitive"]) == sealer.open(case["sensitive"])
    again = service.answer_for_staff(stored, reviewer(0), definition,
                                     {"mwc_codes": ["MWC-18"]}, sealer)
    assert again["version"] == stored["version"]  # nothing changed, nothing written


def test_staff_answers__a_reporter_question__refused_nothing_written(any_db):
    service, repo, definition, sealer, case = _setup(any_db)
    with pytest.raises(TransitionNotAllowed) as refused:
        service.answer_for_staff(case, reviewer(0), definition, {"narrative": "Changed."},
                                 sealer)
    assert refused.value.fields == ("narrative",)
    member = {"id": "u_m", "roles": ["member"], "org_id": None, "countries": ["MY"]}
    with pytest.raises(TransitionNotAllowed):
        service.answer_for_staff(case, member, definition, {"mwc_codes": ["MWC-18"]}, sealer)
    assert repo.get(case["_id"])["version"] == case["version"]


@pytest.mark.integration
def test_reviewers_answering_at_once__exactly_one_wins(real_db):
    service, repo, definition, sealer, case = _setup(real_db)
    barrier = threading.Barrier(WRITERS)
    wins, conflicts = [], []

    def answer(n: int) -> None:
        barrier.wait()
        try:
            service.answer_for_staff(case, reviewer(n), definition,
                                     {"mwc_codes": [f"MWC-{10 + n}"]}, sealer)
            wins.append(n)
        except StaleVersion:
            conflicts.append(n)

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(wins) == 1 and len(conflicts) == WRITERS - 1
    stored = repo.get(case["_id"])
    assert stored["version"] == case["version"] + 1
    assert stored["answers"]["mwc_codes"] == [f"MWC-{10 + wins[0]}"]
    assert 10 + wins[0] in stored["mwc"]
    assert [e["kind"] for e in stored["events"]].count("staff_answers") == 1
