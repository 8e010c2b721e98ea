"""The reporter's unsent answers, reached through the session.

The session (a signed cookie) holds only a random draft id per form; the answers
stay on the server, sealed, in `workflows.drafts`. Quick exit and "start again"
delete the draft and its pending files at once, so a shared phone shows nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import session

from app.services import services
from workflows.drafts import Draft

SESSION_KEY = "drafts"


def _now() -> datetime:
    return datetime.now(UTC)


def current(form_id: str) -> Draft | None:
    """This device's live draft of that form, if any."""
    draft_id = session.get(SESSION_KEY, {}).get(form_id)
    return services().drafts.get(draft_id, form_id, _now()) if draft_id else None


def current_or_new(form_id: str) -> Draft:
    return current(form_id) or services().drafts.create(form_id)


def keep(draft: Draft) -> None:
    """Save the draft and remember its id; the cookie outlives a closed tab for resuming."""
    services().drafts.save(draft, _now())
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), draft.form_id: draft.id}
    session.permanent = True


def forget(form_id: str, *, discard_files: bool = True) -> None:
    """Delete the draft of that form; its pending files too unless a case took them."""
    drafts = dict(session.get(SESSION_KEY, {}))
    _delete(drafts.pop(form_id, None), discard_files)
    session[SESSION_KEY] = drafts


def forget_all() -> None:
    """Delete every draft this device holds, with their files (quick exit)."""
    for draft_id in dict(session.get(SESSION_KEY, {})).values():
        _delete(draft_id, True)
    session.pop(SESSION_KEY, None)


def _delete(draft_id: str | None, discard_files: bool) -> None:
    svc = services()
    case_id = svc.drafts.delete(draft_id)
    if case_id and discard_files:
        svc.attachments.discard_pending(case_id)
