"""The structured priority-rules page: the rules in words in the viewer's language, each
action saved as a new audited routing version in force for the next case, every bad
input refused with nothing stored, and only administrators and coordinators let in."""

from __future__ import annotations

import pytest

from app import roles as r
from tests.helpers import csrf_token
from tests.web.test_forms_admin import unlabelled

PAGE = "/admin/routing/priority"


def _post(client, action, data, prefix, base="1"):
    html = client.get(PAGE).get_data(as_text=True)
    token = csrf_token(html)
    return client.post(f"{PAGE}/{action}", data={**data, f"{prefix}-base_version": base,
                                                   f"{prefix}-csrf_token": token})


def _rules(svc):
    return {rule.id: rule for rule in svc.routing.current().priority_rules}


def _nothing_saved(svc):
    assert svc.routing_store.latest_number() == 1
    assert svc.audit.recent(5, action="routing.save") == []


@pytest.mark.parametrize("role", r.ROLES)
def test_page_and_actions__administrators_and_coordinators_only(client, login_as, svc, role):
    login_as(role)
    allowed = role in (r.ADMIN, r.COORDINATOR)
    assert client.get(PAGE).status_code == (200 if allowed else 403)
    if not allowed:
        token = csrf_token(client.get("/").get_data(as_text=True))
        for action, prefix in (("add", "add"), ("set", "priority"), ("remove", "remove"),
                               ("window", "window")):
            response = client.post(f"{PAGE}/{action}", data={
                f"{prefix}-csrf_token": token, f"{prefix}-base_version": "1",
                "add-condition": "flag:minor", "add-priority": "urgent",
                "priority-rule": "child_worker", "priority-priority": "normal",
                "remove-rule": "child_worker", "window-window": "30"})
            assert response.status_code == 403, action
        assert svc.routing_store.latest_number() <= 1


def test_page__rules_in_words_priority_window_every_input_labelled(client, login_as):
    login_as(r.COORDINATOR)
    html = client.get(PAGE).get_data(as_text=True)
    assert unlabelled(html) == []
    assert '<div class="table-scroll" role="region"' in html
    assert "Any of these warning signs: risk to life, detention, signs of trafficking, " \
           "a minor" in html
    assert "Cites MWC-9 · Right to life" in html
    assert "Immigration status is In detention" in html
    assert "Age at the time is one of: Under 15, 15–17" in html
    assert '<code class="hint">child_worker</code>' in html
    assert "the cases of the last 180 days" in html
    assert 'value="dimension:occupation:construction"' in html  # a choice to add


def test_page__in_the_viewers_language(client, login_as):
    login_as(r.COORDINATOR)
    client.get("/language?lang=ms")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Umur pada masa itu" in html and "Bawah 15 tahun" in html
    assert "Age at the time" not in html


def test_linked_from_the_routing_page_and_the_yaml_page(client, login_as):
    login_as(r.ADMIN)
    for page in ("/admin/routing", "/admin/routing/rules"):
        assert f'href="{PAGE}"' in client.get(page).get_data(as_text=True)
    assert 'href="/admin/routing/rules"' in client.get(PAGE).get_data(as_text=True)


def test_add_rule__saved_audited_new_version_and_in_force_for_a_new_case(client, login_as,
                                                                         svc):
    from tests.case_helpers import ANSWERS, file_case
    from tests.intake_helpers import publish_shipped

    publish_shipped(svc)
    answers = {**ANSWERS, "occupation": "construction"}
    assert file_case(svc, answers=answers)["priority"] == "normal"
    user = login_as(r.COORDINATOR)
    response = _post(client, "add", {"add-condition": "dimension:occupation:construction",
                                     "add-priority": "urgent",
                                     "add-note": "falls from scaffolding"}, "add")
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    assert _rules(svc)["occupation_construction"].values == ("construction",)
    [event] = svc.audit.recent(1, action="routing.save")
    assert event["actor"] == user["_id"] and event["details"]["version"] == 2
    assert "rule_added:occupation_construction" in event["details"]["changes"]
    assert svc.routing_store.latest()["note"] == "falls from scaffolding"
    case = file_case(svc, answers=answers)
    assert case["priority"] == "urgent"
    html = client.get(PAGE).get_data(as_text=True)
    assert "The rule “Kind of work is Construction” was added with the priority Urgent. " \
           "Routing version 2 is saved" in html
    assert html.count("Kind of work is Construction") == 2  # the message and the list


def test_add_rule__warning_sign_and_article(client, login_as, svc):
    login_as(r.ADMIN)
    assert _post(client, "add", {"add-condition": "mwc:16", "add-priority": "urgent"},
                 "add").status_code == 302
    assert _post(client, "add", {"add-condition": "flag:minor", "add-priority": "normal"},
                 "add", base="2").status_code == 302
    rules = _rules(svc)
    assert rules["mwc_16"].mwc == (16,) and rules["flag_minor"].priority == "normal"


@pytest.mark.parametrize(("condition", "priority", "message"), [
    ("dimension:shoe_size:42", "urgent", "not a standard dimension"),
    ("dimension:age_band:under_99", "urgent", "a flag or value that no form can store"),
    ("flag:homesick", "urgent", "a flag or value that no form can store"),
    ("mwc:400", "urgent", "Not an MWC article of the taxonomy"),
    ("dimension:occupation:construction", "loud", "The priority must be normal or urgent"),
    ("", "urgent", "Choose what the rule matches"),
])
def test_add_rule__bad_input__clear_error_nothing_stored(client, login_as, svc, condition,
                                                         priority, message):
    login_as(r.COORDINATOR)
    response = _post(client, "add", {"add-condition": condition, "add-priority": priority},
                     "add")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'role="alert"' in html and "<h1>Priority rules</h1>" in html
    _nothing_saved(svc)


def test_add_rule__unknown_dimension_and_priority__both_problems_at_once(client, login_as,
                                                                        svc):
    login_as(r.COORDINATOR)
    response = _post(client, "add", {"add-condition": "dimension:shoe_size:42",
                                     "add-priority": "loud"}, "add")
    html = response.get_data(as_text=True)
    assert "2 problems to fix; nothing was saved" in html
    assert "not a standard dimension" in html and "must be normal or urgent" in html
    _nothing_saved(svc)


def test_set_priority__saved_and_in_force(client, login_as, svc):
    from tests.case_helpers import ANSWERS, file_case
    from tests.intake_helpers import publish_shipped

    publish_shipped(svc)
    login_as(r.COORDINATOR)
    response = _post(client, "set", {"priority-rule": "child_worker",
                                     "priority-priority": "normal"}, "priority")
    assert response.status_code == 302
    assert _rules(svc)["child_worker"].priority == "normal"
    [event] = svc.audit.recent(1, action="routing.save")
    assert "rule_changed:child_worker" in event["details"]["changes"]
    case = file_case(svc, answers={**ANSWERS, "age_band": "15-17"})
    assert case["dimensions"].get("age_band") == "15-17"
    assert case["priority"] == "normal"


@pytest.mark.parametrize(("rule", "priority", "message", "status"), [
    ("child_worker", "very", "The priority must be normal or urgent", 400),
    ("no_such_rule", "urgent", "There is no such priority rule", 400),
    ("", "urgent", "nothing was saved", 400),
])
def test_set_priority__bad_input__nothing_stored(client, login_as, svc, rule, priority,
                                                 message, status):
    login_as(r.COORDINATOR)
    response = _post(client, "set", {"priority-rule": rule, "priority-priority": priority},
                     "priority")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    _nothing_saved(svc)


def test_remove_rule__saved_audited_and_gone(client, login_as, svc):
    login_as(r.ADMIN)
    response = _post(client, "remove", {"remove-rule": "held_in_detention"}, "remove")
    assert response.status_code == 302
    assert "held_in_detention" not in _rules(svc)
    [event] = svc.audit.recent(1, action="routing.save")
    assert "rule_removed:held_in_detention" in event["details"]["changes"]
    html = client.get(PAGE).get_data(as_text=True)
    assert "The priority rule held_in_detention was removed." in html
    assert 'id="rule-held_in_detention"' not in html


def test_remove_rule__missing__refused(client, login_as, svc):
    login_as(r.ADMIN)
    response = _post(client, "remove", {"remove-rule": "no_such_rule"}, "remove")
    assert response.status_code == 400
    assert "There is no such priority rule" in response.get_data(as_text=True)
    _nothing_saved(svc)


def test_window__saved_and_in_force(client, login_as, svc):
    login_as(r.COORDINATOR)
    response = _post(client, "window", {"window-window": " 30 "}, "window")
    assert response.status_code == 302
    assert svc.routing.current().duplicate_window_days == 30
    [event] = svc.audit.recent(1, action="routing.save")
    assert "duplicate_window:180:30" in event["details"]["changes"]
    assert "the cases of the last 30 days" in client.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("window", ["0", "-3", "2.5", "abc", "", "3651"])
def test_window__not_a_positive_whole_number__refused(client, login_as, svc, window):
    login_as(r.COORDINATOR)
    response = _post(client, "window", {"window-window": window}, "window")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "a whole number of days from 1 to 3650" in html
    assert f'value="{window}"' in html or not window, "what was typed is shown to correct"
    _nothing_saved(svc)


def test_stale_base_version__conflict_shown_with_the_current_rules(client, login_as, svc):
    login_as(r.COORDINATOR)
    assert _post(client, "remove", {"remove-rule": "child_worker"}, "remove").status_code \
        == 302
    response = _post(client, "set", {"priority-rule": "danger_signs",
                                     "priority-priority": "normal"}, "priority", base="1")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved routing version 2" in html and "<h1>Priority rules</h1>" in html
    assert 'id="rule-child_worker"' not in html, "the page shows the current version"
    assert 'name="priority-base_version" value="2"' in html
    assert svc.routing_store.latest_number() == 2
    assert _rules(svc)["danger_signs"].priority == "urgent"


def test_no_csrf_token__refused_nothing_stored(client, login_as, svc):
    login_as(r.COORDINATOR)
    response = client.post(f"{PAGE}/window", data={"window-window": "30",
                                                    "window-base_version": "1"})
    assert response.status_code == 400
    _nothing_saved(svc)


@pytest.mark.parametrize(("action", "prefix", "data", "base"), [
    ("add", "add", {"add-condition": "dimension:shoe_size:42", "add-priority": "loud"}, "1"),
    ("add", "add", {"add-condition": "", "add-priority": "urgent"}, "1"),
    ("window", "window", {"window-window": "abc"}, "1"),
    ("remove", "remove", {"remove-rule": "child_worker"}, "0"),
], ids=["unknown-dimension-and-priority", "no-condition", "bad-window", "stale-version"])
def test_refused__page_and_problems_go_through_gettext(app, tmp_path, client, login_as, svc,
                                                       action, prefix, data, base):
    """In a pseudo-translation (every marked message bracketed), no English is left on
    the page after a refusal: the problems are in the reader's language too."""
    from tests.web.test_staff_pages_marked import OPEN, PSEUDO_TAG, pseudo_catalogue, unmarked

    pseudo_catalogue(tmp_path)
    app.extensions["babel"].translation_directories = [str(tmp_path)]
    svc.seed_routing()
    login_as(r.COORDINATOR)
    client.get(f"/language?lang={PSEUDO_TAG}")
    response = _post(client, action, data, prefix, base=base)
    assert response.status_code in (400, 409)
    html = response.get_data(as_text=True)
    assert OPEN in html and 'role="alert"' in html
    assert unmarked(html) == []
