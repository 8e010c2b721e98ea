"""`POST /api/v1/cases`: partner systems file a case with JSON answers.

The answers go through the very form class the questionnaire uses (turned into
form data by `forms.json_answers`), so a partner is held to the definition's
rules and nothing else. The body is first checked against its JSON Schema
(`app.api.schemas`: shape, sizes, ranges, valid Unicode); objects or lists where a
single value belongs, and keys that are not questions, are refused before the form
rules run and never reach a query or the store. Questions for staff
(`audience: staff`) are not questions of a filing: the form class is built from
`forms.audience.for_reporters`, so they are refused as unknown, whoever files;
caseworkers answer them on the case page, where that write is checked and audited
on its own. The private tracking code is
returned once, so the partner can hand it to the person the case is about; it is
never stored in plain text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import g, jsonify
from flask_babel import get_translations
from flask_babel import gettext as _

from app import roles as r
from app.api import bp
from app.api.json_body import checked_body
from app.public.support import no_store, published, reporter_of
from app.public.text import problem_text
from app.roles import roles_required
from app.services import services
from forms.audience import for_reporters
from forms.wtf import build_form_class
from workflows.attachments import AttachmentsRefused
from workflows.intake import IntakeError, enqueue_routing, submit_case

FILERS = (r.REPORTER, r.MEMBER, r.REVIEWER, r.COORDINATOR)


def _refuse(status: int, message: str, errors: list[dict[str, str]] | None = None):
    body: dict[str, Any] = {"error": {"status": status, "message": message}}
    if errors is not None:
        body["errors"] = errors
    return jsonify(body), status


@bp.route("/cases", methods=["POST"])
@roles_required(*FILERS)
def create_case():
    body = checked_body("CaseCreate")
    found = published(body["form_id"][:100], body["version"])
    if found is None:
        return _refuse(404, _("There is no published form %(form)s with version %(version)s.",
                              form=body["form_id"][:100], version=body["version"]))
    definition, record = found
    if body["language"] not in definition.languages:
        return _refuse(400, _("The request is incomplete."), [{
            "field": "language", "message": problem_text("unknown_language")}])
    form_class = build_form_class(for_reporters(definition), body["language"])
    form = form_class.from_json(body["answers"], meta={"translations": get_translations()})
    if not form.validate():
        return _refuse(400, _("Some answers were refused."), _field_errors(form, body["answers"]))
    return _file(form, definition, record, body["language"])


def _field_errors(form: Any, answers: dict[str, Any]) -> list[dict[str, str]]:
    """Unknown keys first (named), then each question's errors, in form order."""
    known = {f.id for f in form.definition.fields()}
    unknown = [str(key)[:100] for key in answers if key not in known]
    found = [{"field": key, "message": message}
             for key, message in zip(unknown, form.form_errors, strict=False)]
    for field in form.definition.fields():
        found += [{"field": field.id, "message": str(m)}
                  for m in form.by_id(field.id).errors if m]
    return found


def _file(form: Any, definition: Any, record: Any, language: str):
    svc = services()
    try:
        case, code = submit_case(
            definition=definition, form_record=record, answers=form.answers(), files={},
            language=language, reporter=reporter_of(g.user), repo=svc.cases,
            sealer=svc.sealer, attachments_store=svc.attachments,
            identity_secret=svc.identity_secret, now=datetime.now(UTC),
            enqueue=partial(enqueue_routing, svc.celery))
    except (IntakeError, AttachmentsRefused) as refused:
        errors = [{"field": p.field, "message": problem_text(p.code)} for p in refused.problems]
        return _refuse(400, _("Some answers were refused."), errors)
    svc.audit.record("case.create", actor=g.user["_id"], target=case["_id"],
                     reference=case["reference"], via="api")
    return no_store(jsonify({"reference": case["reference"], "tracking_code": code}), 201)
