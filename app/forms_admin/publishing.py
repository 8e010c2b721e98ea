"""Putting a checked definition live from the editor: a confirmation page first, or,
where the country requires a second editor, a submission for approval.

Called by `views._act` with the compiled text; every path that makes a version live
goes through `going_live.go_live`.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.forms_admin import going_live
from app.forms_admin.editing import Posted, type_change_text
from app.forms_admin.going_live import CannotGoLive, go_live
from app.forms_admin.views import EditorForm, _page
from app.services import services
from forms.approvals import SubmissionConflict
from forms.compiler import CompileResult
from forms.store import PublishConflict, PublishRefused
from forms.version_changes import field_changes


def approval_text(country: str | None) -> str:
    return _("Forms of %(country)s need a second editor's approval before a version goes "
             "live: use “Submit for approval”, and another editor for %(country)s approves it.",
             country=country)


def publish(editor: EditorForm, form_id: str | None, posted: Posted, result: CompileResult):
    """Ask for confirmation, then make the version live."""
    svc = services()
    definition = result.unwrap()
    if svc.approvals.required(definition.country):
        return _page(editor, form_id, result=result, status=400,
                     errors=[approval_text(definition.country)])
    refused = _refusals(svc, definition)
    if refused:
        return _page(editor, form_id, status=400, errors=refused)
    latest = svc.forms.latest(definition.id)
    if latest is not None and latest["hash"] == definition.definition_hash():
        flash(_("%(form)s version %(version)s already has this content; nothing new was "
                "published.", form=latest["form_id"], version=latest["version"]))
        return redirect(url_for("forms_admin.show_version", form_id=latest["form_id"],
                                version=latest["version"]))
    expected = str(latest["version"] if latest else 0)
    if request.form.get("confirm") != "yes" or request.form.get("expected_version") != expected:
        moved = request.form.get("confirm") == "yes"  # confirmed an older state of the form
        return confirm_page(editor, form_id, posted, definition, latest, moved)
    try:
        went = go_live(svc, definition, source_text=posted.text, actor=g.user["_id"])
    except CannotGoLive as cannot:
        return _page(editor, form_id, status=400, errors=cannot.reasons)
    except PublishRefused as refused:
        return _page(editor, form_id, status=400,
                     errors=[type_change_text(change) for change in refused.reasons])
    except PublishConflict:
        abort(409)
    record = went.record
    flash(_("%(form)s version %(version)s is published.", form=record["form_id"],
            version=record["version"]))
    svc.forms.discard_draft(definition.id)
    return redirect(url_for("forms_admin.show_version", form_id=record["form_id"],
                            version=record["version"]))


def confirm_page(editor: EditorForm, form_id: str | None, posted: Posted, definition,
                 latest: dict | None, moved: bool):
    """What goes live, for which country, as which version, and what changes in the
    questions; posting it back with confirm=yes publishes exactly this text."""
    changes = field_changes((latest or {}).get("field_types"), definition)
    return render_template("forms_admin/confirm.html", editor=editor, form_id=form_id,
                           text=posted.text, definition=definition, latest=latest,
                           next_version=(latest["version"] + 1) if latest else 1,
                           changes=changes, moved=moved)


def submit(editor: EditorForm, form_id: str | None, posted: Posted, result: CompileResult):
    """Freeze the checked text as the submission another editor will approve."""
    svc = services()
    definition = result.unwrap()
    if not svc.approvals.required(definition.country):
        return _page(editor, form_id, result=result, status=400, errors=[_(
            "Forms of %(country)s need no approval: use “Publish”.",
            country=definition.country or "—")])
    refused = _refusals(svc, definition)
    if refused:
        return _page(editor, form_id, status=400, errors=refused)
    try:
        svc.approvals.submit(definition.id, text=posted.text,
                             digest=definition.definition_hash(),
                             country=definition.country, actor=g.user["_id"])
    except SubmissionConflict:
        return _page(editor, form_id, result=result, status=409, errors=[_(
            "A version of %(form)s is already waiting for approval. Withdraw it, or wait "
            "until it is approved or returned.", form=definition.id)])
    svc.audit.record("form.submit", actor=g.user["_id"], target=definition.id,
                     form_id=definition.id, country=definition.country,
                     hash=definition.definition_hash())
    svc.forms.discard_draft(definition.id)  # the draft became the submission
    flash(_("%(form)s was submitted for approval. Another editor for %(country)s can now "
            "approve it or return it.", form=definition.id, country=definition.country))
    return redirect(url_for("forms_admin.versions", form_id=definition.id))


def _refusals(svc, definition) -> list[str]:
    """Everything that would stop this version going live, asked before anyone confirms
    or approves it: the checks of `go_live` and the store's type changes."""
    return [*going_live.go_live_refusals(svc, definition),
            *(type_change_text(change) for change in svc.forms.type_changes(definition))]
