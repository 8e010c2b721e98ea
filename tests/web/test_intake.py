"""The public questionnaire through HTTP: choosing, filing, refusals, nothing half-stored."""

import io
import re

import pytest

from tests.helpers import csrf_token
from tests.intake_helpers import (
    MINIMAL,
    TEST_FORM,
    every_step,
    forms_published,  # noqa: F401  (fixture)
    post_report,
    publish_text,
    receipt,
)
from tests.samples import EXE, PDF, SAMPLES

pytestmark = pytest.mark.usefixtures("forms_published")


def _stored(svc):
    return (svc.db.cases.count_documents({}), svc.db["attachments.files"].count_documents({}))


def test_choose__lists_country_forms_with_their_languages(client):
    html = client.get("/report").get_data(as_text=True)
    assert 'data-form="sa-intake"' in html and 'data-form="bd-intake"' in html
    assert 'data-form="mwc-base"' not in html  # no country: takes no reports
    assert 'href="/report/sa-intake/ar"' in html and 'href="/report/bd-intake/bn"' in html


@pytest.mark.parametrize(("url", "lang", "direction"), [
    ("/report/sa-intake/ar", "ar", "rtl"), ("/report/bd-intake/bn", "bn", "ltr"),
    ("/report/hk-intake/zh-Hant", "zh-Hant", "ltr"),
])
def test_questionnaire__page_language_and_direction_follow_the_form(client, url, lang,
                                                                   direction):
    html = client.get(url).get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    # ...and the interface follows the language picked, on the next pages too.
    assert f'<html lang="{lang}" dir="{direction}">' in client.get("/").get_data(as_text=True)


def test_questionnaire__unknown_form_or_language__404(client):
    assert client.get("/report/xx-intake/en").status_code == 404
    assert client.get("/report/sa-intake/fr").status_code == 404
    assert client.get("/report/mwc-base/en").status_code == 404


def test_questionnaire__sections_terms_consent_and_gender_questions(client):
    html = every_step(client, "my-intake", "en")
    assert 'id="s-consent"' in html and 'id="s-evidence"' in html
    assert 'data-term="pati"' in html or 'data-term="plks"' in html
    for question in ("sex_on_documents", "gender", "caseworker_gender", "consent_case_work",
                     "consent_referral", "consent_statistics", "consent_advocacy"):
        assert f'id="q-{question}"' in html
    assert 'data-show-if-field="sexual_violence"' in html
    assert "show-if.js" in html and "<script>" not in html


def test_questionnaire__every_input_labelled(client):
    html = every_step(client, "sa-intake", "ar")
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*'
                     r'id="([^"]+)"', html)
    assert len(ids) > 50
    for element_id in ids:
        assert f'for="{element_id}"' in html, element_id


def test_submit__receipt_with_reference_and_code_not_cached(client, svc):
    response = post_report(client, "my-intake", "ms")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    reference, code = receipt(response.get_data(as_text=True))
    assert re.fullmatch(r"MY-\d{4}-\d{6}", reference)
    case = svc.cases.by_tracking(reference, code)
    assert case["language"] == "ms" and case["events"][0]["to"] == "submitted"
    assert case["reporter"] == {"anonymous": True, "user_id": None, "org_id": None}
    assert svc.cases.get(case["_id"])["version"] > 1  # the eager route_case ran
    assert "127.0.0.1" not in str(case)


def test_submit__required_missing__errors_beside_field_and_in_summary(client, svc):
    response = post_report(client, "my-intake", "en", data={"narrative": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html and 'href="#q-destination_country"' in html
    assert 'id="e-destination_country"' in html
    assert _stored(svc) == (0, 0)


def test_submit__value_outside_choices__refused(client, svc):
    response = post_report(client, data={**MINIMAL, "reporter_relation": "boss"})
    assert response.status_code == 400 and 'id="e-reporter_relation"' in response.get_data(
        as_text=True)
    assert _stored(svc) == (0, 0)


def test_submit__hidden_required_left_empty__passes_and_hidden_value_dropped(client, svc):
    publish_text(svc, TEST_FORM)
    response = post_report(client, "tt-intake", "en", data={**MINIMAL, "payslip_month": "May"})
    assert response.status_code == 200
    case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
    assert "payslip_month" not in case["answers"]
    refused = post_report(client, "tt-intake", "en", data={**MINIMAL, "has_payslip": "y"})
    assert refused.status_code == 400 and 'id="e-payslip_month"' in refused.get_data(
        as_text=True)


def test_submit__wrong_type__refused(client, svc):
    publish_text(svc, TEST_FORM)
    response = post_report(client, "tt-intake", "en", data={**MINIMAL, "hours_per_day": "many"})
    assert response.status_code == 400 and 'id="e-hours_per_day"' in response.get_data(
        as_text=True)
    assert _stored(svc) == (0, 0)


def test_submit__html_payload__stored_as_text_and_shown_escaped(client, svc):
    payload = '<script>alert("x")</script><b onmouseover=alert(1)>hi</b>'
    refused = post_report(client, data={"narrative": payload})  # refused: kept, shown again
    assert refused.status_code == 400
    html = client.get("/report/my-intake/en/step/what_happened").get_data(as_text=True)
    assert payload not in html and "&lt;script&gt;alert(" in html
    response = post_report(client, data={**MINIMAL, "employer_name": payload})
    case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
    assert case["answers"]["employer_name"] == payload


def test_submit__ten_megabytes_in_one_field__refused_by_the_form_memory_limit(client, svc):
    from werkzeug.test import encode_multipart

    token = csrf_token(client.get("/report/my-intake/en").get_data(as_text=True))
    boundary, body = encode_multipart({**MINIMAL, "narrative": "x" * 10_000_000,
                                       "csrf_token": token})
    # Posted as bytes in memory, as a browser would send it (multipart).
    response = client.post("/report/my-intake/en", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert _stored(svc) == (0, 0)


def test_submit__forged_csrf__refused_and_nothing_stored(client, svc):
    response = post_report(client, token="forged-token")
    assert response.status_code == 400
    assert "expired or was not sent from this site" in response.get_data(as_text=True)
    assert _stored(svc) == (0, 0)


def test_submit__evidence_stored_with_hash(client, svc):
    files = {"evidence": [(io.BytesIO(PDF), "payslip.pdf"),
                          (io.BytesIO(SAMPLES["voice.ogg"]), "voice.ogg")]}
    response = post_report(client, files=files)
    case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
    stored = svc.attachments.for_case(case["_id"])
    assert sorted(a["content_type"] for a in stored) == ["application/pdf", "audio/ogg"]
    assert {a["sha256"] for a in stored} == {a["sha256"] for a in case["attachments"]}


def test_submit__exe_renamed_pdf__refused_clearly_nothing_stored(client, svc):
    files = {"evidence": [(io.BytesIO(PDF), "fine.pdf"), (io.BytesIO(EXE), "contract.pdf")]}
    response = post_report(client, files=files)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "contract.pdf: This kind of file cannot be accepted" in html
    assert _stored(svc) == (0, 0)


def test_submit__file_question_of_the_form__stored(client, svc):
    publish_text(svc, TEST_FORM)
    files = {"payslip_scan": [(io.BytesIO(SAMPLES["photo.jpg"]), "slip.jpg")]}
    response = post_report(client, "tt-intake", "en", files=files)
    case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
    assert [a["field"] for a in case["attachments"]] == ["payslip_scan"]


def test_submit__too_many_files__refused(client, svc):
    files = {"evidence": [(io.BytesIO(PDF), f"{i}.pdf") for i in range(6)]}
    response = post_report(client, files=files)
    assert response.status_code == 400 and "Too many files" in response.get_data(as_text=True)
    assert _stored(svc) == (0, 0)


def test_same_facts__two_countries_different_terms__same_mwc(client, svc):
    facts = {"narrative": "The employer keeps the passport and has not paid me.",
             "acts": ["documents_taken", "unpaid_wages"], "passport_held_by": "employer",
             "consent_case_work": "y"}
    my = post_report(client, "my-intake", "ms", data={**facts, "destination_country": "MY"})
    sa = post_report(client, "sa-intake", "ar", data={**facts, "destination_country": "SA"})
    my_case = svc.cases.by_tracking(*receipt(my.get_data(as_text=True)))
    sa_case = svc.cases.by_tracking(*receipt(sa.get_data(as_text=True)))
    assert my_case["terms"] == ["passport_retention"] and sa_case["terms"] == []
    assert my_case["mwc"] == sa_case["mwc"] == [21, 25]


def test_registered_reporter__files_and_sees_own_reports(client, login_as):
    login_as("reporter")
    reference, _code = receipt(post_report(client).get_data(as_text=True))
    page = client.get("/my-reports").get_data(as_text=True)
    assert f'data-reference="{reference}"' in page


def test_member__sees_own_and_organisation_reports_only(client, svc, login_as, make_user, auth):
    org = svc.organisations.create("Harbour Aid", "MY")
    other = make_user(("member",), org_id=org["_id"])
    auth.login(other["email"])
    theirs, _ = receipt(post_report(client).get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/").get_data(
        as_text=True))})
    stranger, _ = receipt(post_report(client).get_data(as_text=True))  # anonymous
    login_as("member", org_id=org["_id"])
    mine, _ = receipt(post_report(client).get_data(as_text=True))
    page = client.get("/my-reports").get_data(as_text=True)
    assert mine in page and theirs in page and stranger not in page


def test_my_reports__needs_reporter_or_member(client, login_as):
    assert client.get("/my-reports").status_code == 302
    login_as("mission")
    assert client.get("/my-reports").status_code == 403


def test_navigation__public_entries_for_visitors(client):
    nav = client.get("/").get_data(as_text=True)
    assert ">Report a violation</a>" in nav and ">Check a report</a>" in nav
    assert ">My reports</a>" not in nav


def test_public_post__rate_limited(settings):
    from app import create_app
    from tests.intake_helpers import publish_shipped

    app = create_app(settings.with_overrides(rate_limit_public="2 per minute"))
    publish_shipped(app.extensions["mrvrs"])
    client = app.test_client()
    statuses = [post_report(client).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_same_page_sent_twice__one_case(client, svc):
    html = every_step(client, "my-intake", "en")
    token = csrf_token(html)
    submission = re.search(r'name="submission" value="([^"]+)"', html).group(1)
    data = {**MINIMAL, "csrf_token": token, "submission": submission}
    first = client.post("/report/my-intake/en", data=data)
    again = client.post("/report/my-intake/en", data=data)
    assert first.status_code == 200 and again.status_code == 200
    assert 'id="resent-note"' in again.get_data(as_text=True)
    assert _code(first) != _code(again)
    assert svc.db.cases.count_documents({}) == 1


def _code(response) -> str:
    return re.search(r'id="tracking-code">([^<]+)<', response.get_data(as_text=True)).group(1)
