"""The queue says what is due and what is overdue, filters the overdue and sorts by it."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.cases.queue import due_phrase, next_deadline
from tests.case_helpers import file_case
from tests.intake_helpers import forms_published  # noqa: F401

pytestmark = pytest.mark.usefixtures("forms_published")


def _rows(response):
    """(reference, deadline cell text) of each row, in the order shown."""
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr data-reference="([^"]+)">(.*?)</tr>', html, re.S)
    return [(ref, re.sub(r"<[^>]+>", "", re.search(r'<td class="due"[^>]*>(.*?)</td>', body,
                                                     re.S).group(1)).strip())
            for ref, body in rows]


@pytest.fixture
def three(svc):
    """Three Malaysian cases: one due in 2 days, one overdue by 3, one due in 9."""
    now = datetime.now(UTC)
    cases = {}
    for name, delta in (("soon", 2), ("late", -3), ("later", 9)):
        case = file_case(svc)
        svc.db.cases.update_one({"_id": case["_id"]},
                                {"$set": {"due_at": now + timedelta(days=delta)}})
        cases[name] = case["reference"]
    return cases


def test_queue__next_deadline_column_says_due_in_or_overdue_by(client, login_as, three):
    login_as("reviewer", countries=["MY"])
    shown = dict(_rows(client.get("/cases/?queue=team")))
    assert shown[three["soon"]] == "due in 2 days"
    assert shown[three["late"]] == "overdue by 3 days"
    assert shown[three["later"]] == "due in 9 days"


def test_queue__overdue_only(client, login_as, three):
    login_as("reviewer", countries=["MY"])
    response = client.get("/cases/?queue=team&overdue=y")
    assert response.status_code == 200
    assert [ref for ref, _ in _rows(response)] == [three["late"]]
    assert 'name="overdue"' in response.get_data(as_text=True)


def test_queue__sorted_by_deadline_soonest_first_and_paged(client, login_as, svc, three):
    login_as("coordinator")
    response = client.get("/cases/?queue=team&sort=due")
    assert [ref for ref, _ in _rows(response)] == [three["late"], three["soon"],
                                                   three["later"]]


def test_queue__unknown_sort__refused_with_the_form_error(client, login_as, three):
    login_as("coordinator")
    response = client.get("/cases/?queue=team&sort=priority")
    assert response.status_code == 400 and _rows(response) == []


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("due", "text", "late"), [
    (NOW + timedelta(days=1), "due in 1 day", False),
    (NOW + timedelta(hours=2), "due today", False),
    (NOW - timedelta(hours=2), "overdue by 1 day", True),
    (NOW - timedelta(days=30), "overdue by 30 days", True),
    (None, "", False),
])
def test_due_phrase(app, due, text, late):
    with app.test_request_context():
        assert due_phrase(due, NOW) == (text, late)


def test_next_deadline__the_sooner_of_stage_and_follow_up():
    follow_up = NOW + timedelta(days=1)
    assert next_deadline({"due_at": NOW + timedelta(days=5),
                          "follow_up_due_at": follow_up}) == follow_up
    assert next_deadline({"due_at": None}) is None
