"""Questions for staff (`audience: staff`): never on a public path, answered on the case page.

The base form's "MWC articles (for caseworkers)" is such a question: the Malaysia form
once showed reporters its 61 boxes."""

from __future__ import annotations

import re

import pytest

from tests.case_helpers import ANSWERS, file_case
from tests.helpers import csrf_token
from tests.intake_helpers import (  # noqa: F401  (forms_published is a fixture)
    every_step,
    forms_published,
    post_report,
    publish_text,
    receipt,
)

pytestmark = pytest.mark.usefixtures("forms_published")

#: A Malaysian form with a sensitive staff question, to see it sealed like intake seals.
ASSESSED = """
form: zz-intake
extends: my-intake
sections:
  - id: assessment
    title: {en: Assessment, ms: Penilaian}
    fields:
      - id: credible
        type: yesno
        audience: staff
        label: {en: Is the account consistent?, ms: Adakah cerita ini konsisten?}
      - id: assessment_note
        type: textarea
        audience: staff
        sensitive: true
        label: {en: Why?, ms: Mengapa?}
"""


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "ms"])
def test_public_form__malaysia__no_mwc_article_boxes(client, lang):
    html = every_step(client, "my-intake", lang)
    assert 'name="narrative"' in html  # the form itself is there
    assert "mwc_codes" not in html and 'value="MWC-' not in html
    assert "MWC articles (for caseworkers)" not in html and "Artikel MWC" not in html


def test_public_form__staff_answer_posted_anyway__not_stored(client, svc):
    data = {"destination_country": "MY", "narrative": "My employer keeps my passport.",
            "consent_case_work": "y", "mwc_codes": ["MWC-18", "MWC-54"]}
    response = post_report(client, data=data)
    assert response.status_code == 200, _html(response)
    case = svc.cases.by_tracking(*receipt(_html(response)))
    assert "mwc_codes" not in case["answers"] and not {18, 54} & set(case["mwc"])


@pytest.fixture
def api(client, make_user, svc):
    """Post a filing as a reviewer: even staff file the reporter's questions only."""
    user = make_user(("reviewer",), countries=["MY"])
    _record, token = svc.tokens.create(user["_id"], "partner system")
    return lambda answers: client.post(
        "/api/v1/cases", headers={"Authorization": f"Bearer {token}"},
        json={"form_id": "my-intake", "version": svc.forms.latest("my-intake")["version"],
              "language": "en", "answers": answers})


def test_api__staff_question__refused_as_unknown_and_nothing_stored(api, svc):
    before = svc.cases.cases.count_documents({})
    response = api({**ANSWERS, "mwc_codes": ["MWC-18"]})
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == ["mwc_codes"]
    assert svc.cases.cases.count_documents({}) == before
    assert api(ANSWERS).status_code == 201


def test_form_preview__as_reporters_see_it(client, login_as, svc):
    login_as("form_editor")
    html = _html(client.get(f"/forms/my-intake/{svc.forms.latest('my-intake')['version']}"))
    assert 'data-question="narrative"' in html and "mwc_codes" not in html


# -- the case page ---------------------------------------------------------------------


@pytest.fixture
def case(svc):
    return file_case(svc)


def _save(auth, case, svc, answers: dict, version: int | None = None):
    url = f"/cases/{case['reference']}"
    current = svc.cases.get(case["_id"])["version"]
    data = {"staff-meta-version": str(current if version is None else version),
            **{f"staff-{k}": v for k, v in answers.items()}}
    return auth.post(f"{url}/staff-answers", data, page=url, prefix="staff-meta")


def test_case_page__reviewer_gets_the_staff_form__others_do_not(case, client, login_as, svc):
    login_as("reviewer", countries=["MY"])
    html = _html(client.get(f"/cases/{case['reference']}"))
    assert 'id="staff-answers-title"' in html
    assert 'name="staff-mwc_codes" type="checkbox" value="MWC-18"' in html
    client.get("/auth/logout")
    login_as("member", org_id=case["reporter"]["org_id"])
    assert "staff-answers" not in _html(client.get(f"/cases/{case['reference']}"))


def test_save__stored_derived_recomputed_timeline_and_audit(case, auth, client, login_as, svc):
    user = login_as("reviewer", countries=["MY"])
    response = _save(auth, case, svc, {"mwc_codes": ["MWC-18", "MWC-54"]})
    assert response.status_code == 302, _html(response)
    stored = svc.cases.get(case["_id"])
    assert stored["answers"]["mwc_codes"] == ["MWC-18", "MWC-54"]
    assert {18, 54, 25} <= set(stored["mwc"])  # 25: the reporter's "unpaid wages"
    assert stored["version"] == case["version"] + 1
    assert stored["events"][-1]["kind"] == "staff_answers"
    assert stored["events"][-1]["data"] == {"fields": ["mwc_codes"]}
    assert stored["consent"] == case["consent"] and stored["flags"] == case["flags"]
    assert svc.sealer.open(stored["sensitive"]) == svc.sealer.open(case["sensitive"])
    audit = svc.audit.collection.find_one({"action": "case.staff_answers"})
    assert audit["actor"] == user["_id"] and audit["target"] == case["_id"]
    page = _html(client.get(f"/cases/{case['reference']}"))
    assert "answered the questions for staff" in page
    assert re.search(r'<dd data-field="mwc_codes">.*MWC-54', page, re.DOTALL)
    assert re.search(r'<input checked[^>]*name="staff-mwc_codes"[^>]*value="MWC-54"', page)

    cleared = _save(auth, case, svc, {})
    assert cleared.status_code == 302
    stored = svc.cases.get(case["_id"])
    assert "mwc_codes" not in stored["answers"] and not {18, 54} & set(stored["mwc"])


def test_save__wrong_answer__clear_error_nothing_stored(case, auth, login_as, svc):
    login_as("reviewer", countries=["MY"])
    response = _save(auth, case, svc, {"mwc_codes": ["MWC-999"]})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in _html(response) and 'id="e-staff-mwc_codes"' in _html(response)
    assert svc.cases.get(case["_id"])["version"] == case["version"]


def test_save__page_out_of_date__conflict_nothing_stored(case, auth, login_as, svc):
    login_as("reviewer", countries=["MY"])
    response = _save(auth, case, svc, {"mwc_codes": ["MWC-18"]}, version=case["version"] - 1)
    assert response.status_code == 409
    assert "mwc_codes" not in svc.cases.get(case["_id"])["answers"]


@pytest.mark.parametrize("roles", [("member",), ("mission",), ("reporter",)])
def test_save__only_caseworkers(case, auth, client, login_as, svc, roles):
    login_as(*roles, org_id=case["reporter"]["org_id"], countries=["MY"])
    url = f"/cases/{case['reference']}/staff-answers"
    token = csrf_token(_html(client.get("/")))
    response = client.post(url, data={"staff-meta-version": "2", "staff-mwc_codes": "MWC-18",
                                      "staff-meta-csrf_token": token})
    assert response.status_code == 403
    assert "mwc_codes" not in svc.cases.get(case["_id"])["answers"]


def test_save__reviewer_of_another_country__404(case, auth, client, login_as, svc):
    login_as("reviewer", countries=["SG"])
    response = client.post(f"/cases/{case['reference']}/staff-answers",
                           data={"staff-meta-version": "2", "staff-mwc_codes": "MWC-18",
                                 "staff-meta-csrf_token": csrf_token(_html(client.get("/")))})
    assert response.status_code == 404
    assert "mwc_codes" not in svc.cases.get(case["_id"])["answers"]


def test_save__sensitive_staff_answer_sealed(auth, login_as, svc):
    publish_text(svc, ASSESSED)
    case = file_case(svc, form_id="zz-intake")
    login_as("coordinator")
    response = _save(auth, case, svc, {"credible": "false", "assessment_note": "Dates differ."})
    assert response.status_code == 302, _html(response)
    stored = svc.cases.get(case["_id"])
    assert stored["answers"]["credible"] is False and "assessment_note" not in stored["answers"]
    opened = svc.sealer.open(stored["sensitive"])
    assert opened["assessment_note"] == "Dates differ."
    assert {k: v for k, v in opened.items() if k != "assessment_note"} == \
        svc.sealer.open(case["sensitive"])
    assert "Dates differ." not in str({k: v for k, v in stored.items() if k != "sensitive"})
