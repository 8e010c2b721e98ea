"""A second editor's approval: deciding on a submission (approve, return, withdraw)
and the per-country rule that requires it, which administrators and coordinators set.

Every step is one guarded update in `forms.approvals.ApprovalStore` and one audit event.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import Conflict, Forbidden, HTTPException, NotFound
from wtforms import BooleanField, StringField, TextAreaField

from app import roles as r
from app.forms_admin.editing import may_edit, require_edit
from app.forms_admin.going_live import CannotGoLive, go_live
from app.forms_admin.views import EDITORS, bp
from app.navigation import NavEntry, register
from app.roles import roles_required
from app.services import services
from forms.approvals import MAX_REASON_CHARS, SubmissionConflict
from forms.compiler import compile_text
from forms.countries import country_codes
from forms.store import PublishConflict, PublishRefused
from forms.version_changes import FieldChanges, field_changes

RULE_SETTERS = (r.ADMIN, r.COORDINATOR)
# Administrators have no Forms page, so the rule gets its own entry; coordinators reach
# it from the list of forms.
register(NavEntry("forms_admin.rules", _l("Form approval"), (r.ADMIN,)))


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why it goes back (the submitter reads this)"))


class RuleForm(FlaskForm):
    country = StringField(_l("Country (two-letter code, such as MY)"))
    required = BooleanField(_l("A second editor must approve each version"))


def _refuse(exc: type[HTTPException], message: str) -> HTTPException:
    refusal = exc(message)
    refusal.mrvrs_message = True  # type: ignore[attr-defined]
    return refusal


def _conflict() -> HTTPException:
    return _refuse(Conflict, _("This submission was already approved, returned or "
                               "withdrawn, perhaps by someone else just now. Open the "
                               "versions page again to see where it stands."))


@bp.route("/<form_id>/submission", methods=["POST"])
@roles_required(*EDITORS)
def decide(form_id: str):
    """approve, return (with a reason) or withdraw the submission of a form."""
    svc = services()
    form = ReturnForm()
    if not form.validate_on_submit():
        raise _refuse(Forbidden, _("The form expired; open the page again and retry."))
    submission = svc.approvals.pending(form_id)
    if submission is None:
        raise _conflict() if svc.approvals.get(form_id) else NotFound()
    require_edit(g.user, submission.get("country"))
    action = request.form.get("action")
    own = submission["submitted_by"] == g.user["_id"]
    if action == "withdraw":
        if not own:
            raise _refuse(Forbidden, _("Only the editor who submitted a version may "
                                       "withdraw it; return it with a reason instead."))
        return _close(form_id, "withdraw", _guarded(
            lambda: svc.approvals.withdraw(form_id, g.user["_id"])))
    if own:
        raise _refuse(Forbidden, _("You submitted this version, so another editor for "
                                   "%(country)s must approve or return it.",
                                   country=submission.get("country")))
    if action == "return":
        reason = (form.reason.data or "").strip()
        if not reason or len(reason) > MAX_REASON_CHARS:
            return _versions_page(form_id, 400, _("Write why the version goes back "
                                                  "(at most %(max)s characters).",
                                                  max=MAX_REASON_CHARS))
        return _close(form_id, "return", _guarded(
            lambda: svc.approvals.return_(form_id, g.user["_id"], reason)), reason=reason)
    if action == "approve":
        return _approve(svc, form_id)
    return _versions_page(form_id, 400, _("Choose approve, return or withdraw."))


def _guarded(step):
    try:
        return step()
    except SubmissionConflict:
        raise _conflict() from None


def _close(form_id: str, step: str, submission: dict, reason: str | None = None):
    """After withdraw or return: audit it, and give the text back as the draft."""
    svc = services()
    svc.audit.record(f"form.{step}", actor=g.user["_id"], target=form_id, form_id=form_id,
                     country=submission.get("country"), submitted_by=submission["submitted_by"],
                     **({"reason": reason} if reason else {}))
    if svc.forms.draft(form_id) is None:
        svc.forms.save_draft(form_id, submission["text"], submission["submitted_by"])
    flash(_("The submission of %(form)s was withdrawn; its text is the draft again.",
            form=form_id) if step == "withdraw" else
          _("The submission of %(form)s was returned to its editor; its text is the draft "
            "again.", form=form_id))
    return redirect(url_for("forms_admin.versions", form_id=form_id))


def _approve(svc, form_id: str):
    """Claim the submission (one approver wins), then make its text live."""
    actor = g.user["_id"]
    claimed = _guarded(lambda: svc.approvals.claim(form_id, actor))
    library = svc.forms.library_sources()
    result = compile_text(claimed["text"], f"{form_id}.yaml", library)
    problems: list[str] = [p.message for p in result.problems]
    record = None
    if result.ok:
        try:
            record = go_live(svc, result.unwrap(), source_text=claimed["text"],
                             actor=actor).record
        except CannotGoLive as cannot:
            problems = cannot.reasons
        except PublishRefused as refused:
            problems = refused.problems
        except PublishConflict as exc:
            problems = [str(exc)]
    if record is None:
        svc.approvals.release(form_id, actor)
        return _versions_page(form_id, 409, _("The submitted text cannot go live as it is; "
                                              "return it with the reason: %(problems)s",
                                              problems=" ".join(problems)))
    svc.approvals.mark_published(form_id, actor, record["version"])
    svc.audit.record("form.approve", actor=actor, target=f"{form_id}:{record['version']}",
                     form_id=form_id, version=record["version"],
                     country=claimed.get("country"), submitted_by=claimed["submitted_by"])
    svc.forms.discard_draft(form_id)
    flash(_("%(form)s version %(version)s is approved and published.", form=form_id,
            version=record["version"]))
    return redirect(url_for("forms_admin.show_version", form_id=form_id,
                            version=record["version"]))


def _versions_page(form_id: str, status: int, error: str):
    from app.forms_admin.views import render_versions

    return render_versions(form_id, error), status


@bp.route("/approval", methods=["GET", "POST"])
@roles_required(*RULE_SETTERS)
def rules():
    """Which countries need a second editor's approval before a version goes live."""
    svc = services()
    form = RuleForm()
    error = None
    status = 200
    if request.method == "POST":
        country = (form.country.data or "").strip().upper()
        if not form.validate_on_submit():
            raise _refuse(Forbidden, _("The form expired; open the page again and retry."))
        if country not in country_codes():
            error, status = _("“%(code)s” is not a country code (two letters, such as MY).",
                              code=country[:10]), 400
        else:
            required = bool(form.required.data)
            svc.approvals.set_required(country, required, g.user["_id"])
            svc.audit.record("form.approval_rule", actor=g.user["_id"], target=country,
                             country=country, required=required)
            flash(_("Versions of %(country)s forms now need a second editor's approval.",
                    country=country) if required else
                  _("Versions of %(country)s forms now go live without a second approval.",
                    country=country))
            return redirect(url_for("forms_admin.rules"))
    return render_template("forms_admin/approval.html", form=form, rules=svc.approvals.rules_list(),
                           error=error), status


def may_decide(user: dict, submission: dict | None) -> bool:
    """Whether the versions page offers approve and return to this user."""
    return bool(submission) and may_edit(user, submission.get("country")) and \
        submission.get("submitted_by") != user.get("_id")


def submission_changes(submission: dict | None, versions: list[dict]) -> FieldChanges | None:
    """What the waiting submission changes in the questions, for whoever decides on it;
    None when nothing waits or its text no longer compiles against the published forms."""
    if not submission or submission.get("state") != "submitted":
        return None
    result = compile_text(submission["text"], f"{submission['_id']}.yaml",
                          services().forms.library_sources())
    if not result.ok:
        return None
    latest = versions[-1].get("field_types") if versions else None
    return field_changes(latest, result.unwrap())
