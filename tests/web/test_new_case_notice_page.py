"""A reviewer sees in the app, at once, that a new case reached their team."""

import pytest

from tests.case_helpers import file_case
from tests.intake_helpers import forms_published  # noqa: F401

pytestmark = pytest.mark.usefixtures("forms_published")


def test_new_case__on_the_team_reviewers_notifications_page(client, login_as, svc):
    reviewer = login_as("reviewer", countries=["MY"])
    case = file_case(svc)
    html = client.get("/cases/notifications").get_data(as_text=True)
    assert 'data-kind="new_case"' in html
    assert "A new case reached my-team:" in html and case["reference"] in html
    assert '<strong class="badge">New</strong><span class="visually-hidden">:</span>' in html, \
        "the badge is set apart from the sentence, for the eye and for screen readers"
    assert "1 unread notification" in client.get("/cases/").get_data(as_text=True)
    assert svc.notifications.unread_count(reviewer["_id"]) == 1


def test_new_case__not_for_reviewers_of_another_country(client, login_as, svc):
    login_as("reviewer", countries=["SG"])
    file_case(svc)
    assert 'data-kind="new_case"' not in client.get("/cases/notifications").get_data(
        as_text=True)
