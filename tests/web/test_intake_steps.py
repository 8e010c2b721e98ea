"""The questionnaire in steps through HTTP: a draft carries the answers, nothing typed
is lost, quick exit and "start again" erase it, and the last step sends it."""

import re

import pytest

from tests.helpers import csrf_token
from tests.intake_helpers import (
    forms_published,  # noqa: F401  (fixture)
    receipt,
)
from tests.samples import EXE, PDF

pytestmark = pytest.mark.usefixtures("forms_published")

BASE = "/report/my-intake/en"
STORY = "Majikan saya menyimpan pasport saya. <b>tiga bulan</b>"


def _save(client, step, data, go="next", lang="en", files=None):
    url = f"/report/my-intake/{lang}/step/{step}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    payload = {**data, "csrf_token": token, "go": go, **(files or {})}
    return client.post(url, data=payload, content_type="multipart/form-data")


def _walk(client, narrative=STORY):
    """Answer the required questions step by step, as a reporter would."""
    assert _save(client, "person", {}).headers["Location"].endswith("/step/where")
    _save(client, "where", {"destination_country": "MY"})
    _save(client, "when", {})
    _save(client, "what_happened", {"narrative": narrative})
    for step in ("hard_to_talk_about", "who_did_it", "work", "help_needed", "evidence"):
        _save(client, step, {})
    return _save(client, "consent", {"consent_case_work": "y"})


def _send(client, lang="en"):
    page = client.get(f"/report/my-intake/{lang}/step/check").get_data(as_text=True)
    submission = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    return client.post(f"/report/my-intake/{lang}/send",
                       data={"csrf_token": csrf_token(page), "submission": submission})


def test_first_step__progress_heading_buttons_and_draft_notice(client):
    html = client.get(BASE).get_data(as_text=True)
    assert "Step 1 of 11" in html and 'id="step-heading"' in html
    assert 'value="next"' in html and 'value="back"' not in html
    assert 'value="lang:ms"' in html  # the form's other language, as a saving button
    assert "kept on this device for 8 hours" in html and "erases them" in html
    assert 'id="q-full_name"' in html and 'id="q-narrative"' not in html


def test_walk__every_step_then_check_page_lists_answers_and_sends(client, svc):
    assert _walk(client).headers["Location"].endswith("/step/check")
    check = client.get(f"{BASE}/step/check").get_data(as_text=True)
    assert "Step 11 of 11" in check and "Send the report" in check
    assert "&lt;b&gt;tiga bulan&lt;/b&gt;" in check and "Malaysia" in check
    assert f'href="{BASE}/step/what_happened#q-narrative"' in check  # change link
    assert svc.db.drafts.count_documents({}) == 1
    response = _send(client)
    assert response.status_code == 200
    case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
    assert case["answers"]["narrative"] == STORY
    assert svc.db.drafts.count_documents({}) == 0  # sent: nothing left on the device


def test_draft__answers_sealed_not_in_cookie_and_expiring(client, svc):
    _save(client, "what_happened", {"narrative": "secret story"}, go="back")
    doc = svc.db.drafts.find_one()
    assert "secret story" not in str(doc) and doc["expires_at"] > doc["updated_at"]
    assert "secret story" not in str(client.get_cookie("mrvrs_session").value)
    indexes = svc.db.drafts.index_information()
    assert any(i.get("expireAfterSeconds") == 0 for i in indexes.values())


def test_next_with_a_required_answer_missing__errors_and_answers_kept(client, svc):
    response = _save(client, "what_happened", {"narrative": "", "acts": "life_in_danger"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#q-narrative"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="h-narrative e-narrative"' in html
    assert re.search(r'<input checked[^>]*value="life_in_danger"', html)


def test_wrong_answer__shown_back_as_typed_on_return(client):
    _save(client, "when", {"event_year": "last year"})
    html = client.get(f"{BASE}/step/when").get_data(as_text=True)
    assert 'value="last year"' in html


def test_language_button__saves_and_opens_the_same_step_in_the_other_language(client):
    response = _save(client, "what_happened", {"narrative": STORY}, go="lang:ms")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/report/my-intake/ms/step/what_happened")
    html = client.get("/report/my-intake/ms/step/what_happened").get_data(as_text=True)
    assert '<html lang="ms"' in html and "&lt;b&gt;tiga bulan" in html


def test_header_language_switch__keeps_the_draft(client):
    _save(client, "what_happened", {"narrative": STORY}, go="back")
    client.get("/language?lang=ms&next=/")
    html = client.get(f"{BASE}/step/what_happened").get_data(as_text=True)
    assert "&lt;b&gt;tiga bulan" in html


def test_required_marker_spoken_and_aria_required(client):
    html = client.get(f"{BASE}/step/what_happened").get_data(as_text=True)
    narrative = re.search(r"<textarea[^>]*>", html).group(0)
    assert 'aria-required="true"' in narrative
    assert '<span class="required-mark">(required)</span>' in html
    assert 'aria-hidden="true">*' not in html


def test_jump_back__only_to_reached_steps(client):
    _save(client, "person", {})
    response = _save(client, "where", {"destination_country": "MY"}, go="step:person")
    assert response.headers["Location"].endswith("/step/person")
    response = _save(client, "person", {}, go="step:consent")  # not reached: stays
    assert response.headers["Location"].endswith("/step/person")


def test_return_later__offers_continue_or_start_again(client, svc):
    _save(client, "person", {"full_name": "Siti"})
    html = client.get(BASE).get_data(as_text=True)
    assert "Continue where you left off" in html and 'href="/report/my-intake/en/step/where"' in html
    token = csrf_token(html)
    response = client.post(f"{BASE}/restart", data={"csrf_token": token})
    assert response.status_code == 303 and svc.db.drafts.count_documents({}) == 0
    assert "Siti" not in client.get(f"{BASE}/step/person").get_data(as_text=True)


def test_quick_exit__erases_draft_files_and_session(client, svc):
    _save(client, "evidence", {}, files={"evidence": [(__import__("io").BytesIO(PDF), "a.pdf")]})
    assert svc.db["attachments.files"].count_documents({"metadata.state": "pending"}) == 1
    response = client.get("/leave")
    assert response.status_code == 303 and response.headers["Location"].startswith("https://")
    assert svc.db.drafts.count_documents({}) == 0
    assert svc.db["attachments.files"].count_documents({}) == 0
    assert "Continue where" not in client.get(BASE).get_data(as_text=True)


def test_evidence_step__checked_kept_pending_then_attached_with_hash(client, svc):
    import hashlib
    import io

    refused = _save(client, "evidence", {}, files={"evidence": [(io.BytesIO(EXE), "x.pdf")]})
    assert refused.status_code == 400 and "cannot be accepted" in refused.get_data(as_text=True)
    assert svc.db["attachments.files"].count_documents({}) == 0
    _save(client, "evidence", {}, files={"evidence": [(io.BytesIO(PDF), "payslip.pdf")]})
    _walk(client)
    check = client.get(f"{BASE}/step/check").get_data(as_text=True)
    assert "payslip.pdf" in check
    case = svc.cases.by_tracking(*receipt(_send(client).get_data(as_text=True)))
    assert [a["sha256"] for a in case["attachments"]] == [hashlib.sha256(PDF).hexdigest()]
    assert svc.attachments.for_case(case["_id"])[0]["state"] == "attached"


def test_send__incomplete_draft__first_step_with_a_problem_and_nothing_stored(client, svc):
    _save(client, "person", {})
    response = _send(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Step 2 of 11" in html
    assert 'href="#q-destination_country"' in html
    assert f'href="{BASE}/step/what_happened#q-narrative"' in html
    assert svc.db.cases.count_documents({}) == 0


def test_send_again_same_token__one_case_its_receipt_with_a_fresh_code(client, svc):
    """Sent again (the receipt never arrived, the draft is gone): the same case's receipt
    with a new tracking code, and the first code stops working."""
    _walk(client)
    page = client.get(f"{BASE}/step/check").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page),
            "submission": re.search(r'name="submission" value="([^"]+)"', page).group(1)}
    first = client.post(f"{BASE}/send", data=data)
    assert first.status_code == 200
    again = client.post(f"{BASE}/send", data=data)
    assert again.status_code == 200
    (reference, old_code), (same, new_code) = (receipt(r.get_data(as_text=True))
                                               for r in (first, again))
    assert same == reference and new_code != old_code
    assert svc.db.cases.count_documents({}) == 1 and svc.db.drafts.count_documents({}) == 0
    assert svc.cases.by_tracking(reference, new_code) is not None
    assert svc.cases.by_tracking(reference, old_code) is None


def test_skipped_section__not_a_step(client, svc):
    from tests.intake_helpers import publish_text

    publish_text(svc, """
form: tt-steps
extends: mwc-base
country: MY
languages: [en]
title: {en: Steps}
sections:
  - id: payslips
    title: {en: Payslips}
    show_if: {field: ongoing, equals: true}
    fields:
      - {id: payslip_month, type: text, label: {en: Which month?}}
""")
    html = client.get("/report/tt-steps/en/step/payslips")
    assert html.status_code == 303  # nothing answered yet: the step is skipped


def test_header_language_switch_on_a_step__same_step_in_that_language(client):
    _save(client, "what_happened", {"narrative": STORY}, go="back")
    html = client.get(f"{BASE}/step/what_happened").get_data(as_text=True)
    after = re.search(r'name="next" value="([^"]+)"', html).group(1)
    assert after == f"{BASE}/step/what_happened/language"
    response = client.get(f"/language?lang=ms&next={after}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path == "/report/my-intake/ms/step/what_happened"
    assert '<html lang="ms"' in html and "&lt;b&gt;tiga bulan" in html


def test_evidence_step__a_kept_file_can_be_removed_before_sending(client, svc):
    import io

    _save(client, "evidence", {}, files={"evidence": [(io.BytesIO(PDF), "wrong.pdf")]})
    html = client.get(f"{BASE}/step/evidence").get_data(as_text=True)
    assert "wrong.pdf" in html
    file_id = re.search(r'name="remove" value="([^"]+)"', html).group(1)
    _save(client, "evidence", {"remove": file_id}, go="back")
    assert svc.db["attachments.files"].count_documents({}) == 0
    assert "wrong.pdf" not in client.get(f"{BASE}/step/evidence").get_data(as_text=True)


def test_own_country_preselected_on_a_step_not_yet_saved_only(client):
    _save(client, "person", {"full_name": "Siti"})
    html = client.get(f"{BASE}/step/where").get_data(as_text=True)
    assert re.search(r'<option selected value="MY">|<option value="MY" selected>', html)
    _save(client, "where", {"destination_country": ""}, go="back")  # cleared on purpose
    html = client.get(f"{BASE}/step/where").get_data(as_text=True)
    assert not re.search(r'<option selected value="MY">|<option value="MY" selected>', html)


def test_skip_optional__only_required_steps_then_a_complete_report(client, svc):
    """A reporter short of time passes over the optional steps: from the first step to
    the story, from the story to consent, then the check page; the passed steps stay
    open from the list of steps, and the report is filed whole."""
    first = client.get(BASE).get_data(as_text=True)
    assert 'value="skip"' in first and "Short of time?" in first
    # Enter presses the first button of the form in the page: a hidden Next in the header
    assert first.index('form="step-form" name="go" value="next" hidden') < first.index(
        'name="go" value="interface"') < first.index('value="skip"')
    assert _save(client, "person", {}, go="skip").headers["Location"].endswith(
        "/step/what_happened")
    story = _save(client, "what_happened", {"narrative": STORY}, go="skip")
    assert story.headers["Location"].endswith("/step/consent")
    consent = client.get(f"{BASE}/step/consent").get_data(as_text=True)
    assert 'value="skip"' not in consent  # nothing left to pass over
    assert f'{BASE}/step/work"' in consent or "step:work" in consent  # passed, still open
    assert _save(client, "consent", {"consent_case_work": "y"}).headers[
        "Location"].endswith("/step/check")
    filed = _send(client)
    assert receipt(filed.get_data(as_text=True))
    case = svc.db.cases.find_one()
    assert case["dimensions"]["destination_country"] == "MY"


def test_skip_optional__refused_while_this_step_misses_a_required_answer(client):
    _save(client, "person", {}, go="skip")
    refused = _save(client, "what_happened", {"narrative": ""}, go="skip")
    assert refused.status_code == 400
    assert "This question needs an answer." in refused.get_data(as_text=True)


def test_header_language_switch_on_a_step__saves_what_was_typed_first(client):
    """The header's switch posts the step's own form: the story typed on the page is
    kept, and the same step opens in the chosen language."""
    page = client.get(f"{BASE}/step/what_happened").get_data(as_text=True)
    assert 'form="step-form" name="interface_lang"' in page
    assert 'form="step-form" name="go" value="interface"' in page
    switched = _save(client, "what_happened", {"narrative": STORY, "interface_lang": "ms"},
                     go="interface")
    assert switched.status_code == 303
    assert switched.headers["Location"].endswith("/report/my-intake/ms/step/what_happened")
    malay = client.get("/report/my-intake/ms/step/what_happened").get_data(as_text=True)
    assert 'lang="ms"' in malay and "Majikan saya menyimpan pasport saya." in malay


def test_header_language_switch_on_the_check_page__a_plain_link_form(client):
    _walk(client)
    check = client.get(f"{BASE}/step/check").get_data(as_text=True)
    assert 'name="interface_lang"' not in check and 'name="lang"' in check
