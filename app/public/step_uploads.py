"""Files sent on a step of the questionnaire: checked as any intake checks them and
kept as pending under the case id the draft reserved, until the report is sent (or
the drafts sweep deletes them)."""

from __future__ import annotations

from flask import request

from app.public.stepping import field_errors
from app.public.support import uploads_from
from app.public.text import file_problem_text
from app.services import services
from forms.steps import EVIDENCE
from workflows.attachments import AttachmentsRefused, check_uploads


def store_uploads(form, step: str, fields: list, draft) -> dict[str, list[str]]:
    """Check the files sent on this step and keep them as pending under the draft's case.

    The same checks and SHA-256 as any intake (`check_uploads`); the files already
    kept count towards the limit. Returns refusals by question ({} when all is well).
    """
    svc = services()
    _remove_kept(svc, draft, request.form.getlist("remove"))
    names = {f.id: form.by_id(f.id).name for f in fields if f.type == "file"}
    if step == EVIDENCE:
        names[EVIDENCE] = EVIDENCE
    files = uploads_from({field_id: request.files.getlist(name)
                          for field_id, name in names.items()}, svc.settings.upload_max_bytes)
    uploads = [upload for listed in files.values() for upload in listed]
    if not uploads:
        return {}
    try:
        checked = check_uploads(uploads, max_bytes=svc.settings.upload_max_bytes,
                                max_files=max(0, svc.settings.upload_max_files
                                              - len(draft.attachments)))
    except AttachmentsRefused as refused:
        errors: dict[str, list[str]] = {}
        for problem in refused.problems:
            message = file_problem_text(problem)
            errors.setdefault(problem.field, []).append(message)
            if problem.field != EVIDENCE:
                field_errors(form, problem.field).append(message)
        return errors
    draft.attachments.extend(svc.attachments.put_pending(checked, draft.case_id))
    return {}


def _remove_kept(svc, draft, file_ids: list[str]) -> None:
    """Files the reporter ticked to remove go now, from the draft and the database."""
    for file_id in file_ids:
        if svc.attachments.discard_one(draft.case_id, file_id):
            draft.attachments = [a for a in draft.attachments if a["id"] != file_id]
