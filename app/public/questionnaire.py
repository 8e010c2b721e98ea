"""The public questionnaire: pick a form and language, answer, get a receipt.

Thin adapters around `forms.wtf` (the form class built from the published
definition) and `workflows.intake.submit_case` (the case). Server-side
validation is the definition's and nothing else. Works without JavaScript:
every conditional question is shown, and answers to hidden ones are dropped.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, abort, g, render_template, request
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import CombinedMultiDict

from app import roles as r
from app.extensions import register_rate_limit
from app.navigation import NavEntry, register
from app.public import chooser, receipts
from app.public import status as status_page
from app.public.support import (
    no_store,
    public,
    published,
    reporter_of,
    uploads_from,
    use_language,
)
from app.public.text import problem_text
from app.services import services
from forms.audience import for_reporters
from forms.schema import text_direction
from forms.wtf import build_form_class
from workflows.attachments import AttachmentsRefused
from workflows.errors import AlreadyFiled
from workflows.intake import IntakeError, enqueue_routing, submit_case
from workflows.resubmission import submission_hash

bp = Blueprint("intake", __name__)
status_page.register(bp)
chooser.register(bp)
for _endpoint in ("intake.questionnaire", "intake.check_status"):
    register_rate_limit(_endpoint, "rate_limit_public")
register(NavEntry("intake.check_status", _l("Check a report"), public=True))
register(NavEntry("intake.my_reports", _l("My reports"), (r.REPORTER, r.MEMBER)))

#: The evidence input every questionnaire offers, besides any file question of the form.
EVIDENCE_FIELD = "evidence"


def _found(form_id: str, lang: str):
    found = published(form_id)
    if found is None or lang not in found[0].languages or not found[0].country:
        abort(404)
    return found


@bp.route("/report/<form_id>/<lang>", methods=["GET", "POST"])
@public
def questionnaire(form_id: str, lang: str):
    definition, record = _found(form_id, lang)
    use_language(lang)
    form_class = build_form_class(for_reporters(definition), lang)
    if request.method == "POST":
        again = receipts.resent(request.form.get(SUBMISSION_FIELD, ""), lang)
        if again is not None:  # this page was filed before: its receipt, with a new code
            return again
        form = form_class(CombinedMultiDict([request.files, request.form]),
                          meta={"translations": get_translations()})
        if form.validate():
            result = _submit(form, definition, record, lang)
            if result is not None:
                return result
        return _page(form, definition, lang, 400)
    return _page(form_class.blank(meta={"translations": get_translations()}), definition, lang)


#: A one-time token per questionnaire page, so sending the same page twice (a double
#: tap, or again after the connection dropped before the receipt arrived) files one case
#: and shows its receipt with a fresh code (workflows/resubmission.py).
SUBMISSION_FIELD = "submission"


def _page(form, definition, lang: str, status: int = 200):
    settings = services().settings
    page = render_template(
        "intake/questionnaire.html", form=form, sections=form.sections(), lang=lang,
        submission=request.form.get(SUBMISSION_FIELD) or secrets.token_urlsafe(16),
        direction=text_direction(lang), evidence_field=EVIDENCE_FIELD,
        evidence_errors=getattr(form, "evidence_errors", []),
        max_files=settings.upload_max_files,
        max_megabytes=round(settings.upload_max_bytes / 1_048_576, 1))
    return no_store(page, status)


def _submit(form, definition, record, lang: str):
    """Store the case and render the receipt; None (with errors on the form) if refused."""
    svc = services()
    files = {**form.files(), EVIDENCE_FIELD: request.files.getlist(EVIDENCE_FIELD)}
    try:
        case, code = submit_case(
            definition=definition, form_record=record, answers=form.answers(),
            files=uploads_from(files, svc.settings.upload_max_bytes), language=lang,
            reporter=reporter_of(g.get("user")), repo=svc.cases, sealer=svc.sealer,
            attachments_store=svc.attachments, identity_secret=svc.identity_secret,
            now=datetime.now(UTC), enqueue=partial(enqueue_routing, svc.celery),
            submission_hash=submission_hash(request.form.get(SUBMISSION_FIELD)))
    except AlreadyFiled:  # another send of this page filed it a moment ago
        return receipts.resent(request.form.get(SUBMISSION_FIELD, ""), lang)
    except AttachmentsRefused as refused:
        for problem in refused.problems:
            code_name = "too_many_files" if problem.code == "too_many" else problem.code
            _field_errors(form, problem.field).append(f"{problem.name}: {problem_text(code_name)}")
        return None
    except IntakeError as refused:
        for problem in refused.problems:
            _field_errors(form, problem.field).append(problem_text(problem.code))
        return None
    return receipts.receipt_page(case["reference"], code, lang)


def _field_errors(form, field_id: str) -> list:
    """The error list shown beside a question, or beside the evidence input."""
    if field_id in form._attr_names:
        bound = form.by_id(field_id)
        if isinstance(bound.errors, tuple):
            bound.errors = list(bound.errors)
        return bound.errors
    if not hasattr(form, "evidence_errors"):
        form.evidence_errors = []
    return form.evidence_errors
