"""Cases for the screen tests, filed through the intake service and routed by the workflow."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.samples import PDF
from workflows.attachments import Upload
from workflows.intake import FormRecord, submit_case

ANSWERS = {"destination_country": "MY", "narrative": "My employer keeps my passport.",
           "acts": ["unpaid_wages"], "consent_case_work": True, "full_name": "Siti Rahmah",
           "gender": "woman", "employer_name": "Harbour Foods"}


def file_case(svc, *, form_id: str = "my-intake", language: str = "en",  # noqa: PLR0913
              answers: dict | None = None, org_id: str | None = None,
              user_id: str | None = None, route: bool = True, files: dict | None = None,
              version: int | None = None, now: datetime | None = None) -> dict:
    """File one case the way the questionnaire does, then route it (unless told not to).

    A case "filed by an organisation" is filed by one of its staff (`user_id`).
    """
    if org_id and not user_id:
        user_id = f"u_staff_of_{org_id}"
    record = svc.forms.get(form_id, version) if version else svc.forms.latest(form_id)
    definition = svc.forms.definition(form_id, record["version"])
    case, _code = submit_case(
        definition=definition,
        form_record=FormRecord(form_id, int(record["version"]), definition.definition_hash()),
        answers=ANSWERS if answers is None else answers, files=files, language=language,
        reporter={"user_id": user_id, "org_id": org_id}, repo=svc.cases, sealer=svc.sealer,
        attachments_store=svc.attachments, identity_secret=svc.identity_secret,
        now=now or datetime.now(UTC))
    if route:
        case = svc.workflow.route(case["_id"])
    return case


def evidence() -> dict[str, list[Upload]]:
    return {"evidence": [Upload("evidence", "payslip.pdf", PDF)]}
