"""Audit events as people read them: who by e-mail, details as labelled text.

An event stores the actor's user id and its details as program data, which is what
the hash chain seals and what must not change. The audit pages show them for people:
every user id on a page (actors, and targets that are users) is turned into an
e-mail address with one batched lookup for the whole page, never a query per row,
and details become "label: value" lines with the keys we know named in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

#: Actors that are not users: the command line, the system and the demo seeding.
NON_USER_ACTORS = {"cli": _l("command line"), "system": _l("system"),
                   "demo-seed": _l("demo set-up"), "reporter": _l("reporter")}

#: Words for the detail keys the app records (the rest are shown with "_" as spaces).
DETAIL_LABELS = {
    "filters": _l("Filters"), "countries": _l("Countries handling the case"),
    "destinations": _l("Destination states"), "origins": _l("Origins"),
    "stages": _l("Stages"), "forms": _l("Forms"), "filed_from": _l("Filed from"),
    "filed_to": _l("Filed until"), "format": _l("Format"), "redaction": _l("Redaction"),
    "purpose": _l("Purpose"), "rows": _l("Rows"), "cases": _l("Cases"),
    "left_out": _l("Left out"), "declined": _l("consent declined"),
    "not_recorded": _l("no consent recorded"), "notes": _l("Notes"),
    "matched": _l("Cases matched"), "file": _l("File"), "size": _l("Size (bytes)"),
    "email": _l("E-mail"), "roles": _l("Roles"), "outcome": _l("Outcome"),
    "error": _l("Error"), "name": _l("Name"), "country": _l("Country"),
    "form": _l("Form"), "version": _l("Version"), "checked": _l("Events checked"),
    "reason": _l("Reason"), "fields": _l("Fields"), "label": _l("Label"),
    "mission": _l("Mission"), "threshold": _l("Small-cell threshold"),
    "cases_summarised": _l("Cases summarised"), "include_unverified": _l("Unverified included"),
    "reference": _l("Reference"), "tokens_revoked": _l("Tokens revoked"),
    "cleared": _l("Failed sign-ins cleared"), "form_id": _l("Form"), "hash": _l("Hash"),
    "changed": _l("Changed"), "via": _l("Via"), "new_token": _l("New token"),
    "already_current": _l("Already current"), "marked": _l("Marked"),
    "resealed": _l("Re-encrypted"), "unreadable": _l("Unreadable"),
    "keys_listed": _l("Keys listed"), "event_periods": _l("Event periods"),
    "resent": _l("Sent again"), "raced": _l("Sent at the same time"),
    # the handover (app/cases/handover.py)
    "share": _l("Share"), "to": _l("Shared with"), "access": _l("What they may see"),
    "from_team": _l("From the team"), "to_team": _l("To the team"),
}
EMPTY = "—"


@dataclass(frozen=True)
class People:
    """Who the user ids on one page are, looked up once for the page."""

    emails: Mapping[str, str]

    @classmethod
    def of(cls, events: Iterable[Mapping[str, Any]],
           lookup: Callable[[list[str]], Mapping[str, str]]) -> People:
        """`lookup` takes every id at once (`UserStore.emails_for`): one query per page."""
        ids = {v for e in events for v in (e.get("actor"), e.get("target"))
               if isinstance(v, str) and v not in NON_USER_ACTORS}
        return cls(lookup(sorted(ids)) if ids else {})

    def who(self, actor: str | None) -> str:
        """The actor by e-mail; a known non-user in words; an unknown id as it is."""
        if not actor:
            return EMPTY
        if actor in self.emails:
            return self.emails[actor]
        word = NON_USER_ACTORS.get(actor)
        return str(word) if word is not None else actor

    def target(self, target: str | None) -> str:
        """A target that is a user by e-mail; any other (case, job, token) as it is."""
        if not target:
            return EMPTY
        return self.emails.get(target, target)


def detail_lines(details: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The details as (label, text) pairs, empty values left out."""
    lines = []
    for key, value in (details or {}).items():
        text = _text(value)
        if text:
            lines.append((_label(key), text))
    return lines


def _label(key: str) -> str:
    word = DETAIL_LABELS.get(key)
    return str(word) if word is not None else key.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    """A value in words: lists joined, mappings as "label: text", yes/no for booleans."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, Mapping):
        parts = []
        for key, inner in value.items():
            text = _text(inner)
            if text:
                parts.append(f"{_label(key)}: {text}")
        return "; ".join(parts)
    if isinstance(value, (list, tuple)):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    return str(value)
