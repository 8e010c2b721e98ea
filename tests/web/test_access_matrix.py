"""The role × route matrix of docs/security.md: generated from the code, true, and complete."""

from __future__ import annotations

import pytest

from app import roles as r
from app.access_matrix import (
    ANONYMOUS,
    DOCUMENT,
    PUBLIC,
    ROLE_CHECKED,
    SIGNED_IN,
    UNCHECKED,
    Route,
    documented_routes,
    render_table,
    routes_of,
    table_in,
    who_may,
    with_table,
)

REGENERATE = "python -m app.access_matrix --write"


def _document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def test_docs_table__is_the_one_the_code_gives(app):
    assert table_in(_document()) == render_table(routes_of(app)), (
        f"docs/security.md's access matrix differs from the code: run `{REGENERATE}` "
        "and review the difference before committing it")


def test_docs_table__every_route_of_the_app_has_a_row(app):
    missing = sorted({route.key for route in routes_of(app)} - documented_routes(_document()))
    assert missing == [], f"routes missing from docs/security.md (run `{REGENERATE}`)"


def test_docs_table__a_route_added_later__reported_missing(app):
    app.add_url_rule("/api/v1/added-later", "api.added_later", lambda: "")
    missing = {route.key for route in routes_of(app)} - documented_routes(_document())
    assert missing == {("/api/v1/added-later", "GET")}


def test_walk__reads_the_role_check_and_the_public_marks(app):
    routes = {(route.rule, route.methods): route for route in routes_of(app)}
    assert routes[("/admin/users", ("GET", "POST"))].roles == (r.ADMIN,)
    assert routes[("/account/", ("GET",))].access == SIGNED_IN
    assert routes[("/report", ("GET",))].access == PUBLIC  # marked public_view
    assert routes[("/auth/login", ("GET", "POST"))].access == PUBLIC  # on the public list
    assert not [route for route in routes.values() if route.access == UNCHECKED]


def test_who_may__role_check__implied_roles_count():
    route = Route("/forms/", ("GET",), "forms_admin.index", ROLE_CHECKED, (r.MEMBER,))
    verdict = who_may(route)
    assert verdict[r.FORM_EDITOR] and verdict[r.MEMBER]
    assert not verdict[ANONYMOUS] and not verdict[r.ADMIN]


@pytest.mark.parametrize(("access", "anonymous", "every_role"), [
    (PUBLIC, True, True), (SIGNED_IN, False, True), (UNCHECKED, True, True),
])
def test_who_may__public_signed_in_unchecked(access, anonymous, every_role):
    verdict = who_may(Route("/x", ("GET",), "x", access))
    assert verdict[ANONYMOUS] is anonymous
    assert all(verdict[role] is every_role for role in r.ROLES)


def test_render__one_row_per_route_unchecked_flagged():
    table = render_table([Route("/api/v1/x", ("GET",), "api.x", ROLE_CHECKED, (r.MISSION,)),
                          Route("/leak", ("POST",), "leak", UNCHECKED)], roles=(r.MISSION,))
    lines = table.splitlines()
    assert lines[0] == "| route | methods | anonymous | mission | credential |"
    assert lines[2] == "| `/api/v1/x` | GET | · | ✓ | API token |"
    assert lines[3] == "| `/leak` | POST | ✓ | ✓ | **none: no role check** |"
    assert documented_routes(with_table(_document(), table)) == {("/api/v1/x", "GET"),
                                                                 ("/leak", "POST")}


def _refused(response, anonymous: bool) -> bool:
    if response.status_code in (401, 403):
        return True
    return anonymous and response.status_code == 302 and \
        response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("caller", [ANONYMOUS, *r.ROLES])
def test_matrix__says_what_the_app_does__every_get_route_without_arguments(
        app, client, svc, login_as, caller):
    """Each caller opens every argument-free GET route: the matrix's ✓ and · come true."""
    headers = {}
    if caller != ANONYMOUS:
        user = login_as(caller)
        _, token = svc.tokens.create(user["_id"], "matrix")
        headers = {"Authorization": f"Bearer {token}"}
    wrong = []
    for route in routes_of(app):
        if "GET" not in route.methods or "<" in route.rule:
            continue
        response = client.get(route.rule, headers=headers if route.api else {})
        if _refused(response, caller == ANONYMOUS) == who_may(route)[caller]:
            wrong.append((route.rule, response.status_code))
    assert wrong == []
