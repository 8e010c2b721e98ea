"""The role × route matrix of docs/security.md, generated from the app itself.

`routes_of` walks the app's URL map and reads what the one role check
(`app.roles.roles_required`) left on each view; everything after it is a pure
function of plain data, so the table in the docs can be compared with the code by a
test and rewritten by a command:

    python -m app.access_matrix --write     # rewrites the table in docs/security.md
    python -m app.access_matrix             # prints it

The matrix says who gets past the role check. Scope narrows what a role sees within
it (organisation, team, country, shares, pseudonymisation); the docs say so below
the table.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import Flask

from app.generated_tables import DOCS, Markers, embedded_app
from app.roles import ROLES, is_public, normalise_roles

ANONYMOUS = "anonymous"
PUBLIC = "public"
SIGNED_IN = "signed-in"
ROLE_CHECKED = "roles"
UNCHECKED = "unchecked"
#: Methods every route answers by itself; they run no view code of ours.
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})
MARKERS = Markers("access-matrix", "python -m app.access_matrix --write")
START, END = MARKERS.start, MARKERS.end
DOCUMENT = DOCS / "security.md"
ALLOWED, REFUSED = "✓", "·"


@dataclass(frozen=True)
class Route:
    """One rule of the URL map and what its view demands of the caller."""

    rule: str
    methods: tuple[str, ...]
    endpoint: str
    access: str  # PUBLIC, SIGNED_IN, ROLE_CHECKED or UNCHECKED
    roles: tuple[str, ...] = ()

    @property
    def api(self) -> bool:
        return self.rule.startswith("/api/")

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, " ".join(self.methods)


def routes_of(app: Flask) -> list[Route]:
    """Every route of `app`, in a stable order, with the access its view declares."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        required = getattr(view, "required_roles", None)
        if is_public(rule.endpoint, view):
            access, roles = PUBLIC, ()
        elif required is None:
            access, roles = UNCHECKED, ()
        elif not required:
            access, roles = SIGNED_IN, ()
        else:
            access, roles = ROLE_CHECKED, tuple(required)
        methods = tuple(sorted(set(rule.methods or ()) - IMPLICIT_METHODS))
        routes.append(Route(rule.rule, methods, rule.endpoint, access, roles))
    return sorted(routes, key=lambda r: r.key)


def who_may(route: Route, roles: Sequence[str] = ROLES) -> dict[str, bool]:
    """Caller kind -> whether the role check lets it call `route`.

    A role counts with the roles it implies (a form editor is also a member). A view
    with no role check at all is open to everyone, and shown so.
    """
    open_to_all = route.access in (PUBLIC, UNCHECKED)
    verdict = {ANONYMOUS: open_to_all}
    for role in roles:
        held = set(normalise_roles([role]))
        verdict[role] = (open_to_all or route.access == SIGNED_IN
                         or (route.access == ROLE_CHECKED and bool(held & set(route.roles))))
    return verdict


def _credential(route: Route) -> str:
    if route.access == PUBLIC:
        return "none"
    if route.access == UNCHECKED:
        return "**none: no role check**"
    return "API token" if route.api else "session"


def render_table(routes: Iterable[Route], roles: Sequence[str] = ROLES) -> str:
    """The Markdown table: one row per route and method set, one column per caller kind."""
    kinds = [ANONYMOUS, *roles]
    lines = ["| route | methods | " + " | ".join(kinds) + " | credential |",
             "|---|---|" + "|".join(":-:" for _ in kinds) + "|---|"]
    for route in routes:
        verdict = who_may(route, roles)
        cells = [ALLOWED if verdict[kind] else REFUSED for kind in kinds]
        lines.append(f"| `{route.rule}` | {' '.join(route.methods)} | " + " | ".join(cells)
                     + f" | {_credential(route)} |")
    return "\n".join(lines) + "\n"


table_in, with_table = MARKERS.table_in, MARKERS.with_table


def documented_routes(document: str) -> set[tuple[str, str]]:
    """(rule, methods) of every row of the table in `document`."""
    rows = set()
    for line in table_in(document).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[0].startswith("`"):
            rows.add((cells[0].strip("`"), cells[1]))
    return rows




def main(argv: Sequence[str]) -> int:
    table = render_table(routes_of(embedded_app()))
    if "--write" not in argv:
        sys.stdout.write(table)
        return 0
    DOCUMENT.write_text(with_table(DOCUMENT.read_text(encoding="utf-8"), table),
                        encoding="utf-8")
    print(f"wrote the access matrix into {DOCUMENT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
