"""The header navigation, declared as data: which entry each role sees.

Areas added by later blueprints append entries here; an entry whose endpoint is
not registered is simply not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_babel import lazy_gettext as _l

from app import roles as r


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # a lazy translated string
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    public: bool = False  # shown to visitors who are not signed in


ENTRIES: list[NavEntry] = [
    NavEntry("main.index", _l("Home"), public=True),
    NavEntry("admin.users", _l("Users"), (r.ADMIN,)),
    NavEntry("admin.organisations", _l("Organisations"), (r.ADMIN,)),
    NavEntry("admin.audit", _l("Audit log"), (r.ADMIN, r.COORDINATOR)),
    NavEntry("account.index", _l("My account")),
]


def register(entry: NavEntry, before: str | None = "account.index") -> None:
    """Add an entry (placed before `before` when given) for a later area."""
    positions = [i for i, e in enumerate(ENTRIES) if e.endpoint == before]
    if any(e.endpoint == entry.endpoint for e in ENTRIES):
        return
    ENTRIES.insert(positions[0] if positions else len(ENTRIES), entry)


def visible_entries(user: dict | None) -> list[NavEntry]:
    views = current_app.view_functions
    shown = []
    for entry in ENTRIES:
        if entry.endpoint not in views:
            continue
        if user is None:
            if entry.public:
                shown.append(entry)
        elif entry.public or not entry.roles or r.has_role(user, *entry.roles):
            shown.append(entry)
    return shown


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation_context() -> dict:
        return {"nav_entries": visible_entries(g.get("user"))}
