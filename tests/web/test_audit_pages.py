"""The audit pages name people by e-mail and say what happened in words, with one user
lookup per page however many events it shows."""

from __future__ import annotations

import html

import pytest

EVENT = {"format": "csv", "redaction": "pseudonymised", "purpose": "statistics",
         "filters": {"countries": ["SG"], "destinations": [], "filed_from": "2025-01-01",
                     "filed_to": None},
         "rows": {"cases": 4, "violations": 9}, "cases": 4,
         "left_out": {"declined": 2, "not_recorded": 1}}


class CountingCollection:
    """The users collection, counting the queries sent to it."""

    def __init__(self, collection):
        self._collection = collection
        self.queries = 0

    def __getattr__(self, name):
        attribute = getattr(self._collection, name)
        if name in ("find", "find_one", "aggregate", "count_documents"):
            def counted(*args, **kwargs):
                self.queries += 1
                return attribute(*args, **kwargs)
            return counted
        return attribute


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def record_exports(svc, people, count: int) -> None:
    for i in range(count):
        svc.audit.record("export.created", actor=people[i % len(people)]["_id"], target=None,
                         **EVENT)


@pytest.mark.parametrize("url", ["/exports/audit", "/admin/audit"])
def test_actors_by_email_and_details_in_words(client, login_as, make_user, svc, url):
    viewer = login_as("coordinator")
    other = make_user(("mission",))
    record_exports(svc, [viewer, other], 2)
    svc.audit.record("export.created", actor="cli", target=None, **EVENT)
    text = page(client, url)
    assert viewer["email"] in text and other["email"] in text
    assert viewer["_id"] not in text and other["_id"] not in text
    assert "command line" in text
    assert "Countries handling the case: SG" in text and "Filed from: 2025-01-01" in text
    assert "Redaction" in text and "pseudonymised" in text
    assert "Cases: 4; Violations: 9" in text
    assert "consent declined: 2; no consent recorded: 1" in text
    assert "{'countries'" not in text and "filed_to" not in text


def test_admin_page__a_user_target_by_email(client, login_as, make_user, svc):
    admin = login_as("admin")
    created = make_user(("member",))
    svc.audit.record("user.create", actor=admin["_id"], target=created["_id"],
                     email=created["email"], roles=["member"])
    text = page(client, "/admin/audit")
    assert created["_id"] not in text
    assert f"E-mail</dt><dd>{created['email']}" in text and "Roles</dt><dd>member" in text


@pytest.mark.parametrize("url", ["/exports/audit", "/admin/audit"])
def test_one_user_lookup_per_page_however_many_rows(client, login_as, make_user, svc, url):
    viewer = login_as("coordinator")
    people = [viewer, *(make_user(("mission",)) for _ in range(5))]
    counting = CountingCollection(svc.users.collection)
    svc.users.collection = counting

    def queries_for_page() -> int:
        counting.queries = 0
        page(client, url)
        return counting.queries

    record_exports(svc, people[:1], 2)
    few = queries_for_page()
    record_exports(svc, people, 60)
    many = queries_for_page()
    assert many == few, f"{few} user queries with 2 events, {many} with 62"
    assert all(p["email"] in page(client, url) for p in people)
