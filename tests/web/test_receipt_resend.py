"""A receipt that cannot be lost: the questionnaire's last page sent again (the connection
dropped after the report was stored) shows the receipt again with a new tracking code,
the old code stops working, and nothing but that page's one-time token gives out a code."""

import base64
import hashlib
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from tests.helpers import csrf_token
from tests.intake_helpers import (  # noqa: F401  (forms_published is a fixture)
    MINIMAL,
    forms_published,
    receipt,
    submission_token,
    walk_steps,
)
from tests.samples import PDF

pytestmark = pytest.mark.usefixtures("forms_published")

FORM, LANG = "my-intake", "en"


def _page(client, form_id=FORM, lang=LANG, data=None):
    """A report answered step by step (MINIMAL unless `data`): the CSRF token and the
    one-time submission token of its last page, the one with the send button."""
    html = walk_steps(client, form_id, lang, data)
    return csrf_token(html), submission_token(html)


def _send(client, csrf, submission, form_id=FORM, lang=LANG):
    """Press "Send the report" (again): the answers are in the draft, if it is still there."""
    return client.post(f"/report/{form_id}/{lang}/send",
                       data={"csrf_token": csrf, "submission": submission})


def _opens_status(client, reference, code) -> bool:
    """The reference and code open the report page, and it is that report's."""
    token = csrf_token(client.get("/status").get_data(as_text=True))
    response = client.post("/status", data={"reference": reference, "code": code,
                                            "csrf_token": token})
    if response.status_code != 303:
        return False
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    return page.status_code == 200 and "data-stage=" in html and reference in html


def test_resend__same_reference_new_code__old_code_stops_working(client, svc):
    csrf, submission = _page(client)
    first = _send(client, csrf, submission)
    reference, old_code = receipt(first.get_data(as_text=True))
    again = _send(client, csrf, submission)
    assert again.status_code == 200 and "no-store" in again.headers["Cache-Control"]
    same_reference, new_code = receipt(again.get_data(as_text=True))
    assert same_reference == reference and new_code != old_code
    assert 'id="resent-note"' in again.get_data(as_text=True)
    assert 'id="resent-note"' not in first.get_data(as_text=True)
    assert svc.db.cases.count_documents({}) == 1
    assert not _opens_status(client, reference, old_code)
    assert _opens_status(client, reference, new_code)


def test_whole_questionnaire_posted_twice__same_receipt_new_code(client, svc):
    """The questionnaire posted whole at its own address (scripts, old pages) is resent
    like the last page: one case, its receipt again, and only the new code works."""
    csrf, submission = _page(client)
    data = {**MINIMAL, "csrf_token": csrf, "submission": submission}
    first = client.post(f"/report/{FORM}/{LANG}", data=data)
    reference, old_code = receipt(first.get_data(as_text=True))
    again = client.post(f"/report/{FORM}/{LANG}", data=data)
    assert again.status_code == 200 and 'id="resent-note"' in again.get_data(as_text=True)
    same_reference, new_code = receipt(again.get_data(as_text=True))
    assert same_reference == reference and new_code != old_code
    assert svc.db.cases.count_documents({}) == 1
    assert not _opens_status(client, reference, old_code)
    assert _opens_status(client, reference, new_code)


def test_two_resends__only_the_last_code_works(client, svc):
    csrf, submission = _page(client)
    codes = [receipt(_send(client, csrf, submission).get_data(as_text=True)) for _ in range(3)]
    assert len({reference for reference, _ in codes}) == 1
    assert len({code for _, code in codes}) == 3
    reference = codes[0][0]
    assert [_opens_status(client, reference, code) for _, code in codes] == [False, False, True]
    case = svc.db.cases.find_one({})
    assert [e["kind"] for e in case["events"]].count("tracking_reissued") == 2
    assert svc.db.cases.count_documents({}) == 1


def test_token_never_used__files_a_new_case(client, svc):
    csrf, submission = _page(client)
    first, _ = receipt(_send(client, csrf, submission).get_data(as_text=True))
    csrf, other = _page(client)
    assert other != submission
    second, _ = receipt(_send(client, csrf, other).get_data(as_text=True))
    csrf, _issued = _page(client)  # a third report, sent with another token
    unseen = "A" * 22  # well formed, never issued: no case holds it
    third, code = receipt(_send(client, csrf, unseen).get_data(as_text=True))
    assert len({first, second, third}) == 3 and svc.db.cases.count_documents({}) == 3
    assert _opens_status(client, third, code)


def test_resend_after_the_window__refused_without_reference_or_code(client, svc):
    csrf, submission = _page(client)
    reference, code = receipt(_send(client, csrf, submission).get_data(as_text=True))
    hours = svc.settings.receipt_resend_hours
    case = svc.db.cases.find_one({})
    svc.db.cases.update_one({"_id": case["_id"]}, {"$set": {
        "created_at": case["created_at"] - timedelta(hours=hours, minutes=1)}})
    late = _send(client, csrf, submission)
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "no-store" in late.headers["Cache-Control"]
    assert "This report was already received." in html and f"{hours} hours" in html
    assert reference not in html and 'id="tracking-code"' not in html
    assert svc.db.cases.count_documents({}) == 1
    assert svc.db.cases.find_one({})["events"] == case["events"]
    assert _opens_status(client, reference, code)  # the code given at filing still works


def test_resend_just_inside_the_window__reissues(client, svc):
    csrf, submission = _page(client)
    reference, _ = receipt(_send(client, csrf, submission).get_data(as_text=True))
    case = svc.db.cases.find_one({})
    svc.db.cases.update_one({"_id": case["_id"]}, {"$set": {
        "created_at": case["created_at"] - timedelta(hours=svc.settings.receipt_resend_hours,
                                                     minutes=-1)}})
    assert receipt(_send(client, csrf, submission).get_data(as_text=True))[0] == reference


def test_send_that_loses_the_race__shows_the_winners_receipt(client, svc, monkeypatch):
    """Two sends of one page at once: both read the draft and find nothing filed, the
    other one's insert wins, and this one is shown that case's receipt with a new code,
    not an error; the winner's files stay with its case."""
    from app.public import drafting, receipts

    csrf, submission = _page(client)
    client.post(f"/report/{FORM}/{LANG}/step/evidence", content_type="multipart/form-data",
                data={"csrf_token": csrf, "go": "next", "evidence": [(io.BytesIO(PDF), "payslip.pdf")]})
    with monkeypatch.context() as winner:  # it has filed, and not yet deleted the draft
        winner.setattr(drafting, "forget", lambda *_args, **_kwargs: None)
        reference, _ = receipt(_send(client, csrf, submission).get_data(as_text=True))
    real, looked = receipts.resent, []

    def not_yet_filed_at_first(token, lang):  # the other send was not stored yet
        looked.append(token)
        return None if len(looked) == 1 else real(token, lang)

    monkeypatch.setattr(receipts, "resent", not_yet_filed_at_first)
    response = _send(client, csrf, submission)
    assert response.status_code == 200 and len(looked) == 2
    again, code = receipt(response.get_data(as_text=True))
    assert again == reference and _opens_status(client, reference, code)
    assert svc.db.cases.count_documents({}) == 1 and svc.db.drafts.count_documents({}) == 0
    case = svc.cases.by_reference(reference)
    assert [a["name"] for a in case["attachments"]] == ["payslip.pdf"]
    assert [f["state"] for f in svc.attachments.for_case(case["_id"])] == ["attached"]
    assert svc.db["attachments.files"].count_documents({}) == 1


@pytest.mark.parametrize("forged", [
    "stored-hash",  # what a copy of the database holds, sent as if it were the token
    "x", "", "A" * 21, "<script>", "A" * 200, "$ne",
])
def test_forged_token__reissues_nothing(client, svc, forged):
    csrf, submission = _page(client)
    reference, code = receipt(_send(client, csrf, submission).get_data(as_text=True))
    stored = svc.db.cases.find_one({"reference": reference})
    token = stored["submission_hash"] if forged == "stored-hash" else forged
    csrf, _issued = _page(client)  # another report, sent with the forged token
    response = _send(client, csrf, token)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and reference not in html  # a new case, nothing else
    assert svc.db.cases.find_one({"reference": reference}) == stored
    assert _opens_status(client, reference, code)


def test_stored_hash_is_not_the_token(client, svc):
    csrf, submission = _page(client)
    _send(client, csrf, submission)
    stored = svc.db.cases.find_one({})
    assert stored["submission_hash"] == hashlib.sha256(submission.encode()).hexdigest()
    assert submission not in str(stored)


def test_timeline_event_and_audit__carry_no_code(client, svc):
    csrf, submission = _page(client)
    _send(client, csrf, submission)
    _reference, code = receipt(_send(client, csrf, submission).get_data(as_text=True))
    case = svc.db.cases.find_one({})
    event = case["events"][-1]
    assert event["kind"] == "tracking_reissued" and event["actor"] == "reporter"
    assert event["from"] == event["to"] == case["stage"]
    for secret in (code, code.replace("-", ""), case["tracking_hash"], submission,
                   case["submission_hash"]):
        assert secret not in str(event)
    audited = svc.audit.recent(5, action="case.tracking_reissued")
    assert [(a["actor"], a["target"]) for a in audited] == [("reporter", case["_id"])]
    assert code not in str(audited) and code.replace("-", "") not in str(audited)


def test_signed_in_reporter__resend_recorded_as_them(client, svc, login_as):
    user = login_as("reporter")
    csrf, submission = _page(client)
    _send(client, csrf, submission)
    _send(client, csrf, submission)
    assert svc.db.cases.find_one({})["events"][-1]["actor"] == user["_id"]


def test_caseworker_timeline__says_a_code_was_reissued(client, svc, login_as):
    csrf, submission = _page(client)
    _send(client, csrf, submission)
    reference, _ = receipt(_send(client, csrf, submission).get_data(as_text=True))
    login_as("coordinator")
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert 'data-kind="tracking_reissued"' in page and "was given a new tracking code" in page


def test_receipt__copy_print_and_image_that_decodes(client):
    csrf, submission = _page(client)
    response = _send(client, csrf, submission)
    html = response.get_data(as_text=True)
    reference, code = receipt(html)
    assert 'id="copy-receipt"' in html and 'id="print-receipt"' in html
    assert "choose Print" in html  # said without JavaScript, inside <noscript>
    link = re.search(r'<a id="save-image" download="([^"]+)" href="data:image/png;base64,'
                     r'([^"]+)"', html)
    assert link and link.group(1) == f"{reference}.png"
    image = Image.open(io.BytesIO(base64.b64decode(link.group(2))))
    image.load()
    assert image.format == "PNG" and image.width >= 600
    assert f'src="data:image/png;base64,{link.group(2)}"' in html
    # The code is never part of a URL: every href and src is the page's own or a picture.
    for url in re.findall(r'(?:href|src|action)="([^"]*)"', html):
        assert code not in url
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    for text in ("check the status", "answer a question from the caseworker",
                 "change what you agreed", "only time the code is shown",
                 "Anyone who has the reference and the code", "save it as an image"):
        assert text in html


def test_receipt__in_the_reporters_language_and_direction(client):
    data = {"destination_country": "SA", "narrative": "لم يُدفع راتبي", "consent_case_work": "y"}
    csrf, submission = _page(client, "sa-intake", "ar", data)
    html = _send(client, csrf, submission, "sa-intake", "ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    again = _send(client, csrf, submission, "sa-intake", "ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in again and 'id="tracking-code"' in again


def test_api__takes_no_submission_token_and_reissues_no_code(client, svc, make_user):
    """The API hands its code to the partner once; a body cannot ask for a page's receipt."""
    csrf, submission = _page(client)
    reference, code = receipt(_send(client, csrf, submission).get_data(as_text=True))
    org = svc.organisations.create("Partner Desk", "MY")
    _record, token = svc.tokens.create(make_user(("member",), org_id=org["_id"])["_id"], "p")
    body = {"form_id": "my-intake", "version": 1, "language": "en", "submission": submission,
            "answers": {"destination_country": "MY", "narrative": "Unpaid.",
                        "consent_case_work": True}}
    refused = client.post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 400 and svc.db.cases.count_documents({}) == 1
    del body["submission"]
    filed = client.post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"})
    assert filed.status_code == 201 and filed.json["reference"] != reference
    assert "submission_hash" not in svc.cases.by_reference(filed.json["reference"])
    assert _opens_status(client, reference, code)
