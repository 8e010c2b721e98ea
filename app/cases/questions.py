"""Questions to the reporter on the case page, and what the reporter sent back.

A question is public: the reporter reads it on the status page, unlike an internal
note. Reviewers choose whether it also moves the case to "waiting for information"
(the ``request_info`` step, offered only when that step can be taken now): asking
while a case stays in review is useful when the answer would help but need not
hold the case up. When the reporter left no way to reach them, the form says so
plainly: the question is only seen if they check their status with their code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app import roles as r
from app.cases.forms import CaseForm
from app.cases.queue import bp
from app.cases.support import CASEWORKERS, actor_of, case_service
from app.roles import roles_required
from app.services import services
from forms.vocabulary import CONSENT_PURPOSES
from workflows.reporter_messages import (
    MAX_MESSAGE,
    conversation,
    has_contact,
    open_question,
)
from workflows.sealing import SealError

#: What reviewers call each consent purpose.
PURPOSE_LABELS = {
    "case_work": _l("Case work"),
    "referral": _l("Referral to partners"),
    "statistics": _l("Anonymous statistics"),
    "advocacy": _l("Public advocacy"),
}


class AskForm(CaseForm):
    text = TextAreaField(_l("Question to the reporter"),
                         validators=[DataRequired(), Length(max=MAX_MESSAGE)],
                         description=_l("The reporter reads exactly this on the status page, "
                                        "so write it in their language and name nobody they "
                                        "did not name. Internal notes are never shown to them."))
    wait = BooleanField(_l("Wait for the answer: move the case to \u201cWaiting for "
                           "information\u201d"), default=True)
    submit = SubmitField(_l("Ask the reporter"))


def reporter_context(case: Mapping[str, Any], user: Mapping[str, Any],
                     forms: Mapping[str, Any], definition: Any,
                     opened: Mapping[str, Any] | None) -> dict[str, Any]:
    """The conversation with the reporter, their consent, and for a caseworker the form
    to ask (with the no-contact warning when it applies)."""
    try:
        messages = conversation(case, services().sealer)
    except SealError:
        messages = None
    consent = case.get("consent") or {}
    context: dict[str, Any] = {
        "reporter_messages": messages, "ask_form": None, "ask_can_wait": False,
        "consent_labels": PURPOSE_LABELS,
        "reporter_reachable": has_contact(definition, case, opened or {}),
        "consent_rows": [(PURPOSE_LABELS[p], consent.get(p) is True) for p in CONSENT_PURPOSES],
    }
    graph = case_service().graph_for(case)
    if r.has_role(user, *CASEWORKERS) and case["stage"] not in graph.terminal_stages:
        form = forms.get("ask") or AskForm(prefix="ask", formdata=None)
        form.version.data = str(case["version"])
        context["ask_form"] = form
        context["ask_can_wait"] = any(t.name == "request_info" for t in
                                      case_service().available(case, actor_of(user)))
    return context


def question_for_reporter(case: Mapping[str, Any]) -> str | None:
    """The open question to the reporter, opened, for a registered reporter's case page."""
    try:
        question = open_question(conversation(case, services().sealer))
    except SealError:
        return None
    return question["text"] if question else None


@bp.route("/<reference>/questions", methods=["POST"])
@roles_required(*CASEWORKERS)
def ask_reporter(reference: str):
    from app.cases.views import _act

    form = AskForm(prefix="ask")

    def action(current: dict) -> Any:
        return services().reporter.ask(current, actor_of(g.user), form.text.data,
                                       wait=bool(form.wait.data),
                                       expected_version=int(form.version.data))

    return _act(reference, "ask", form, action, _("The question was put to the reporter."))
