"""The reporter's posts from the report page: an answer with files, consent, leaving.

Thin adapters around `workflows.reporter_messages.ReporterChannel`. Each post finds
its case through the server-side grant again (`app.public.status.granted_case`); a
grant that has expired shows the check form, never an error page with case data.
A refused answer or file shows the page again with the typed text kept and nothing
stored; an accepted one redirects (303) to the report page, so a reload sends nothing twice. Every endpoint here is rate-limited like the status form.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.extensions import register_rate_limit
from app.public.reply_forms import FILES_FIELD, ConsentForm, LeaveForm, ReplyForm
from app.public.status import closed_page, end_grant, granted_case, report_page
from app.public.support import no_store, public, uploads_from
from app.public.text import file_problem_text
from app.services import services
from workflows.attachments import AttachmentsRefused
from workflows.errors import StaleVersion, TransitionNotAllowed

ENDPOINTS = ("intake.status_reply", "intake.status_consent", "intake.status_leave")


@public
def reply():
    case = granted_case()
    if case is None:
        return closed_page(403)
    form = ReplyForm()
    if not form.validate_on_submit():
        return no_store(report_page(case, reply_form=form), 400)
    svc = services()
    files = uploads_from({"reply": request.files.getlist(FILES_FIELD)},
                         svc.settings.upload_max_bytes)
    try:
        svc.reporter.reply(case["_id"], form.text.data or "", files.get("reply", []))
    except AttachmentsRefused as refused:
        errors = [file_problem_text(p) for p in refused.problems]
        return no_store(report_page(case, reply_form=form, file_errors=errors), 400)
    except TransitionNotAllowed as refused:
        form.text.errors = [_refusal(refused)]
        return no_store(report_page(case, reply_form=form), 400)
    except StaleVersion:  # the case kept changing under three attempts: nothing was kept
        form.text.errors = [_("Your answer could not be saved just now, and nothing was "
                              "sent. Please send it again.")]
        return no_store(report_page(case, reply_form=form), 409)
    flash(_("Thank you. Your answer was sent to the caseworker."))
    return redirect(url_for("intake.status_report"), 303)


def _refusal(refused: TransitionNotAllowed) -> str:
    if str(refused.reason) == "not_from_this_stage":
        return _("This report is finished and takes no more answers.")
    return _("Write an answer or add a file.")


@public
def consent():
    case = granted_case()
    if case is None:
        return closed_page(403)
    form = ConsentForm()
    if not form.validate_on_submit():
        return no_store(report_page(case), 400)
    given = form.given.data == "yes"
    services().reporter.set_consent(case["_id"], form.purpose.data, given)
    flash(_("Your consent was recorded. It applies from now on.") if given else
          _("Your consent was withdrawn. From now on, your report is left out of "
            "everything made for that purpose."))
    return redirect(url_for("intake.status_report"), 303)


@public
def leave():
    form = LeaveForm()
    if form.validate_on_submit():
        end_grant()
    return redirect(url_for("intake.check_status"), 303)


def register(bp) -> None:
    bp.add_url_rule("/status/report/reply", "status_reply", reply, methods=["POST"])
    bp.add_url_rule("/status/report/consent", "status_consent", consent, methods=["POST"])
    bp.add_url_rule("/status/report/leave", "status_leave", leave, methods=["POST"])
    for endpoint in ENDPOINTS:
        register_rate_limit(endpoint, "rate_limit_public")
