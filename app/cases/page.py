"""Everything the case page shows, gathered for one user and one case.

The transitions offered are exactly the workflow's `available(case, actor)`, each
with a form asking for what it requires. Sensitive answers are opened only for a
user who sees the full case, and each such opening is written to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import g, render_template
from flask_babel import gettext as _

from app import roles as r
from app.cases.display import (
    LabelLanguages,
    answers_view,
    articles,
    dimension_rows,
    language_name,
)
from app.cases.forms import (
    CASEWORKER_GENDERS,
    FLAG_LABELS,
    FOLLOW_UP_STATUSES,
    FOLLOW_UP_TYPES,
    OUTCOMES,
    STAGE_LABELS,
    AssignForm,
    ClaimForm,
    FollowUpForm,
    FollowUpUpdateForm,
    NarrativeForm,
    NoteForm,
    options,
    transition_form_class,
    transition_text,
)
from app.cases.staff_answers import staff_answers_context
from app.cases.support import (
    CASEWORKERS,
    access_to,
    actor_of,
    case_service,
    people_names,
    references_seen,
    sees_full_case,
    visible_duplicates,
)
from app.i18n import current_language, text_direction
from app.public.text import stage_text
from app.services import services
from exports.bidi_text import visible_controls
from exports.redaction import NARRATIVE_TYPES, suggested_redaction
from workflows.follow_ups import OPEN_STATUSES
from workflows.sealing import SealError

log = logging.getLogger("mrvrs")

#: How a share's receivers and a former team reach a case (`workflows.scope.access_of`).
SHARED_LEVELS = ("full", "no_identity", "status")
#: The follow-up stages in which actions can be added or changed (as the service checks).
FOLLOW_UP_STAGES = ("verified", "follow_up")


def transition_forms(case: Mapping[str, Any], user: Mapping[str, Any],
                     given: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    """(transition, form) for every step the user may take now; `given` keeps posted forms."""
    version = str(case["version"])
    shown = []
    for transition in case_service().available(case, actor_of(user)):
        form = given.get(transition.name) or transition_form_class(transition)(
            prefix=transition.name, formdata=None)
        form.version.data = version
        shown.append((transition, form))
    return shown


def render_case(case: Mapping[str, Any], *, status: int = 200,
                forms: Mapping[str, Any] | None = None, error: str | None = None,
                conflict: bool = False) -> tuple[str, int]:
    """The case page for the signed-in user; `forms` are posted forms shown again."""
    user = g.user
    forms = dict(forms or {})
    level = access_to(user, case)
    if level in SHARED_LEVELS:
        return _render_shared(case, level, status, forms, error, conflict)
    full = sees_full_case(user, case)
    context = {"case": case, "full": full, "error": error, "conflict": conflict,
               "stage_label": STAGE_LABELS.get(case["stage"], case["stage"]),
               "stage_plain": stage_text(case["stage"]),
               "question": latest_question(case),
               "transitions": transition_forms(case, user, forms.get("transitions", {}))}
    if full:
        from app.cases.handover import EVENT_KINDS, handover_context, labels

        context.update(_full_context(case, user, forms))
        context.update(handover_labels=labels(), handover_event_kinds=EVENT_KINDS)
        if level in ("all", "handling"):
            context.update(handover_context(case))
    return render_template("cases/case.html", **context), status


def _render_shared(case: Mapping[str, Any], level: str, status: int,
                   forms: Mapping[str, Any], error: str | None,
                   conflict: bool) -> tuple[str, int]:
    """The page of a case the user reaches through a share or a former team: its
    status, and what the share allows (docs/handover.md), with follow-up actions."""
    from app.cases.handover import shared_case_context

    context = {"case": case, "error": error, "conflict": conflict,
               "stage_label": STAGE_LABELS.get(case["stage"], case["stage"]),
               **shared_case_context(case, level)}
    if level != "status" and case["stage"] in FOLLOW_UP_STAGES:
        context["follow_up_form"] = _with_version(forms.get("follow_up") or
                                                  FollowUpForm(prefix="fu"), case)
        context["follow_up_updates"] = {
            action["id"]: _update_form(case, action, forms.get(f"fu-{action['id']}"))
            for action in case.get("follow_ups") or ()
            if action.get("status") in OPEN_STATUSES}
    return render_template("cases/shared_case.html", **context), status


def shared_answers(case: Mapping[str, Any], user: Mapping[str, Any], *,
                   identity: bool) -> Any:
    """The answers a share shows: all of them (the opening audited as for the handling
    team), or, without identity, the pseudonymised case of the mission view (the same
    redactor as a pseudonymised export: no personal fields, no contact)."""
    definition = _definition(case)
    if definition is None:
        return None
    if identity:
        return answers_view(definition, case, _open_sensitive(case, user))
    opened = _open_sensitive(case, user) if case.get("sensitive") else {}
    if opened is None:
        return None
    from exports.mission_view import mission_case, mission_redactor

    seen = mission_case({**case, "sensitive_answers": opened}, definition,
                        mission_redactor(lambda _case_id: "shared"))
    return answers_view(definition, {**case, "answers": seen.get("answers") or {},
                                     "sensitive": None}, {})


def latest_question(case: Mapping[str, Any]) -> str | None:
    """What the reviewers asked for, while the case waits for it."""
    if case.get("stage") != "needs_info":
        return None
    if case.get("messages"):
        from app.cases.questions import question_for_reporter

        return question_for_reporter(case)
    asked = [e for e in case.get("events") or () if e.get("transition") == "request_info"]
    return asked[-1].get("note") if asked else None


def _full_context(case: Mapping[str, Any], user: Mapping[str, Any],
                  forms: Mapping[str, Any]) -> dict[str, Any]:
    from app.cases.entity_links import links_context
    from app.cases.questions import reporter_context  # registers routes on the cases blueprint

    events = list(case.get("events") or ())
    ids = [e.get("actor") for e in events] + [case.get("assignee")]
    ids += [(e.get("data") or {}).get("assignee") for e in events]
    ids += [f.get("updated_by") for f in case.get("follow_ups") or ()]
    caseworker = r.has_role(user, *CASEWORKERS)
    seen = references_seen([case], actor_of(user))
    duplicates, unseen = visible_duplicates([case], seen)[case["_id"]]
    definition = _definition(case)
    opened = _open_sensitive(case, user) if definition is not None else None
    ids += [a.get("by") for a in (case.get("approved_texts") or {}).values()]
    return {
        "duplicates": duplicates, "unseen_duplicates": unseen, "seen_references": seen,
        "answers": None if definition is None else answers_view(definition, case, opened),
        "narratives": narrative_views(case, definition, opened, forms if caseworker else None),
        "articles": articles(case.get("mwc") or ()),
        "dimensions": dimension_rows(case.get("dimensions") or {}),
        "flags": [str(FLAG_LABELS.get(name, name))
                  for name, raised in (case.get("flags") or {}).items() if raised],
        "timeline": [e for e in events if e.get("kind") != "note"],
        "notes": [e for e in events if e.get("kind") == "note"],
        "names": people_names(i for i in ids if i),
        "organisation": _organisation(case),
        "outcomes": OUTCOMES, "follow_up_types": FOLLOW_UP_TYPES,
        "follow_up_statuses": FOLLOW_UP_STATUSES, "stage_labels": STAGE_LABELS,
        "caseworker_genders": CASEWORKER_GENDERS,
        "note_form": _with_version(forms.get("note") or NoteForm(prefix="note"), case),
        **reporter_context(case, user, forms, definition, opened),
        **(_caseworker_forms(case, user, forms) if caseworker else {}),
        **links_context(case, user, opened, forms),
        **staff_answers_context(case, definition, opened if caseworker else None, forms),
    }


def _caseworker_forms(case: Mapping[str, Any], user: Mapping[str, Any],
                      forms: Mapping[str, Any]) -> dict[str, Any]:
    graph = case_service().graph_for(case)
    active = case["stage"] not in graph.terminal_stages
    context: dict[str, Any] = {"claim_form": None, "assign_form": None,
                               "follow_up_form": None, "follow_up_updates": {}}
    if active:
        if case.get("assignee") != user["_id"]:
            context["claim_form"] = _with_version(forms.get("claim") or ClaimForm(prefix="claim"),
                                                  case)
        context["assign_form"] = _assign_form(case, forms.get("assign"))
    if case["stage"] in FOLLOW_UP_STAGES:
        context["follow_up_form"] = _with_version(forms.get("follow_up") or
                                                  FollowUpForm(prefix="fu"), case)
        context["follow_up_updates"] = {
            action["id"]: _update_form(case, action, forms.get(f"fu-{action['id']}"))
            for action in case.get("follow_ups") or ()
            if action.get("status") in OPEN_STATUSES}
    return context


def _update_form(case: Mapping[str, Any], action: Mapping[str, Any], given: Any) -> Any:
    form = given or FollowUpUpdateForm(prefix=f"fu-{action['id']}", formdata=None,
                                       status=action.get("status"), result=action.get("result"))
    return _with_version(form, case)


def _with_version(form: Any, case: Mapping[str, Any]) -> Any:
    form.version.data = str(case["version"])
    return form


def assign_choices(case: Mapping[str, Any]) -> list[Any]:
    """Active reviewers and coordinators the workflow would let hold this case."""
    service = case_service()
    check = getattr(service, "staff_check", None)
    staff = [u for u in services().users.all()
             if u.get("active", True) and r.has_role(u, *CASEWORKERS)]
    allowed = [u for u in staff if check is None or check(u["_id"], case)]
    return options((u["_id"], u.get("name") or u["email"]) for u in allowed)


def _assign_form(case: Mapping[str, Any], given: Any) -> AssignForm:
    form = given or AssignForm(prefix="assign", formdata=None, assignee=case.get("assignee"))
    form.assignee.choices = assign_choices(case)
    return _with_version(form, case)


def _definition(case: Mapping[str, Any]) -> Any:
    """The case's form version, or None (logged) when it cannot be found."""
    definition = services().forms.case_definition(case)
    if definition is None:
        form = case.get("form") or {}
        log.error("case %s names form %s version %s, which is not published",
                  case.get("reference"), form.get("id"), form.get("version"))
    return definition


def narrative_views(case: Mapping[str, Any], definition: Any, opened: dict | None,
                    forms: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Each narrative answered, with its approved version for outputs, if any, and for
    a caseworker (`forms` given) the form to approve one, starting from the approved
    version or else the automatic masking's suggestion."""
    if definition is None or opened is None:
        return []
    answers = case.get("answers") or {}
    approved = case.get("approved_texts") or {}
    suggested = suggested_redaction(definition, {**case, "sensitive_answers": opened})
    reporter = case.get("language") or definition.default_language
    labels = LabelLanguages(definition, current_language(), reporter)
    views = []
    for field in definition.fields():
        if field.type not in NARRATIVE_TYPES or not answers.get(field.id):
            continue
        view = {"id": field.id, "label": labels.text(field.label),
                "approved": approved.get(field.id), "form": None, "lang": reporter,
                "dir": text_direction(reporter), "language": language_name(reporter)}
        if forms is not None:
            start = visible_controls((approved.get(field.id) or {}).get("text")
                                     or suggested.get(field.id, ""))
            view["form"] = _with_version(
                forms.get(f"text-{field.id}") or NarrativeForm(
                    prefix=f"text-{field.id}", formdata=None, text=start), case)
        views.append(view)
    return views


def _open_sensitive(case: Mapping[str, Any], user: Mapping[str, Any]) -> dict | None:
    if not case.get("sensitive"):
        return {}
    svc = services()
    try:
        opened = svc.sealer.open(case["sensitive"])
    except SealError:
        log.error("the sensitive answers of case %s could not be opened", case.get("reference"))
        return None
    svc.audit.record("case.read_sensitive", actor=user["_id"], target=case["_id"],
                     reference=case.get("reference"))
    return opened


def _organisation(case: Mapping[str, Any]) -> str | None:
    org_id = (case.get("reporter") or {}).get("org_id")
    org = services().organisations.get(org_id) if org_id else None
    return org["name"] if org else None


def refusal_text(exc: Any) -> str:
    """A translated sentence for the workflow's refusal, with its own detail."""
    sentences = {
        "role_not_allowed": _("Your role cannot take this step on this case."),
        "not_from_this_stage": _("This step cannot be taken at the case's current stage."),
        "missing_data": _("Some information this step needs is missing."),
        "invalid_data": _("Some information was not accepted."),
        "open_follow_ups": _("Finish or cancel every follow-up action before closing the "
                             "case."),
        "unknown_transition": _("There is no such step."),
    }
    sentence = sentences.get(str(getattr(exc, "reason", "")), _("This step was refused."))
    detail = getattr(exc, "message", "") or ""
    return f"{sentence} ({detail})" if detail else sentence


def stage_name(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


def transition_button(name: str) -> str:
    return transition_text(name)[0]
