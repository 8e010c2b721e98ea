"""The one function that makes a form version go live.

The editor's confirmed "Publish", an approval, and `mrvrs forms publish` all call
`go_live`, so a check that a version must pass before reporters see it (approval,
type changes, the country's coverage) is written once, here or in what it calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.forms_admin.editing import record_publication
from forms.schema import FormDefinition


@dataclass(frozen=True)
class WentLive:
    record: dict
    new: bool  # False: the latest version already had this content; nothing was written


def go_live(svc: Any, definition: FormDefinition, *, source_text: str, actor: str) -> WentLive:
    """Publish the next version and audit it. Raises `forms.store.PublishRefused` on a
    type change and `forms.store.PublishConflict` when publishes race; callers that
    need a second editor's approval check `svc.approvals` before calling."""
    before = svc.forms.latest(definition.id)
    record = svc.forms.publish(definition, source_text=source_text, actor=actor)
    new = before is None or record["version"] > before["version"]
    if new:
        record_publication(svc, record, actor)
    return WentLive(record, new)
