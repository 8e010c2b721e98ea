"""The list of staff pages (tests/staff_pages.py) agrees with the access matrix: each
role lists only pages the role check lets it open, and every page behind the role check
is listed for some role, so the tests that render every staff page miss none."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.access_matrix import ROLE_CHECKED, SIGNED_IN, Route, routes_of, who_may
from tests.staff_pages import NOT_LISTED, seed_staff_pages


def _endpoint(app, url: str) -> str:
    endpoint, _args = app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")
    return endpoint


def _staff_pages(app) -> dict[str, Route]:
    """Endpoint -> route, for every page a signed-in person opens with GET."""
    return {route.endpoint: route for route in routes_of(app)
            if "GET" in route.methods and not route.api
            and route.access in (ROLE_CHECKED, SIGNED_IN)}


def test_every_listed_page__its_role_may_open_it(app, svc):
    pages, routes = seed_staff_pages(svc), _staff_pages(app)
    refused = [(roles, url) for roles, _extra, urls in pages.by_role for url in urls
               if not all(who_may(routes[_endpoint(app, url)])[role] for role in roles)]
    assert refused == []


def test_every_staff_page__listed_for_some_role(app, svc):
    listed = {_endpoint(app, url) for url in seed_staff_pages(svc).all_urls()}
    missing = sorted(set(_staff_pages(app)) - listed - set(NOT_LISTED))
    assert missing == [], "add these pages to tests/staff_pages.py, with the data they show"


def test_pages_not_listed__are_routes_of_the_app(app):
    assert set(NOT_LISTED) <= set(_staff_pages(app))


def test_pages_of_administrators_and_coordinators__listed_for_both(app, svc):
    """Routing and the approval rule are the work of both roles: both render them."""
    pages = seed_staff_pages(svc)
    by_role = {roles[0]: {_endpoint(app, url) for url in urls}
               for roles, _extra, urls in pages.by_role}
    both = {"admin.routing", "admin.routing_history", "admin.routing_rules",
            "forms_admin.rules", "admin.audit", "admin.translations"}
    assert both <= by_role["admin"] & by_role["coordinator"]
