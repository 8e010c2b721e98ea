"""Each person chooses how often the e-mail digest comes, on their account page."""

import re


def _selected(html: str) -> str:
    select = re.search(r'<select[^>]*name="digest-frequency".*?</select>', html, re.S).group(0)
    return re.search(r'<option selected value="([^"]+)"|<option value="([^"]+)" selected',
                     select).group(0)


def test_digest__default_daily_for_reviewers_never_for_members(client, login_as, auth):
    login_as("reviewer", countries=["MY"])
    html = client.get("/account/").get_data(as_text=True)
    assert 'for="digest-frequency"' in html and '"daily"' in _selected(html)
    auth.client.get("/auth/logout")
    login_as("member")
    assert '"never"' in _selected(client.get("/account/").get_data(as_text=True))


def test_digest__chosen_stored_and_audited(client, login_as, auth, svc):
    user = login_as("reviewer", countries=["MY"])
    response = auth.post("/account/digest", {"digest-frequency": "hourly"}, page="/account/",
                         prefix="digest")
    assert response.status_code == 302
    assert svc.users.get(user["_id"])["digest"] == "hourly"
    event = svc.audit.recent(1)[0]
    assert event["action"] == "user.digest_change"
    assert '"hourly"' in _selected(client.get("/account/").get_data(as_text=True))


def test_digest__unknown_choice__refused_nothing_stored(client, login_as, auth, svc):
    user = login_as("reviewer", countries=["MY"])
    response = auth.post("/account/digest", {"digest-frequency": "weekly"}, page="/account/",
                         prefix="digest")
    assert response.status_code == 400
    assert "digest" not in svc.users.get(user["_id"])
    assert 'class="errors"' in response.get_data(as_text=True)


def test_digest__without_the_csrf_token__refused(client, login_as, svc):
    user = login_as("reviewer", countries=["MY"])
    response = client.post("/account/digest", data={"digest-frequency": "never"})
    assert response.status_code == 400 and "digest" not in svc.users.get(user["_id"])
