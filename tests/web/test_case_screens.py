"""The case screens: queues and filters per role and scope, the case page and its actions."""

import hashlib
import re
from types import SimpleNamespace

import pytest

from tests.case_helpers import ANSWERS, evidence, file_case
from tests.helpers import AuthActions
from tests.intake_helpers import TEST_FORM, forms_published, publish_text  # noqa: F401
from tests.samples import PDF

pytestmark = pytest.mark.usefixtures("forms_published")

SG_ANSWERS = {**ANSWERS, "destination_country": "SG"}


@pytest.fixture
def orgs(svc):
    return {"harbour": svc.organisations.create("Harbour Aid", "MY"),
            "lion": svc.organisations.create("Lion Desk", "SG")}


@pytest.fixture
def my_case(svc, orgs):
    return file_case(svc, org_id=orgs["harbour"]["_id"], files=evidence())


@pytest.fixture
def ui(app, auth, svc, login_as, make_user):
    """The tools of a test in one place: client, forms, users, services."""
    return SimpleNamespace(app=app, client=auth.client, auth=auth, svc=svc, login_as=login_as,
                           make_user=make_user)


def _html(response) -> str:
    return response.get_data(as_text=True)


def _references(response) -> set[str]:
    return set(re.findall(r'<tr data-reference="([^"]+)"', _html(response)))


def _version(svc, case) -> str:
    return str(svc.cases.get(case["_id"])["version"])


def _step(auth, case, name, svc, **data):
    """Take a transition through its form on the case page."""
    url = f"/cases/{case['reference']}"
    fields = {f"{name}-{k}": v for k, v in data.items()}
    fields[f"{name}-version"] = _version(svc, case)
    return auth.post(f"{url}/transitions/{name}", fields, page=url, prefix=name)


# -- queues ------------------------------------------------------------------------


def test_queue__reviewer_sees_own_countries_only(client, login_as, svc, orgs, my_case):
    sg_case = file_case(svc, form_id="sg-intake", answers=SG_ANSWERS,
                        org_id=orgs["lion"]["_id"])
    login_as("reviewer", countries=["MY"])
    response = client.get("/cases/?queue=team")
    assert response.status_code == 200
    assert _references(response) == {my_case["reference"]}
    assert sg_case["reference"] not in _html(response)


def test_queue__coordinator_sees_every_country(client, login_as, svc, orgs, my_case):
    sg_case = file_case(svc, form_id="sg-intake", answers=SG_ANSWERS)
    login_as("coordinator")
    assert _references(client.get("/cases/?queue=all")) == {my_case["reference"],
                                                              sg_case["reference"]}


def test_queue__member_sees_own_organisation_and_waiting(ui, orgs, my_case):
    client, login_as, make_user, svc = ui.client, ui.login_as, ui.make_user, ui.svc
    other = file_case(svc, org_id=orgs["lion"]["_id"])
    anonymous = file_case(svc)
    reviewer = make_user(("reviewer",), countries=["MY"])
    svc.workflow.transition(svc.cases.get(my_case["_id"]), "request_info",
                            {"id": reviewer["_id"], "roles": ["reviewer"], "countries": ["MY"]},
                            {"note": "Which month?"}, my_case["version"])
    login_as("member", org_id=orgs["harbour"]["_id"])
    assert _references(client.get("/cases/?queue=team")) == {my_case["reference"]}
    waiting = client.get("/cases/?queue=waiting")
    assert _references(waiting) == {my_case["reference"]}
    page = _html(client.get("/cases/"))
    assert other["reference"] not in page and anonymous["reference"] not in page


def test_queue__mine_unassigned_urgent(client, login_as, auth, svc, my_case):
    urgent = file_case(svc, answers={**ANSWERS, "acts": ["life_in_danger"]})
    user = login_as("reviewer", countries=["MY"])
    assert urgent["priority"] == "urgent"
    svc.workflow.claim(my_case, {"id": user["_id"], "roles": ["reviewer"], "countries": ["MY"]})
    assert _references(client.get("/cases/?queue=mine")) == {my_case["reference"]}
    assert _references(client.get("/cases/?queue=unassigned")) == {urgent["reference"]}
    assert _references(client.get("/cases/?queue=urgent")) == {urgent["reference"]}


@pytest.mark.parametrize("role", ["mission", "admin"])
def test_queue_and_case__roles_without_case_screens__403(client, login_as, my_case, role):
    login_as(role, countries=["MY"])
    assert client.get("/cases/").status_code == 403
    assert client.get(f"/cases/{my_case['reference']}").status_code == 403


@pytest.mark.parametrize(("query", "expected"), [
    ("country=sg", {"sg"}),
    ("stage=verified", {"verified"}),
    ("mwc=21", {"passport"}),
    ("mwc=MWC-21", {"passport"}),
    ("gender=man", {"man"}),
    ("priority=urgent", {"urgent"}),
    ("text=harbour", {"my"}),
    ("text=Foods+harbo", {"my"}),
])
def test_queue__filters(client, login_as, svc, query, expected):
    cases = {
        "my": file_case(svc, answers={**ANSWERS, "employer_name": "Harbour Foods"}),
        "sg": file_case(svc, form_id="sg-intake",
                        answers={**SG_ANSWERS, "employer_name": "Lion Works"}),
        "passport": file_case(svc, answers={**ANSWERS, "employer_name": "Kedai",
                                            "acts": ["documents_taken"]}),
        "man": file_case(svc, answers={**ANSWERS, "gender": "man", "employer_name": "Kilang"}),
        "urgent": file_case(svc, answers={**ANSWERS, "acts": ["life_in_danger"],
                                          "employer_name": "Ladang"}),
        "verified": file_case(svc, answers={**ANSWERS, "employer_name": "Pasar"}),
    }
    user = login_as("coordinator")
    actor = {"id": user["_id"], "roles": ["coordinator"], "countries": []}
    svc.workflow.transition(cases["verified"], "verify", actor, {}, cases["verified"]["version"])
    response = client.get(f"/cases/?queue=all&{query}")
    assert response.status_code == 200
    assert _references(response) == {cases[k]["reference"] for k in expected}


def test_queue__date_range(client, login_as, svc):
    from datetime import UTC, datetime

    old = file_case(svc, now=datetime(2026, 1, 10, tzinfo=UTC))
    new = file_case(svc, now=datetime(2026, 3, 10, tzinfo=UTC))
    login_as("coordinator")
    found = _references(client.get("/cases/?queue=all&date_from=2026-03-01&date_to=2026-03-31"))
    assert found == {new["reference"]}
    found = _references(client.get("/cases/?queue=all&date_to=2026-01-10"))
    assert found == {old["reference"]}


@pytest.mark.parametrize("query", [
    "country[$ne]=x", "stage[$gt]=", "priority[$exists]=true", "assignee=&after[$gt]=",
])
def test_queue__operator_parameters__ignored(client, login_as, my_case, query):
    login_as("reviewer", countries=["MY"])
    response = client.get(f"/cases/?queue=team&{query}")
    assert response.status_code == 200
    assert _references(response) == {my_case["reference"]}


def test_queue__operator_in_search_text__searched_as_words(client, login_as, my_case):
    login_as("reviewer", countries=["MY"])
    response = client.get('/cases/?queue=team&text={"$regex":".*"}')
    assert response.status_code == 200
    assert _references(response) == set()


@pytest.mark.parametrize("query", [
    'stage={"$gt":""}', 'country={"$ne":"x"}', "mwc=$gt", 'gender={"$ne":null}',
    "queue=everything", "after=Zm9vfGJhcg", 'date_from={"$gt":1}', "text=%2A", "mwc=99",
])
def test_queue__operator_values__refused_with_message_no_rows(client, login_as, my_case,
                                                              query):
    login_as("reviewer", countries=["MY"])
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 400
    assert 'class="errors"' in _html(response) or "cannot be used" in _html(response)
    assert _references(response) == set()


def test_queue__keyset_pages_without_skips(client, login_as, svc):
    filed = {file_case(svc)["reference"] for _ in range(27)}
    login_as("reviewer", countries=["MY"])
    first = client.get("/cases/?queue=team")
    page_one = _references(first)
    assert len(page_one) == 25
    next_url = re.search(r'href="([^"]+)" rel="next"', _html(first)).group(1)
    assert "after=" in next_url and "page=" not in next_url
    second = client.get(next_url.replace("&amp;", "&"))
    page_two = _references(second)
    assert len(page_two) == 2 and not page_one & page_two
    assert page_one | page_two == filed
    assert 'rel="next"' not in _html(second) and 'rel="first"' in _html(second)


# -- claim and assign ----------------------------------------------------------------


def test_claim__reviewer_takes_the_case(client, login_as, auth, svc, my_case):
    user = login_as("reviewer", countries=["MY"])
    url = f"/cases/{my_case['reference']}"
    response = auth.post(f"{url}/claim", {"claim-version": _version(svc, my_case)}, page=url,
                         prefix="claim")
    assert response.status_code == 302
    stored = svc.cases.get(my_case["_id"])
    assert stored["assignee"] == user["_id"]
    assert stored["events"][-1]["kind"] == "assignment"


def test_claim__without_csrf__refused(client, login_as, svc, my_case):
    login_as("reviewer", countries=["MY"])
    response = client.post(f"/cases/{my_case['reference']}/claim",
                           data={"claim-version": str(my_case["version"])})
    assert response.status_code == 400
    assert svc.cases.get(my_case["_id"])["assignee"] is None


def test_assign__to_a_colleague_notifies_them(ui, my_case):
    client, login_as, auth, make_user, svc = ui.client, ui.login_as, ui.auth, ui.make_user, ui.svc
    colleague = make_user(("reviewer",), countries=["MY"], name="Aminah")
    outsider = make_user(("reviewer",), countries=["SG"], name="Wei")
    login_as("reviewer", countries=["MY"])
    url = f"/cases/{my_case['reference']}"
    page = _html(client.get(url))
    assert "Aminah" in page and "Wei" not in page
    response = auth.post(f"{url}/assign", {"assign-assignee": outsider["_id"],
                                           "assign-version": _version(svc, my_case)},
                         page=url, prefix="assign")
    assert response.status_code == 400
    response = auth.post(f"{url}/assign", {"assign-assignee": colleague["_id"],
                                           "assign-version": _version(svc, my_case)},
                         page=url, prefix="assign")
    assert response.status_code == 302
    assert svc.cases.get(my_case["_id"])["assignee"] == colleague["_id"]
    assert [n["kind"] for n in svc.notifications.for_user(colleague["_id"])] == ["assignment"]


def test_claim__member__403(ui, orgs, my_case):
    login_as, auth, svc = ui.login_as, ui.auth, ui.svc
    login_as("member", org_id=orgs["harbour"]["_id"])
    url = f"/cases/{my_case['reference']}"
    response = auth.post(f"{url}/claim", {"claim-version": _version(svc, my_case)},
                         page="/cases/notifications", prefix="read")
    assert response.status_code == 403


# -- the case page -------------------------------------------------------------------


def test_case_page__labels_of_its_own_form_version_in_the_viewers_language(client, login_as,
                                                                           svc):
    publish_text(svc, TEST_FORM)
    case = file_case(svc, form_id="tt-intake", language="ms",
                     answers={**ANSWERS, "hours_per_day": 14})
    publish_text(svc, TEST_FORM.replace("Hours worked per day, ms: Jam bekerja sehari",
                                        "Daily hours, ms: Jam sehari"))
    assert svc.forms.latest("tt-intake")["version"] == 2
    login_as("reviewer", countries=["MY"])
    page = _html(client.get(f"/cases/{case['reference']}"))
    answers = page[page.index('<div class="answers"'):]
    assert "Hours worked per day" in answers and "Daily hours" not in answers
    assert "Jam bekerja sehari" not in answers  # the viewer reads English
    assert 'lang="en"' not in answers[:answers.index("</div>")]  # the page's own language
    client.get("/language?lang=ms")
    answers = _html(client.get(f"/cases/{case['reference']}"))
    assert '<html lang="ms"' in answers
    assert "Jam bekerja sehari" in answers and "Jam sehari<" not in answers
    assert "Gaji tidak dibayar" in answers  # a choice, in the viewer's language
    hours = answers[answers.index('<dt data-field="hours_per_day">'):]
    assert hours.startswith('<dt data-field="hours_per_day">Jam bekerja sehari</dt>')


def test_case_page__arabic_case__reporters_words_right_to_left_labels_in_viewers(
        client, login_as, svc):
    answers = {"destination_country": "SA", "narrative": "لم يدفع صاحب العمل أجري",
               "consent_case_work": True, "sa_situation": ["huroob_filed"]}
    case = file_case(svc, form_id="sa-intake", language="ar", answers=answers)
    login_as("reviewer", countries=["SA"])
    page = _html(client.get(f"/cases/{case['reference']}"))
    assert '<html lang="en" dir="ltr">' in page
    narrative = page[page.index('<dd data-field="narrative"'):]
    narrative = narrative[:narrative.index("</dd>")]
    assert '<span lang="ar" dir="rtl" class="own-text">' in narrative
    assert "لم يدفع صاحب العمل أجري" in narrative and "Written in Arabic" in narrative
    assert "The reporter wrote in Arabic." in page
    assert 'data-term="huroob"' in page and "MWC-" in page


def test_case_page__terms_articles_dimensions_attachments(client, login_as, svc, my_case):
    case = file_case(svc, answers={**ANSWERS, "my_situation": ["levy_deducted"]})
    login_as("reviewer", countries=["MY"])
    page = _html(client.get(f"/cases/{case['reference']}"))
    assert 'data-term="levy"' in page and "<code>MWC-48</code>" in page
    assert "Woman" in page  # the gender dimension
    page = _html(client.get(f"/cases/{my_case['reference']}"))
    assert "payslip.pdf" in page and hashlib.sha256(PDF).hexdigest() in page


def test_attachment__download_scoped_and_audited(client, login_as, svc, my_case):
    entry = my_case["attachments"][0]
    url = f"/cases/{my_case['reference']}/attachments/{entry['id']}"
    login_as("reviewer", countries=["SG"])
    assert client.get(url).status_code == 404
    login_as("reviewer", countries=["MY"])
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert "attachment" in response.headers["Content-Disposition"]
    assert svc.audit.collection.find_one({"action": "case.attachment_download"})
    assert client.get(f"/cases/{my_case['reference']}/attachments/nothex").status_code == 404


def test_case_page__sensitive_answers_only_for_the_full_case(client, login_as, svc, orgs,
                                                             my_case):
    login_as("member", org_id=orgs["harbour"]["_id"])
    page = _html(client.get(f"/cases/{my_case['reference']}"))
    assert "Siti Rahmah" in page
    assert svc.audit.collection.find_one({"action": "case.read_sensitive"})
    reporter = login_as("reporter")
    own = file_case(svc, user_id=reporter["_id"])
    page = _html(client.get(f"/cases/{own['reference']}"))
    assert "Siti Rahmah" not in page and "Being reviewed" in page
    assert "Internal notes" not in page


@pytest.mark.parametrize(("roles", "stage", "expected"), [
    (("reviewer",), "in_review", {"request_info", "verify", "reject", "mark_duplicate"}),
    (("coordinator",), "in_review", {"request_info", "verify", "reject", "mark_duplicate"}),
    (("member",), "in_review", set()),
    (("member",), "needs_info", {"provide_info"}),
    (("reviewer",), "needs_info", {"provide_info"}),
    (("reviewer",), "closed", set()),
    (("coordinator",), "closed", {"reopen"}),
])
def test_case_page__offers_only_the_transitions_the_user_may_take(ui, orgs, roles, stage, expected):
    client, login_as, svc = ui.client, ui.login_as, ui.svc
    case = file_case(svc, org_id=orgs["harbour"]["_id"])
    svc.cases.cases.update_one({"_id": case["_id"]},
                               {"$set": {"stage": stage, "outcome": None}})
    login_as(*roles, countries=["MY"], org_id=orgs["harbour"]["_id"])
    page = _html(client.get(f"/cases/{case['reference']}"))
    assert set(re.findall(r'data-transition="([a-z_]+)" novalidate', page)) == expected


def test_transition__missing_reason__400_with_message(client, login_as, auth, svc, my_case):
    login_as("reviewer", countries=["MY"])
    response = _step(auth, my_case, "reject", svc, reason="  ")
    assert response.status_code == 400
    assert "This field is required." in _html(response)
    assert svc.cases.get(my_case["_id"])["stage"] == "in_review"


def test_transition__duplicate_of_itself__refused_by_the_workflow(client, login_as, auth,
                                                                  svc, my_case):
    login_as("reviewer", countries=["MY"])
    response = _step(auth, my_case, "mark_duplicate", svc,
                     duplicate_of=my_case["reference"].lower())
    assert response.status_code == 400
    assert "duplicate of itself" in _html(response)


def test_transition__duplicate_of_a_missing_or_out_of_scope_case__same_refusal(
        client, login_as, auth, svc, orgs, my_case):
    sg_case = file_case(svc, form_id="sg-intake", answers=SG_ANSWERS, org_id=orgs["lion"]["_id"])
    login_as("reviewer", countries=["MY"])
    pages = []
    for named in (sg_case["reference"], "MY-2026-999999"):
        response = _step(auth, my_case, "mark_duplicate", svc, duplicate_of=named)
        assert response.status_code == 400
        pages.append(_html(response).replace(named, "<ref>"))
        assert svc.cases.get(my_case["_id"])["stage"] == "in_review"
    assert "There is no case <ref> among the cases you can see" in pages[0]
    assert _refusals(pages[0]) == _refusals(pages[1])


def _refusals(page: str) -> list[str]:
    return re.findall(r"There is no case[^)]*", page)


def test_transition__duplicate_of_a_case_in_scope__stored_as_the_original_spells_it(
        client, login_as, auth, svc, orgs, my_case):
    original = file_case(svc, org_id=orgs["harbour"]["_id"])
    login_as("reviewer", countries=["MY"])
    response = _step(auth, my_case, "mark_duplicate", svc,
                     duplicate_of=original["reference"].lower())
    assert response.status_code == 302
    stored = svc.cases.get(my_case["_id"])
    assert (stored["stage"], stored["duplicate_of"]) == ("duplicate", original["reference"])


def test_transition__stale_version__409_with_current_state(ui, my_case):
    client, svc = ui.client, ui.svc
    url = f"/cases/{my_case['reference']}"
    ui.login_as("reviewer", countries=["MY"])
    page = _html(client.get(url))
    old_token = re.search(r'name="request_info-csrf_token" type="hidden" value="([^"]+)"',
                          page).group(1)
    other = ui.make_user(("reviewer",), countries=["MY"])
    second = ui.app.test_client()
    AuthActions(second).login(other["email"])
    assert _step(AuthActions(second), my_case, "verify", svc).status_code == 302
    response = client.post(f"{url}/transitions/request_info",
                           data={"request_info-note": "Which month?",
                                 "request_info-version": str(my_case["version"]),
                                 "request_info-csrf_token": old_token})
    assert response.status_code == 409
    html = _html(response)
    assert "Someone else changed this case" in html
    assert 'data-stage="verified"' in html
    assert svc.cases.get(my_case["_id"])["stage"] == "verified"


def test_member_reply__answers_the_question(ui, orgs, my_case):
    client, auth, svc = ui.client, ui.auth, ui.svc
    reviewer = ui.make_user(("reviewer",), countries=["MY"])
    second = AuthActions(ui.app.test_client())
    second.login(reviewer["email"])
    second.post(f"/cases/{my_case['reference']}/claim",
                {"claim-version": _version(svc, my_case)},
                page=f"/cases/{my_case['reference']}", prefix="claim")
    assert _step(second, my_case, "request_info", svc,
                 note="Which month was unpaid?").status_code == 302
    member = ui.login_as("member", org_id=orgs["harbour"]["_id"])
    page = _html(client.get(f"/cases/{my_case['reference']}"))
    assert "Which month was unpaid?" in page and 'data-transition="provide_info"' in page
    response = _step(auth, my_case, "provide_info", svc, note="March and April.")
    assert response.status_code == 302
    stored = svc.cases.get(my_case["_id"])
    assert stored["stage"] == "in_review"
    assert stored["events"][-1]["actor"] == member["_id"]
    assert "March and April." in _html(client.get(f"/cases/{my_case['reference']}"))
    assert [n["kind"] for n in svc.notifications.for_user(reviewer["_id"])] == ["info_provided"]


def test_reporter_reply__sees_the_question_not_the_record(client, login_as, auth, make_user,
                                                          svc):
    reporter = login_as("reporter")
    case = file_case(svc, user_id=reporter["_id"])
    reviewer = make_user(("reviewer",), countries=["MY"])
    svc.workflow.transition(case, "request_info", {"id": reviewer["_id"], "roles": ["reviewer"],
                                                   "countries": ["MY"]},
                            {"note": "Is it safe to call you?"}, case["version"])
    page = _html(client.get(f"/cases/{case['reference']}"))
    assert "Is it safe to call you?" in page and "Timeline" not in page
    assert _step(auth, case, "provide_info", svc, note="Yes, after 6 pm.").status_code == 302
    assert svc.cases.get(case["_id"])["stage"] == "in_review"
    assert [n["kind"] for n in svc.notifications.for_user(reporter["_id"])] == \
        ["info_requested"]


def test_claim__stale_version__409_and_nothing_written(ui, my_case):
    ui.login_as("reviewer", countries=["MY"])
    url = f"/cases/{my_case['reference']}"
    ui.svc.workflow.add_note(my_case, {"id": "u_other", "roles": ["coordinator"]}, "Seen.")
    response = ui.auth.post(f"{url}/claim", {"claim-version": str(my_case["version"])},
                            page=url, prefix="claim")
    assert response.status_code == 409
    assert "Someone else changed this case" in _html(response)
    assert ui.svc.cases.get(my_case["_id"])["assignee"] is None


def test_user_text__escaped_everywhere(client, login_as, auth, svc, orgs):
    script = "<script>alert('x')</script>"
    case = file_case(svc, answers={**ANSWERS, "narrative": script, "employer_name": script})
    login_as("reviewer", countries=["MY"])
    url = f"/cases/{case['reference']}"
    auth.post(f"{url}/notes", {"note-text": script, "note-version": _version(svc, case)},
              page=url, prefix="note")
    page = _html(client.get(url))
    assert script not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


@pytest.mark.parametrize("make_ref", [
    lambda case: case["reference"],
    lambda case: case["_id"],
])
def test_out_of_scope__404_like_a_missing_case(ui, orgs, my_case, make_ref):
    client, login_as, svc = ui.client, ui.login_as, ui.svc
    login_as("reviewer", countries=["SG"])
    target = make_ref(my_case)
    assert client.get(f"/cases/{target}").status_code == 404
    response = client.post(f"/cases/{target}/claim", data={"claim-version": "2"})
    assert response.status_code in (400, 404)
    assert client.get("/cases/MY-2099-999999").status_code == 404
    login_as("member", org_id=orgs["lion"]["_id"])
    assert client.get(f"/cases/{my_case['reference']}").status_code == 404
    assert svc.cases.get(my_case["_id"])["assignee"] is None


def test_out_of_scope__post_with_valid_token__404(client, login_as, auth, svc, my_case):
    login_as("reviewer", countries=["SG"])
    response = auth.post(f"/cases/{my_case['reference']}/transitions/verify",
                         {"verify-version": str(my_case["version"])},
                         page="/cases/notifications", prefix="read")
    assert response.status_code == 404
    assert svc.cases.get(my_case["_id"])["stage"] == "in_review"


# -- follow-up, notes, notifications ------------------------------------------------


def test_follow_up__add_finish_then_close(client, login_as, auth, svc, my_case):
    login_as("reviewer", countries=["MY"])
    url = f"/cases/{my_case['reference']}"
    assert _step(auth, my_case, "verify", svc).status_code == 302
    response = auth.post(f"{url}/follow-ups", {
        "fu-type": "legal_aid_referral", "fu-responsible_org": "Harbour Aid",
        "fu-due": "2026-12-31", "fu-version": _version(svc, my_case)}, page=url, prefix="fu")
    assert response.status_code == 302
    assert _step(auth, my_case, "start_follow_up", svc).status_code == 302
    refused = _step(auth, my_case, "close", svc, outcome="resolved")
    assert refused.status_code == 409 and "Finish or cancel" in _html(refused)
    action = svc.cases.get(my_case["_id"])["follow_ups"][0]
    prefix = f"fu-{action['id']}"
    response = auth.post(f"{url}/follow-ups/{action['id']}", {
        f"{prefix}-status": "done", f"{prefix}-result": "Lawyer took the case.",
        f"{prefix}-version": _version(svc, my_case)}, page=url, prefix=prefix)
    assert response.status_code == 302
    assert _step(auth, my_case, "close", svc, outcome="resolved").status_code == 302
    stored = svc.cases.get(my_case["_id"])
    assert stored["stage"] == "closed" and stored["outcome"] == "resolved"
    assert "Lawyer took the case." in _html(client.get(url))


def test_notes__member_adds_reporter_cannot(ui, orgs, my_case):
    client, login_as, auth, svc = ui.client, ui.login_as, ui.auth, ui.svc
    login_as("member", org_id=orgs["harbour"]["_id"])
    url = f"/cases/{my_case['reference']}"
    response = auth.post(f"{url}/notes", {"note-text": "Called the worker.",
                                          "note-version": _version(svc, my_case)},
                         page=url, prefix="note")
    assert response.status_code == 302
    assert svc.cases.get(my_case["_id"])["events"][-1]["kind"] == "note"
    assert "Called the worker." in _html(client.get(url))


def test_notifications__list_and_mark_read(ui, my_case):
    client, login_as, auth, make_user, svc = ui.client, ui.login_as, ui.auth, ui.make_user, ui.svc
    user = login_as("reviewer", countries=["MY"])
    boss = make_user(("coordinator",))
    svc.workflow.assign(my_case, {"id": boss["_id"], "roles": ["coordinator"]}, user["_id"])
    assert "1 unread notification" in _html(client.get("/cases/"))
    page = _html(client.get("/cases/notifications"))
    assert "A case was assigned to you." in page and my_case["reference"] in page
    response = auth.post("/cases/notifications/read", {}, page="/cases/notifications",
                         prefix="read")
    assert response.status_code == 302
    assert svc.notifications.unread_count(user["_id"]) == 0


def test_case_page__possible_duplicates_outside_the_scope_counted_never_named(
        client, login_as, svc, orgs, my_case):
    sg_case = file_case(svc, form_id="sg-intake", answers=SG_ANSWERS, org_id=orgs["lion"]["_id"])
    my_other = file_case(svc, org_id=orgs["harbour"]["_id"])
    svc.cases.cases.update_one({"_id": my_case["_id"]}, {"$set": {"possible_duplicates": [
        sg_case["reference"], my_other["reference"]]}})
    login_as("reviewer", countries=["MY"])
    page = _html(client.get(f"/cases/{my_case['reference']}"))
    assert sg_case["reference"] not in page
    assert my_other["reference"] in page and "1 more case that you cannot see" in page


def test_case_page__direction_overrides_shown_as_marks_in_isolated_text(
        client, login_as, svc, orgs):
    narrative = "Agent \u202egnihton dias\u202c kept the passport"
    case = file_case(svc, org_id=orgs["harbour"]["_id"],
                     answers={**ANSWERS, "narrative": narrative})
    svc.workflow.add_note(case, {"id": "u_x", "roles": ["coordinator"]},
                          "Call \u2067back\u2069 \u202dtomorrow")
    login_as("reviewer", countries=["MY"])
    page = _html(client.get(f"/cases/{case['reference']}"))
    assert not {"\u202e", "\u202c", "\u2067", "\u2069", "\u202d"} & set(page)
    assert '<bdi dir="auto">Agent [RLO]gnihton dias[PDF] kept the passport</bdi>' in page
    assert '<bdi dir="auto">Call [RLI]back[PDI] [LRO]tomorrow</bdi>' in page
    stored = svc.cases.get(case["_id"])
    assert stored["answers"]["narrative"] == narrative  # the evidence is kept as typed


def test_case_page__original_of_a_duplicate_outside_the_scope__not_named(
        client, login_as, svc, orgs, my_case):
    sg_case = file_case(svc, form_id="sg-intake", answers=SG_ANSWERS, org_id=orgs["lion"]["_id"])
    coordinator = {"id": "u_coord", "roles": ["coordinator"], "org_id": None, "countries": []}
    svc.workflow.transition(my_case, "mark_duplicate", coordinator,
                            {"duplicate_of": sg_case["reference"]}, my_case["version"])
    login_as("reviewer", countries=["MY"])
    page = _html(client.get(f"/cases/{my_case['reference']}"))
    assert sg_case["reference"] not in page
    assert page.count("a case that you cannot see") == 2  # the facts and the timeline
