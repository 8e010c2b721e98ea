"""Roles and the one check every view uses to enforce them."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l

REPORTER = "reporter"
MEMBER = "member"
FORM_EDITOR = "form_editor"
REVIEWER = "reviewer"
COORDINATOR = "coordinator"
MISSION = "mission"
ADMIN = "admin"

ROLES = (REPORTER, MEMBER, FORM_EDITOR, REVIEWER, COORDINATOR, MISSION, ADMIN)

#: The roles in words, for pages (the keys stay in data, the API and the audit log).
ROLE_LABELS = {REPORTER: _l("registered reporter"), MEMBER: _l("member organisation staff"),
               FORM_EDITOR: _l("form editor"), REVIEWER: _l("national focal person"),
               COORDINATOR: _l("regional coordinator"), MISSION: _l("fact-finding mission"),
               ADMIN: _l("administrator")}


def role_label(role: str) -> str:
    """A role in the interface language; an unknown key as it is."""
    label = ROLE_LABELS.get(role)
    return str(label) if label is not None else role


#: Roles that bring another with them: a form editor is a member with one more permission.
IMPLIED = {FORM_EDITOR: (MEMBER,)}

#: Endpoints open to anyone that carry no `public_view` mark. Every other view either
#: declares its roles with `roles_required` or is marked public; the roles test and the
#: access matrix of docs/security.md both read this set.
PUBLIC_ENDPOINTS = frozenset({"static", "main.index", "main.choose_language", "main.healthz",
                              "auth.login", "auth.logout"})


class UnknownRoleError(ValueError):
    """A role name that MRVRS does not have."""


def normalise_roles(roles: Iterable[str]) -> list[str]:
    """Validate role names and add the roles they imply, in a stable order."""
    wanted = set()
    for role in roles:
        if role not in ROLES:
            raise UnknownRoleError(
                f"{role!r} is not a role. Roles are: {', '.join(ROLES)}."
            )
        wanted.add(role)
        wanted.update(IMPLIED.get(role, ()))
    return [role for role in ROLES if role in wanted]


def is_public(endpoint: str, view: Callable[..., Any]) -> bool:
    """True for a view anyone may call, signed in or not."""
    return endpoint in PUBLIC_ENDPOINTS or bool(getattr(view, "public_view", False))


def has_role(user: dict | None, *roles: str) -> bool:
    return bool(user) and bool(set(user.get("roles", ())) & set(roles))


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let a view run only for a signed-in user holding one of `roles`.

    Anonymous visitors of a page are sent to the login form; API clients get 401.
    A signed-in user without the role gets 403.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                if request.blueprint == "api":
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and not has_role(user, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any signed-in user, whatever their role."""
    return roles_required()(view)
