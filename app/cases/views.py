"""The case page and the actions taken on it, registered on the `cases` blueprint.

Each action is a POST form with a CSRF token and the case version the page was
rendered with. The view checks the form, then hands over to the case service,
which checks every rule and writes once. A rule broken shows the page again with
the reason; a case changed by someone else in between (`StaleVersion`) shows a
conflict message with the case as it is now (409), never a silent overwrite.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from flask import abort, flash, g, redirect, send_file, url_for
from flask_babel import gettext as _

from app import roles as r
from app.cases.forms import (
    AssignForm,
    ClaimForm,
    FollowUpForm,
    FollowUpUpdateForm,
    NarrativeForm,
    NoteForm,
    transition_data,
    transition_form_class,
)
from app.cases.page import refusal_text, render_case, stage_name, transition_button
from app.cases.queue import CASE_ROLES, bp
from app.cases.support import CASEWORKERS, actor_of, case_or_404, case_service, sees_full_case
from app.roles import roles_required
from app.services import services
from workflows.errors import Refusal, StaleVersion, TransitionNotAllowed
from workflows.scope import can_see

#: How a refusal is answered: a role or stage problem is not a typing mistake.
REFUSAL_STATUS = {Refusal.ROLE_NOT_ALLOWED: 403, Refusal.NOT_FROM_THIS_STAGE: 409,
                  Refusal.OPEN_FOLLOW_UPS: 409}
NOTE_ROLES = (r.MEMBER, r.REVIEWER, r.COORDINATOR)


@bp.errorhandler(StaleVersion)
def stale_version(exc: StaleVersion):
    """Show the case as it is now, with a plain conflict message."""
    case = services().cases.get(exc.case_id)
    if case is None or g.get("user") is None or not can_see(actor_of(g.user), case):
        abort(409)
    return render_case(case, status=409, conflict=True)


@bp.route("/<reference>")
@roles_required(*CASE_ROLES)
def case(reference: str):
    return render_case(case_or_404(reference, g.user))


def _act(reference: str, key: str, form: Any, action: Callable[[dict], Any],
         done: str) -> Any:
    """Check the form and the version, run `action`, and go back to the case page."""
    case = case_or_404(reference, g.user)
    if not form.validate_on_submit():
        return render_case(case, status=400, forms=_keyed(key, form))
    expected = int(form.version.data)
    if expected != case["version"]:
        raise StaleVersion(case["_id"], case["stage"], expected)
    try:
        action(case)
    except TransitionNotAllowed as exc:
        _mark_fields(form, exc)
        return render_case(case, status=REFUSAL_STATUS.get(exc.reason, 400),
                           forms=_keyed(key, form), error=refusal_text(exc))
    flash(done)
    return redirect(url_for("cases.case", reference=case["reference"]))


def _keyed(key: str, form: Any) -> dict[str, Any]:
    if key.startswith("transition:"):
        return {"transitions": {key.split(":", 1)[1]: form}}
    return {key: form}


def _mark_fields(form: Any, exc: TransitionNotAllowed) -> None:
    for name in exc.fields:
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and name != "version":
            field.errors = [*field.errors, exc.message]


@bp.route("/<reference>/transitions/<name>", methods=["POST"])
@roles_required(*CASE_ROLES)
def take_transition(reference: str, name: str):
    case = case_or_404(reference, g.user)
    transition = case_service().graph_for(case).transitions.get(name)
    if transition is None:
        abort(404)
    form = transition_form_class(transition)(prefix=transition.name)

    def action(current: dict) -> Any:
        return case_service().transition(current, transition.name, actor_of(g.user),
                                         transition_data(form, transition),
                                         int(form.version.data))

    done = _("%(step)s: done. The case is now %(stage)s.", step=transition_button(name),
             stage=stage_name(transition.target))
    return _act(reference, f"transition:{name}", form, action, done)


@bp.route("/<reference>/claim", methods=["POST"])
@roles_required(*CASEWORKERS)
def claim(reference: str):
    form = ClaimForm(prefix="claim")
    return _act(reference, "claim", form,
                lambda c: case_service().claim(c, actor_of(g.user)),
                _("You hold this case now."))


@bp.route("/<reference>/assign", methods=["POST"])
@roles_required(*CASEWORKERS)
def assign(reference: str):
    from app.cases.page import assign_choices

    case = case_or_404(reference, g.user)
    form = AssignForm(prefix="assign")
    form.assignee.choices = assign_choices(case)
    return _act(reference, "assign", form,
                lambda c: case_service().assign(c, actor_of(g.user), form.assignee.data),
                _("The case was assigned."))


@bp.route("/<reference>/notes", methods=["POST"])
@roles_required(*NOTE_ROLES)
def add_note(reference: str):
    _full_or_404(reference)
    form = NoteForm(prefix="note")
    return _act(reference, "note", form,
                lambda c: case_service().add_note(c, actor_of(g.user), form.text.data),
                _("The note was added."))


@bp.route("/<reference>/texts/<field_id>", methods=["POST"])
@roles_required(*CASEWORKERS)
def approve_text(reference: str, field_id: str):
    _full_or_404(reference)
    form = NarrativeForm(prefix=f"text-{field_id}")
    return _act(reference, f"text-{field_id}", form,
                lambda c: case_service().approve_text(c, actor_of(g.user), field_id,
                                                      form.text.data),
                _("The redacted narrative was approved."))


@bp.route("/<reference>/follow-ups", methods=["POST"])
@roles_required(*NOTE_ROLES)  # member staff act on a case shared with their organisation
def add_follow_up(reference: str):
    form = FollowUpForm(prefix="fu")

    def action(current: dict) -> Any:
        values = {"type": form.type.data, "responsible_org": form.responsible_org.data,
                  "due": form.due.data.isoformat()}
        return case_service().add_follow_up(current, actor_of(g.user), values)

    return _act(reference, "follow_up", form, action, _("The follow-up action was added."))


@bp.route("/<reference>/follow-ups/<action_id>", methods=["POST"])
@roles_required(*NOTE_ROLES)
def update_follow_up(reference: str, action_id: str):
    case = case_or_404(reference, g.user)
    if not any(a.get("id") == action_id for a in case.get("follow_ups") or ()):
        abort(404)
    form = FollowUpUpdateForm(prefix=f"fu-{action_id}")

    def action(current: dict) -> Any:
        changes = {"status": form.status.data, "result": form.result.data or ""}
        return case_service().update_follow_up(current, actor_of(g.user), action_id, changes)

    return _act(reference, f"fu-{action_id}", form, action,
                _("The follow-up action was updated."))


@bp.route("/<reference>/attachments/<file_id>")
@roles_required(*CASE_ROLES)
def attachment(reference: str, file_id: str):
    """A file as it was received, for those who see the full case; the download is audited."""
    case = _full_or_404(reference)
    entry = next((a for a in case.get("attachments") or () if a.get("id") == file_id), None)
    if entry is None:
        abort(404)
    try:
        data = services().attachments.read(ObjectId(file_id))
    except InvalidId:
        abort(404)
    services().audit.record("case.attachment_download", actor=g.user["_id"],
                            target=case["_id"], reference=case["reference"], file=file_id,
                            sha256=entry.get("sha256"))
    return send_file(io.BytesIO(data), mimetype=entry.get("content_type") or
                     "application/octet-stream", as_attachment=True,
                     download_name=entry.get("name") or "attachment")


def _full_or_404(reference: str) -> dict:
    case = case_or_404(reference, g.user)
    if not sees_full_case(g.user, case):
        abort(404)
    return case
