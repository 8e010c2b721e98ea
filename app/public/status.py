"""The status page (reference + private code) and a signed-in reporter's own reports.

Registered on the intake blueprint by `app.public.questionnaire`. Checking a report
verifies the reference and code (with per-reference holds against guessing), issues
a short-lived grant and redirects to the report page, which shows the stage in plain
words in the language the case was filed in, the questions the reviewers put to the
reporter and the reporter's answers, and the forms to answer and to change consent
(`app.public.replies`). How the verified report is carried from page to page, and why,
is explained in `app.public.status_access`. Reviewer notes, answers and events are
never shown here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import g, redirect, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app import roles as r
from app.extensions import register_rate_limit
from app.public.reply_forms import ConsentForm, LeaveForm, ReplyForm, consent_rows
from app.public.support import PublicForm, no_store, public, ui_locale, use_language
from app.public.text import stage_text
from app.roles import roles_required
from app.services import services
from forms.schema import text_direction
from workflows.intake import reports_of
from workflows.reporter_messages import conversation, open_question
from workflows.repository import REFERENCE_PATTERN

#: The session key holding the grant token (never the code, never the reference).
GRANT_KEY = "status_grant"


class StatusForm(PublicForm):
    reference = StringField(_l("Case reference"), validators=[DataRequired(), Length(max=40)],
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    code = StringField(_l("Private tracking code"), validators=[DataRequired(), Length(max=60)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField(_l("Check the status"))


def status_of(case: dict) -> dict:
    """The stage in the filing language, and in the page language when that differs."""
    with force_locale(ui_locale(case.get("language", ""))):
        name, description = stage_text(case["stage"])
    here_name, here_description = stage_text(case["stage"])
    return {"reference": case["reference"], "stage": case["stage"],
            "language": case.get("language"), "dir": text_direction(case.get("language") or "en"),
            "name": name, "description": description,
            "here": None if here_description == description else (here_name, here_description),
            "received": case["created_at"].date().isoformat()}


def _now() -> datetime:
    return datetime.now(UTC)


def verified_case(reference: str, code: str) -> dict[str, Any] | None:
    """The case when the code is right and the reference is not held; else None.

    Every wrong code counts against the reference as typed (when it has the shape of
    a reference), whether or not such a case exists; a held reference is refused
    without looking the code up.
    """
    svc, now = services(), _now()
    settings = svc.settings
    shaped = bool(REFERENCE_PATTERN.match(str(reference).strip().upper()))
    if shaped and svc.code_holds.held(reference, now):
        return None
    case = svc.cases.by_tracking(reference, code)
    if case is None:
        if shaped:
            svc.code_holds.record_failure(
                reference, max_failures=settings.status_max_failures,
                hold=timedelta(seconds=settings.status_hold_seconds), now=now)
        return None
    svc.code_holds.forget(reference)
    return case


def granted_case() -> dict[str, Any] | None:
    """The case this browser was granted and the grant is still alive; extends it."""
    svc = services()
    lifetime = timedelta(seconds=svc.settings.status_grant_seconds)
    case_id = svc.status_grants.case_id(session.get(GRANT_KEY), lifetime=lifetime, now=_now())
    return svc.cases.get(case_id) if case_id else None


def end_grant() -> None:
    services().status_grants.revoke(session.pop(GRANT_KEY, None))


@public
def check_status():
    form = StatusForm()
    not_found = False
    if form.validate_on_submit():
        case = verified_case(form.reference.data, form.code.data)
        if case is None:
            not_found = True
        else:
            end_grant()
            settings = services().settings
            session[GRANT_KEY] = services().status_grants.issue(
                case["_id"], lifetime=timedelta(seconds=settings.status_grant_seconds),
                now=_now())
            use_language(case.get("language") or "")
            return redirect(url_for("intake.status_report"), 303)
    status = 400 if form.errors else 404 if not_found else 200
    return no_store(render_template("intake/status.html", form=form, not_found=not_found), status)


@public
def status_report():
    case = granted_case()
    if case is None:
        return closed_page()
    return no_store(report_page(case))


def report_page(case: dict[str, Any], *, reply_form: ReplyForm | None = None,
                file_errors: list[str] | None = None) -> str:
    """The report page: stage, questions and answers, and the forms to answer and to
    change consent. Sealed messages are opened here, for the holder of the grant only."""
    svc = services()
    settings = svc.settings
    messages = conversation(case, svc.sealer)
    finished = case["stage"] in svc.workflow.graph_for(case).terminal_stages
    return render_template(
        "intake/status.html", result=status_of(case), messages=messages,
        question=open_question(messages), finished=finished,
        reply_form=None if finished else (reply_form or ReplyForm(formdata=None)),
        file_errors=file_errors or [], consents=consent_rows(case, services().forms.case_definition(case)),
        consent_form=ConsentForm(formdata=None), leave_form=LeaveForm(formdata=None),
        max_files=settings.upload_max_files,
        max_megabytes=round(settings.upload_max_bytes / 1_048_576, 1),
        minutes=settings.status_grant_seconds // 60)


def closed_page(status: int = 200):
    """The check form again, saying the report page has closed (or was never opened)."""
    session.pop(GRANT_KEY, None)
    page = render_template("intake/status.html", form=StatusForm(formdata=None), closed=True)
    return no_store(page, status)


@roles_required(r.REPORTER, r.MEMBER)
def my_reports():
    user = g.user
    org_id = user.get("org_id") if r.has_role(user, r.MEMBER) else None
    cases = reports_of(services().cases, user["_id"], org_id)
    for case in cases:
        case["stage_name"] = stage_text(case["stage"])[0]
        case["mine"] = (case.get("reporter") or {}).get("user_id") == user["_id"]
    return render_template("intake/my_reports.html", cases=cases, with_org=bool(org_id))


def register(bp) -> None:
    bp.add_url_rule("/status", "check_status", check_status, methods=["GET", "POST"])
    bp.add_url_rule("/status/report", "status_report", status_report)
    bp.add_url_rule("/my-reports", "my_reports", my_reports)
    register_rate_limit("intake.check_status", "rate_limit_public")
    register_rate_limit("intake.status_report", "rate_limit_public", methods=("GET",))
    from app.public import replies

    replies.register(bp)
