"""The staff questions of a case's form (`audience: staff`), answered on the case page.

Reporters never see these questions (`forms.audience.for_reporters`). Reviewers and
coordinators who see the full case answer them here, in a form built from the staff
view of the case's own form version (`forms.audience.for_staff`), so the answers are
checked by the same WTForms rules as every other answer. The case service stores
them under the case version the page was rendered with; each save is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import SubmitField

from app.cases.forms import CaseForm
from app.cases.queue import bp
from app.cases.support import CASEWORKERS, actor_of, case_or_404, case_service, sees_full_case
from app.i18n import current_language
from app.roles import roles_required
from app.services import services
from forms.audience import for_staff, has_staff_fields, staff_fields
from forms.json_answers import json_formdata
from forms.schema import FormDefinition
from forms.wtf import DefinitionForm, build_form_class
from workflows.errors import StaleVersion, TransitionNotAllowed

PREFIX = "staff"


class StaffAnswersForm(CaseForm):
    """The CSRF token and case version of the staff answers form."""

    submit = SubmitField(_l("Save the staff answers"))


def staff_form(definition: FormDefinition, formdata: Any = None,
               answers: Mapping[str, Any] | None = None) -> DefinitionForm:
    """The staff questions of `definition`, in the page's language when the form has it,
    filled from a post or else from the answers the case holds."""
    lang = current_language()
    lang = lang if lang in definition.languages else definition.default_language
    form_class = build_form_class(for_staff(definition), lang)
    meta = {"translations": get_translations()}
    if formdata is None:  # the answers held, as the browser would post them
        posted, _refused, _unknown = json_formdata(form_class.definition, dict(answers or {}))
        names = form_class._attr_names  # an id may be renamed to dodge a clash
        formdata = MultiDict([(f"{PREFIX}-{names[k]}", v) for k, values in posted.items()
                              for v in values])
    return form_class(formdata, prefix=PREFIX, meta=meta)


def staff_answers_context(case: Mapping[str, Any], definition: FormDefinition | None,
                          opened: Mapping[str, Any] | None,
                          forms: Mapping[str, Any]) -> dict[str, Any]:
    """`staff_answers` for the case page: the two forms, or None when the form version
    has no staff questions or the sensitive answers could not be opened."""
    if definition is None or opened is None or not has_staff_fields(definition):
        return {"staff_answers": None}
    given = forms.get("staff_answers")
    if given is not None:
        meta, answers = given
    else:
        held = {**(case.get("answers") or {}), **opened}
        ids = {f.id for f in staff_fields(definition)}
        answers = staff_form(definition, answers={k: v for k, v in held.items() if k in ids})
        meta = StaffAnswersForm(prefix=f"{PREFIX}-meta", formdata=None)
    meta.version.data = str(case["version"])
    return {"staff_answers": {"meta": meta, "form": answers, "sections": answers.sections()}}


@bp.route("/<reference>/staff-answers", methods=["POST"])
@roles_required(*CASEWORKERS)
def save_staff_answers(reference: str):
    from app.cases.page import refusal_text, render_case

    case = case_or_404(reference, g.user)
    definition = services().forms.case_definition(case)
    if not sees_full_case(g.user, case) or definition is None \
            or not has_staff_fields(definition):
        abort(404)
    meta = StaffAnswersForm(prefix=f"{PREFIX}-meta")
    answers = staff_form(definition, formdata=request.form)
    valid = meta.validate_on_submit()
    valid = answers.validate() and valid
    forms = {"staff_answers": (meta, answers)}
    if not valid:
        return render_case(case, status=400, forms=forms)
    expected = int(meta.version.data)
    if expected != case["version"]:
        raise StaleVersion(case["_id"], case["stage"], expected)
    try:
        updated = case_service().answer_for_staff(case, actor_of(g.user), definition,
                                                  answers.answers(), services().sealer)
    except TransitionNotAllowed as exc:
        return render_case(case, status=403 if exc.reason == "role_not_allowed" else 400,
                           forms=forms, error=refusal_text(exc))
    if updated["version"] == case["version"]:
        flash(_("The staff answers were already as given: nothing changed."))
    else:
        changed = (updated["events"][-1].get("data") or {}).get("fields") or []
        services().audit.record("case.staff_answers", actor=g.user["_id"], target=case["_id"],
                                reference=case["reference"], fields=changed)
        flash(_("The staff answers were saved."))
    return redirect(url_for("cases.case", reference=case["reference"]))
