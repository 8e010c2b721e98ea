"""Putting a form version live: the confirmation page, and in countries that require
it a second editor's approval (draft → submitted → published), each step audited."""

from __future__ import annotations

import re

import pytest

from app import roles as r

FORM = "/forms/my-intake"
EDIT = "/forms/my-intake/edit"


def source(svc) -> str:
    return svc.forms.latest("my-intake")["source"]


def changed(svc, words: str = "now") -> str:
    return source(svc).replace('rights in Malaysia"', f'rights in Malaysia {words}"')


def post(auth, url: str, text: str, action: str, **extra):
    return auth.post(url, {"source": text, "action": action, **extra}, page=EDIT)


def decide(auth, action: str, **extra):
    return auth.post(f"{FORM}/submission", {"action": action, **extra}, page=FORM)


@pytest.fixture
def approval_on(svc):
    svc.approvals.set_required("MY", True, "coord")


@pytest.fixture
def submitted(svc, login_as, auth, approval_on):
    """A changed my-intake submitted by a Malaysian editor; returns (submitter, text)."""
    submitter = login_as(r.FORM_EDITOR, countries=["MY"])
    text = changed(svc)
    response = post(auth, EDIT, text, "submit")
    assert response.status_code == 302, response.get_data(as_text=True)
    return submitter, text


def actions(svc, *names: str) -> list[dict]:
    return [e for e in reversed(svc.audit.recent(50)) if e["action"] in names]


# -- without approval: confirm, then live ---------------------------------------------

def test_publish__asks_first_saying_what_goes_live(login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    marker = "  - id: what_happened\n    fields:\n"
    assert marker in source(svc)
    text = changed(svc).replace(marker, marker + "      - {id: zz_new, type: text, "
                                "label: {en: New, ms: Baru}}\n")
    response = post(auth, EDIT, text, "publish")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Publish my-intake?" in page and "<dd data-country>MY</dd>" in page
    assert "<dd data-version>2</dd>" in page and 'name="confirm" value="yes"' in page
    assert "Added: <code>zz_new</code>" in page
    assert svc.forms.latest("my-intake")["version"] == 1  # nothing live yet
    assert actions(svc, "form.publish") == []


def test_publish__confirmed_goes_live_and_audited(login_as, auth, svc):
    user = login_as(r.FORM_EDITOR, countries=["MY"])
    response = post(auth, EDIT, changed(svc), "publish", confirm="yes", expected_version="1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-intake/2")
    [event] = actions(svc, "form.publish")
    assert event["actor"] == user["_id"] and event["details"]["version"] == 2


def test_publish__confirmation_of_an_older_state_asks_again(login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = post(auth, EDIT, changed(svc), "publish", confirm="yes", expected_version="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Someone published my-intake" in page
    assert svc.forms.latest("my-intake")["version"] == 1


def test_publish__back_to_the_editor_publishes_nothing(login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    text = "\n" + changed(svc)
    page = post(auth, EDIT, text, "publish").get_data(as_text=True)
    assert 'value="check"' in page and ">\n\n" in page  # a leading blank line survives
    back = post(auth, EDIT, text, "check", confirm="yes", expected_version="1")
    assert back.status_code == 200 and "Malaysia now" in back.get_data(as_text=True)
    assert svc.forms.latest("my-intake")["version"] == 1


def test_publish__no_change_in_questions_said_so(login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = post(auth, EDIT, changed(svc), "publish").get_data(as_text=True)
    assert 'class="changes-none"' in page


# -- the per-country rule ---------------------------------------------------------------

@pytest.mark.parametrize("role", r.ROLES)
def test_rule_page__administrators_and_coordinators_only(client, login_as, role):
    login_as(role, countries=["MY"])
    assert client.get("/forms/approval").status_code == (
        200 if role in (r.ADMIN, r.COORDINATOR) else 403)


def test_rule__set_and_audited(login_as, auth, svc):
    user = login_as(r.ADMIN)
    response = auth.post("/forms/approval", {"country": "my", "required": "y"})
    assert response.status_code == 302 and svc.approvals.required("MY")
    [event] = actions(svc, "form.approval_rule")
    assert event["actor"] == user["_id"] and event["details"] == {"country": "MY",
                                                                 "required": True}
    auth.post("/forms/approval", {"country": "MY"})
    assert not svc.approvals.required("MY")


def test_rule__bad_country_refused_nothing_stored(login_as, auth, svc):
    login_as(r.COORDINATOR)
    response = auth.post("/forms/approval", {"country": "Malaysia", "required": "y"})
    assert response.status_code == 400 and "is not a country code" in response.get_data(
        as_text=True)
    assert svc.approvals.rules_list() == [] and actions(svc, "form.approval_rule") == []


# -- with approval: submit, approve, return, withdraw -----------------------------------

def test_required__publish_refused_with_the_way(login_as, auth, svc, approval_on):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = post(auth, EDIT, changed(svc), "publish", confirm="yes", expected_version="1")
    assert page.status_code == 400 and "Submit for approval" in page.get_data(as_text=True)
    assert svc.forms.latest("my-intake")["version"] == 1
    editor = auth.client.get(EDIT).get_data(as_text=True)
    assert 'value="submit"' in editor and 'value="publish"' not in editor


def test_submit__frozen_shown_on_versions_page_and_audited(client, svc, submitted):
    submitter, text = submitted
    pending = svc.approvals.pending("my-intake")
    assert pending["text"] == text and pending["submitted_by"] == submitter["_id"]
    [event] = actions(svc, "form.submit")
    assert event["actor"] == submitter["_id"]
    page = client.get(FORM).get_data(as_text=True)
    assert 'data-state="submitted"' in page and "Withdraw the submission" in page
    assert submitter["email"] in page
    assert 'value="approve"' not in page  # not to the submitter
    assert svc.forms.latest("my-intake")["version"] == 1


def test_submit__without_the_rule_refused(login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = post(auth, EDIT, changed(svc), "submit")
    assert response.status_code == 400 and "need no approval" in response.get_data(as_text=True)
    assert svc.approvals.pending("my-intake") is None


def test_submit__second_while_pending_is_a_conflict(login_as, auth, svc, submitted):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = post(auth, EDIT, changed(svc, "again"), "submit")
    assert response.status_code == 409 and "already waiting" in response.get_data(as_text=True)
    assert svc.approvals.pending("my-intake")["text"] == submitted[1]


def test_self_approval__refused(auth, svc, submitted):
    response = decide(auth, "approve")
    assert response.status_code == 403 and "another editor" in response.get_data(as_text=True)
    assert svc.forms.latest("my-intake")["version"] == 1
    assert svc.approvals.pending("my-intake")["state"] == "submitted"


def test_approve__by_another_editor_goes_live_audited(client, login_as, auth, svc, submitted):
    submitter, text = submitted
    approver = login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get(FORM).get_data(as_text=True)
    assert 'value="approve"' in page and 'class="changes-none"' in page
    response = decide(auth, "approve")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-intake/2")
    record = svc.forms.latest("my-intake")
    assert record["version"] == 2 and record["source"] == text
    assert record["published_by"] == approver["_id"]
    assert [e["action"] for e in actions(svc, "form.submit", "form.publish", "form.approve")] == [
        "form.submit", "form.publish", "form.approve"]
    [approved] = actions(svc, "form.approve")
    assert approved["details"]["submitted_by"] == submitter["_id"]
    assert svc.approvals.get("my-intake")["state"] == "published"
    assert decide(auth, "approve").status_code == 409  # nothing waits any more


def test_approve__editor_of_another_country_refused(login_as, auth, svc, submitted):
    login_as(r.FORM_EDITOR, countries=["SG"])
    assert decide(auth, "approve").status_code == 403
    assert svc.approvals.pending("my-intake")["state"] == "submitted"


def test_approve__coordinator_may(login_as, auth, svc, submitted):
    login_as(r.COORDINATOR)
    assert decide(auth, "approve").status_code == 302
    assert svc.forms.latest("my-intake")["version"] == 2


def test_return__with_reason_back_to_draft_audited(client, login_as, auth, svc, submitted):
    _submitter, text = submitted
    reviewer = login_as(r.FORM_EDITOR, countries=["MY"])
    response = decide(auth, "return", reason="Say Malaysia in Malay too")
    assert response.status_code == 302
    closed = svc.approvals.get("my-intake")
    assert closed["state"] == "returned" and closed["reason"] == "Say Malaysia in Malay too"
    assert svc.forms.draft("my-intake")["text"] == text
    [event] = actions(svc, "form.return")
    assert event["actor"] == reviewer["_id"] and event["details"]["reason"].startswith("Say")
    page = client.get(FORM).get_data(as_text=True)
    assert 'data-state="returned"' in page and "Say Malaysia in Malay too" in page
    assert svc.forms.latest("my-intake")["version"] == 1


def test_return__without_reason_refused(login_as, auth, svc, submitted):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = decide(auth, "return", reason="  ")
    assert response.status_code == 400 and "Write why" in response.get_data(as_text=True)
    assert svc.approvals.pending("my-intake")["state"] == "submitted"
    assert actions(svc, "form.return") == []


def test_withdraw__by_the_submitter_only(login_as, auth, svc, submitted):
    submitter, text = submitted
    assert decide(auth, "withdraw").status_code == 302
    assert svc.approvals.get("my-intake")["state"] == "withdrawn"
    assert svc.forms.draft("my-intake")["text"] == text
    [event] = actions(svc, "form.withdraw")
    assert event["actor"] == submitter["_id"]


def test_withdraw__by_another_editor_refused(login_as, auth, svc, submitted):
    login_as(r.FORM_EDITOR, countries=["MY"])
    assert decide(auth, "withdraw").status_code == 403
    assert svc.approvals.pending("my-intake")["state"] == "submitted"


def test_decide__unknown_action_and_no_submission(login_as, auth, svc, submitted):
    login_as(r.FORM_EDITOR, countries=["MY"])
    assert decide(auth, "explode").status_code == 400
    assert auth.post("/forms/sg-intake/submission", {"action": "approve"},
                     page="/forms/sg-intake").status_code in (403, 404)


def test_decide__without_csrf_refused(client, svc, submitted):
    response = client.post(f"{FORM}/submission", data={"action": "withdraw"})
    assert response.status_code in (400, 403)
    assert svc.approvals.pending("my-intake")["state"] == "submitted"


# -- the raw editor and the guide ----------------------------------------------------------

BROKEN_LINE_4 = "form: my-intake\nextends: mwc-base\ncountry: MY\ncolour: blue\nlanguages: [en]\n" \
                'title: {en: "Report"}\n'


def test_errors__link_to_numbered_line_anchors(login_as, auth):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = post(auth, EDIT, BROKEN_LINE_4, "check").get_data(as_text=True)
    assert '<a href="#line-4"><code>my-intake.yaml:4 colour</code></a>' in page
    assert "Each problem names the line where it is" in page
    assert re.search(r'<li id="line-4" class="cited">colour: blue</li>', page)
    assert '<li id="line-1">form: my-intake</li>' in page
    assert 'wrap="off"' in page and '<main id="content" class="wide">' in page
    assert 'source-lines.js' in page and 'data-lines' in page  # the optional jump to the line


def test_guide__renders_the_format_doc_and_is_linked(client, login_as, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    guide = client.get("/forms/guide")
    page = guide.get_data(as_text=True)
    assert guide.status_code == 200 and ">Writing a form definition</h1>" in page
    assert 'href="#checking-your-form"' in page and 'id="checking-your-form"' in page
    assert "<table>" in page and 'class="site-footer"' in page  # tables; the staff layout
    for url in (EDIT, "/forms/new", FORM, "/forms/my-intake/1"):
        assert 'href="/forms/guide"' in client.get(url).get_data(as_text=True), url


def test_guide__staff_only(client, login_as):
    assert client.get("/forms/guide").status_code == 302
    login_as(r.REVIEWER, countries=["MY"])
    assert client.get("/forms/guide").status_code == 403


def test_rule_page__reached_from_the_menu_or_the_forms_list(client, login_as):
    login_as(r.ADMIN)
    assert 'href="/forms/approval"' in client.get("/").get_data(as_text=True)
    login_as(r.COORDINATOR)
    assert 'href="/forms/approval"' in client.get("/forms/").get_data(as_text=True)


# -- one place decides whether a version may go live ------------------------------------

@pytest.fixture
def refusing(monkeypatch):
    """A check of `go_live_refusals` that refuses every Malaysian version."""
    from app.forms_admin import going_live

    monkeypatch.setattr(going_live, "go_live_refusals", lambda svc, d: (
        ["Nobody may publish for MY today."] if d.country == "MY" else []))


def test_go_live_check__refuses_before_the_confirmation(login_as, auth, svc, refusing):
    login_as(r.FORM_EDITOR, countries=["MY"])
    for extra in ({}, {"confirm": "yes", "expected_version": "1"}):
        response = post(auth, EDIT, changed(svc), "publish", **extra)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "Nobody may publish for MY today." in page
        assert 'name="confirm"' not in page
    assert svc.forms.latest("my-intake")["version"] == 1


def test_go_live_check__refuses_a_submission_and_an_approval(login_as, auth, svc, submitted,
                                                            monkeypatch):
    from app.forms_admin import going_live

    monkeypatch.setattr(going_live, "go_live_refusals", lambda svc, d: ["Not today."])
    assert post(auth, EDIT, changed(svc, "again"), "submit").status_code in (400, 409)
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = decide(auth, "approve")
    assert response.status_code == 409 and "Not today." in response.get_data(as_text=True)
    assert svc.forms.latest("my-intake")["version"] == 1
    assert svc.approvals.pending("my-intake")["state"] == "submitted"  # released, not lost
    assert actions(svc, "form.approve", "form.publish") == []
