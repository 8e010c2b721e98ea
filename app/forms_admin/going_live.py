"""The one function that makes a form version go live.

The editor's confirmed "Publish", an approval, and `mrvrs forms publish` all call
`go_live`, so a check that a version must pass before reporters see it is written
once, in `go_live_refusals`. The editor also asks it before showing the confirmation
page or taking a submission, so nobody confirms or approves a version that would be
refused anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.forms_admin.editing import record_publication, uncovered_text
from forms.schema import FormDefinition


class CannotGoLive(Exception):
    """A check refused the version; `reasons` are sentences for whoever publishes it."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


@dataclass(frozen=True)
class WentLive:
    record: dict
    new: bool  # False: the latest version already had this content; nothing was written


def go_live_refusals(svc: Any, definition: FormDefinition) -> list[str]:
    """Why this compiled version may not go live ([] when it may), beyond the type
    changes that `FormStore.publish` refuses itself. The place for checks of the
    world around the form, such as a country that no team covers."""
    return [uncovered_text(country) for country in svc.routing.uncovered_countries(definition)]


def go_live(svc: Any, definition: FormDefinition, *, source_text: str, actor: str) -> WentLive:
    """Publish the next version and audit it.

    Raises `CannotGoLive` (a check of `go_live_refusals`), `forms.store.PublishRefused`
    (a type change) or `forms.store.PublishConflict` (publishes racing). A second
    editor's approval is the callers' business: they decide who is publishing.
    """
    reasons = go_live_refusals(svc, definition)
    if reasons:
        raise CannotGoLive(reasons)
    before = svc.forms.latest(definition.id)
    record = svc.forms.publish(definition, source_text=source_text, actor=actor)
    new = before is None or record["version"] > before["version"]
    if new:
        record_publication(svc, record, actor)
    return WentLive(record, new)
