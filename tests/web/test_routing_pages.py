"""The routing pages: who may use them, every problem at once with nothing saved, the
audit, conflicts between two editors, history, and the form editor's publish refusal."""

from __future__ import annotations

import re

import pytest

from app import roles as r
from tests.helpers import csrf_token
from tests.web.test_forms_admin import unlabelled

PAGE = "/admin/routing"
NP_FORM = "np-intake"


def _post(client, url, data, prefix, page=PAGE):
    html = client.get(page).get_data(as_text=True)
    return client.post(url, data={**data, f"{prefix}-csrf_token": csrf_token(html)})


@pytest.mark.parametrize("role", r.ROLES)
def test_pages__administrators_and_coordinators_only(client, login_as, role):
    login_as(role)
    allowed = role in (r.ADMIN, r.COORDINATOR)
    for url in (PAGE, f"{PAGE}/rules", f"{PAGE}/history"):
        assert client.get(url).status_code == (200 if allowed else 403)
    nav = client.get("/").get_data(as_text=True)
    assert ('data-endpoint="admin.routing"' in nav) == allowed


def test_page__lists_teams_and_countries_every_input_labelled(client, login_as):
    login_as(r.COORDINATOR)
    html = client.get(PAGE).get_data(as_text=True)
    assert 'id="team-gulf-team"' in html and "Remove SA from gulf-team" in html
    assert unlabelled(html) == []
    assert unlabelled(client.get(f"{PAGE}/rules").get_data(as_text=True)) == []


def test_add_team__saved_audited_in_force_and_in_the_history(client, login_as, svc):
    user = login_as(r.COORDINATOR)
    response = _post(client, f"{PAGE}/teams", {"team-key": "vn-team", "team-countries": "vn",
                                               "team-base_version": "1",
                                               "team-note": "focal person found"}, "team")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert svc.routing.current().team_for_country("VN") == "vn-team"
    assert svc.workflow.rules.team_for_country("VN") == "vn-team"
    [event] = svc.audit.recent(1, action="routing.save")
    assert event["actor"] == user["_id"] and event["details"]["version"] == 2
    assert "team_added:vn-team" in event["details"]["changes"]
    history = client.get(f"{PAGE}/history").get_data(as_text=True)
    assert "added the team <code>vn-team</code> (VN)" in history
    assert "focal person found" in history
    assert user["email"] in history


def test_bad_input__every_problem_at_once__nothing_saved(client, login_as, svc):
    login_as(r.ADMIN)
    response = _post(client, f"{PAGE}/countries", {"countries-team": "sg-team",
                                                   "countries-countries": "SG, MY, XX",
                                                   "countries-base_version": "1"}, "countries")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "XX: not a two-letter ISO country code" in html
    assert svc.routing_store.latest_number() == 1
    response = _post(client, f"{PAGE}/countries", {"countries-team": "sg-team",
                                                   "countries-countries": "SG, MY",
                                                   "countries-base_version": "1"}, "countries")
    assert response.status_code == 400
    assert "A country belongs to one team only" in response.get_data(as_text=True)
    assert svc.routing_store.latest_number() == 1
    assert svc.audit.recent(5, action="routing.save") == []


def test_conflict__form_made_on_an_older_version__409_nothing_saved(client, login_as, svc):
    login_as(r.COORDINATOR)
    first = _post(client, f"{PAGE}/teams", {"team-key": "vn-team", "team-countries": "VN",
                                            "team-base_version": "1"}, "team")
    assert first.status_code == 302
    second = _post(client, f"{PAGE}/teams", {"team-key": "la-team", "team-countries": "LA",
                                             "team-base_version": "1"}, "team")
    assert second.status_code == 409
    assert "Someone else saved routing version 2" in second.get_data(as_text=True)
    assert svc.routing_store.latest_number() == 2
    assert "la-team" not in svc.routing_store.latest()["config"]["teams"]


def test_remove_country__saved(client, login_as, svc):
    login_as(r.COORDINATOR)
    response = _post(client, f"{PAGE}/remove-country", {
        "country-team": "gulf-team", "country-country": "LB", "country-base_version": "1"},
        "country")
    assert response.status_code == 302
    assert svc.routing.current().team_for_country("LB") is None


def test_accept_secretariat__administrators_only(client, login_as, svc):
    login_as(r.COORDINATOR)
    html = client.get(PAGE).get_data(as_text=True)
    token = csrf_token(html)
    refused = client.post(f"{PAGE}/accept", data={"country-country": "LA",
                                                  "country-base_version": "1",
                                                  "country-csrf_token": token})
    assert refused.status_code == 403
    assert "Only an administrator can accept" in html


def test_add_team__refused__what_was_typed_kept_to_correct(client, login_as, svc):
    login_as(r.COORDINATOR)
    response = _post(client, f"{PAGE}/teams", {"team-key": "Mekong Team",
                                               "team-countries": "TH, XX",
                                               "team-note": "New member in Bangkok",
                                               "team-base_version": "1"}, "team")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Mekong Team"' in html and 'value="TH, XX"' in html
    assert 'value="New member in Bangkok"' in html
    assert 'name="team-base_version" type="hidden" value="1"' in html
    assert svc.routing_store.latest_number() == 1


def test_set_countries__refused__the_rows_typed_codes_kept(client, login_as, svc):
    login_as(r.COORDINATOR)
    response = _post(client, f"{PAGE}/countries", {"countries-team": "my-team",
                                                   "countries-countries": "MY, Malaysia",
                                                   "countries-base_version": "1"}, "countries")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    row = html.split('id="team-my-team"', 1)[1].split("</tr>", 1)[0]
    assert 'value="MY, Malaysia"' in row and 'aria-invalid="true"' in row
    assert 'value="MY, Malaysia"' not in html.split('id="team-my-team"', 1)[0]
    assert svc.routing_store.latest_number() == 1


def test_rules__conflict__their_rules_shown_and_the_unsaved_text_kept(client, login_as, svc):
    login_as(r.ADMIN)
    page = f"{PAGE}/rules"
    first = "- {id: danger_signs, priority: urgent, flags: [detention]}\n"
    assert _post(client, page, {"rules-rules": first, "rules-window": "90",
                                "rules-base_version": "1"}, "rules", page=page).status_code == 302
    mine = "- {id: minors, priority: urgent, flags: [minor]}\n"
    response = _post(client, page, {"rules-rules": mine, "rules-window": "90",
                                    "rules-base_version": "1"}, "rules", page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "<h1>Priority rules</h1>" in html, "the YAML page again, not the teams page"
    assert "Someone else saved routing version 2" in html
    textarea = html.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "danger_signs" in textarea and "minors" not in textarea
    assert 'name="rules-base_version" type="hidden" value="2"' in html
    assert "Your text, not saved" in html and "id: minors" in html.split("Your text", 1)[1]
    assert svc.routing_store.latest_number() == 2


def test_rules__checked_yaml__saved_or_every_problem_shown(client, login_as, svc):
    login_as(r.ADMIN)
    page = f"{PAGE}/rules"
    bad = ("- {id: a, priority: urgent, flags: [nope]}\n"
           "- {id: b, priority: loud, mwc: [9]}\n")
    response = _post(client, page, {"rules-rules": bad, "rules-window": "180",
                                    "rules-base_version": "1"}, "rules", page=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "priority_rules.a.flags" in html and "priority_rules.b.priority" in html
    assert svc.routing_store.latest_number() == 1
    good = "- {id: danger_signs, priority: urgent, flags: [detention]}\n"
    response = _post(client, page, {"rules-rules": good, "rules-window": "90",
                                    "rules-base_version": "1"}, "rules", page=page)
    assert response.status_code == 302
    rules = svc.routing.current()
    assert [rule.id for rule in rules.priority_rules] == ["danger_signs"]
    assert rules.duplicate_window_days == 90




def test_publish__country_no_team_covers__refused_naming_the_fix(client, login_as, auth, svc):
    from tests.web.test_forms_admin import post, publish, source

    login_as(r.COORDINATOR)
    text = source(svc, NP_FORM).replace("form: np-intake", "form: la-intake").replace(
        "country: NP", "country: LA")
    response = post(auth, "/forms/new", text, "publish")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "No team covers LA" in html and "Routing page" in html
    assert "names the line" not in html, "the refusal has no line to point at"
    assert svc.forms.latest("la-intake") is None
    svc.routing_store.save({**svc.routing_store.latest()["config"], "fallback_accepted":
                            ["LA", "MM", "VN"]}, expected=1, actor="admin")
    assert publish(auth, "/forms/new", text).status_code == 302
    assert svc.forms.latest("la-intake")["version"] == 1


def test_add_team__fallback_cases_of_the_country_moved_to_it(client, login_as, svc):
    from tests.case_helpers import ANSWERS, file_case

    login_as(r.COORDINATOR)
    case = file_case(svc, form_id="vn-intake", answers={**ANSWERS, "destination_country": "VN"})
    assert case["team"] == "secretariat"
    assert _post(client, f"{PAGE}/teams", {"team-key": "vn-team", "team-countries": "VN",
                                           "team-base_version": "1"}, "team").status_code == 302
    moved = svc.cases.get(case["_id"])
    assert moved["team"] == "vn-team"
    assert [e["data"]["to_team"] for e in moved["events"] if e["kind"] == "team_change"] == [
        "vn-team"]


def test_team_change__shown_on_the_case_timeline(client, login_as, svc):
    from tests.case_helpers import ANSWERS, file_case

    login_as(r.COORDINATOR)
    case = file_case(svc, form_id="vn-intake", answers={**ANSWERS, "destination_country": "VN"})
    _post(client, f"{PAGE}/teams", {"team-key": "vn-team", "team-countries": "VN",
                                    "team-base_version": "1"}, "team")
    html = client.get(f"/cases/{case['reference']}").get_data(as_text=True)
    assert "moved the case from the team secretariat to vn-team after a routing change" in html


def test_add_team__its_reviewers_told_of_the_cases_moved_to_it(client, login_as, make_user,
                                                                auth, svc):
    from tests.case_helpers import ANSWERS, file_case
    from tests.helpers import PASSWORD

    reviewer = make_user(("reviewer",), countries=["VN"])
    login_as(r.COORDINATOR)
    case = file_case(svc, form_id="vn-intake", answers={**ANSWERS, "destination_country": "VN"})
    _post(client, f"{PAGE}/teams", {"team-key": "vn-team", "team-countries": "VN",
                                    "team-base_version": "1"}, "team")
    assert auth.login(reviewer["email"], PASSWORD).status_code == 302
    html = client.get("/cases/notifications").get_data(as_text=True)
    assert "A new case reached vn-team:" in html and case["reference"] in html


# -- the history in the reader's language ----------------------------------------------


@pytest.fixture
def pseudo_app(app, tmp_path):
    """Every message of the source "translated" into Korean as the English in ⟦ ⟧."""
    from tests.web.test_staff_pages_marked import pseudo_catalogue

    pseudo_catalogue(tmp_path)
    app.extensions["babel"].translation_directories = [str(tmp_path)]
    return app


def _history_row(client, version: int) -> str:
    html = client.get(f"{PAGE}/history").get_data(as_text=True)
    return re.search(rf'<tr id="version-{version}">.*?</tr>', html, re.DOTALL).group(0)


def test_history__seed_import_said_in_the_readers_language(pseudo_app, client, login_as,
                                                            svc):
    login_as(r.ADMIN)
    assert svc.routing_store.get(1)["note_code"] == "seed_import"
    assert "Imported from the routing seed file." in _history_row(client, 1)
    client.get("/language?lang=ko")
    assert "⟦Imported from the routing seed file.⟧" in _history_row(client, 1)


def test_history__seed_note_stored_in_english_before__still_translated(pseudo_app, client,
                                                                       login_as, svc):
    svc.db.routing_versions.update_one(
        {"_id": 1}, {"$set": {"note": "Imported from the routing seed file."},
                     "$unset": {"note_code": ""}})
    login_as(r.COORDINATOR)
    client.get("/language?lang=ko")
    assert "⟦Imported from the routing seed file.⟧" in _history_row(client, 1)


def test_history__typed_note_shown_as_typed_and_team_keys_as_code(pseudo_app, client,
                                                                  login_as):
    login_as(r.COORDINATOR)
    _post(client, f"{PAGE}/teams", {"team-key": "vn-team", "team-countries": "VN",
                                    "team-base_version": "1",
                                    "team-note": "Imported from the routing seed file!"},
          "team")
    client.get("/language?lang=ko")
    row = _history_row(client, 2)
    assert "<td>Imported from the routing seed file!</td>" in row
    assert "<code>vn-team</code>" in row
    page = client.get(PAGE).get_data(as_text=True)
    assert '<th scope="row"><code>vn-team</code>' in page
    assert "(<code>secretariat</code>)" in page
