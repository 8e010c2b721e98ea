"""Catalogues need a native speaker's review until marked reviewed: the admin page lists
them with their counts, and staff pages in such a language say so."""

from __future__ import annotations

import pytest

from app import translation_review as review
from app.translation_review import Review, ReviewFileError, parse_reviews


@pytest.fixture
def reviewed_ms(monkeypatch):
    """The review file as it would read once a Malay speaker has reviewed `ms`."""
    state = dict(review.reviews())
    state["ms"] = Review("ms", True, "A. Rahman (Tenaganita)", "2026-12-01", "all pages read")
    monkeypatch.setattr(review, "reviews", lambda: state)
    review.catalogue_state.cache_clear()
    yield
    review.catalogue_state.cache_clear()


def test_review_file__every_shipped_catalogue_listed_and_valid():
    assert set(review.reviews()) == set(review.catalogue_folders())


@pytest.mark.parametrize(("data", "problem"), [
    ([], "one entry per catalogue"),
    ({"ms": {"reviewed": "yes"}}, "ms: needs `reviewed: true` or `false`"),
    ({"ms": {"reviewed": True, "reviewer": "A"}}, "ms: a reviewed catalogue names"),
    ({"ms": {"reviewed": True, "date": "2026-01-01"}}, "ms: a reviewed catalogue names"),
])
def test_parse__malformed__names_the_entry(data, problem):
    with pytest.raises(ReviewFileError, match=problem.replace("`", ".").replace("(", ".")):
        parse_reviews(data)


def test_needs_review__english_never__tl_reads_fil(reviewed_ms):
    assert not review.needs_review("en") and not review.needs_review("ms")
    assert review.needs_review("tl") and review.needs_review("ar")


def test_admin_page__lists_pending_catalogues_with_counts(client, login_as):
    login_as("admin")
    page = client.get("/admin/translations").get_data(as_text=True)
    pending = page[page.index('class="translations pending"'):]
    for folder in review.catalogue_folders():
        assert f'data-catalogue="{folder}"' in pending
    state = review.catalogue_state("ar")
    assert 0 < state.translated <= state.messages
    row = pending[pending.index('data-catalogue="ar"'):]
    row = row[:row.index("</tr>")]
    assert f"<td>{state.messages}</td><td>{state.translated}</td>" in row


def test_admin_page__reviewed_catalogue_moves_to_reviewed(client, login_as, reviewed_ms):
    login_as("coordinator")
    page = client.get("/admin/translations").get_data(as_text=True)
    pending = page[page.index('class="translations pending"'):page.index("<h2>Reviewed")]
    assert 'data-catalogue="ms"' not in pending
    done = page[page.index('class="translations reviewed"'):]
    assert 'data-catalogue="ms"' in done and "A. Rahman (Tenaganita)" in done


@pytest.mark.parametrize("role", ["reviewer", "member", "mission"])
def test_admin_page__other_roles_refused(client, login_as, role):
    login_as(role)
    assert client.get("/admin/translations").status_code == 403


NOTICE = 'class="translation-review"'


def test_notice__staff_page_in_unreviewed_language(client, login_as):
    login_as("reviewer", countries=["MY"])
    client.get("/language?lang=ar")
    assert NOTICE in client.get("/cases/").get_data(as_text=True)


def test_notice__not_in_english_nor_in_a_reviewed_language(client, login_as, reviewed_ms):
    login_as("reviewer", countries=["MY"])
    assert NOTICE not in client.get("/cases/").get_data(as_text=True)
    client.get("/language?lang=ms")
    assert NOTICE not in client.get("/cases/").get_data(as_text=True)


def test_notice__not_on_the_public_path(client):
    client.get("/language?lang=ar")
    assert NOTICE not in client.get("/").get_data(as_text=True)


def test_navigation__translations_page_linked_for_admins(client, login_as):
    login_as("admin")
    assert 'data-endpoint="admin.translations"' in client.get("/admin/users").get_data(
        as_text=True)
