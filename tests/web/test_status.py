"""The status page: reference + private code, the stage in the filing language, nothing more."""

from datetime import UTC, datetime

import pytest

from tests.helpers import csrf_token
from tests.intake_helpers import forms_published, post_report, receipt  # noqa: F401

pytestmark = pytest.mark.usefixtures("forms_published")


def _check(client, reference, code, token=None):
    token = token or csrf_token(client.get("/status").get_data(as_text=True))
    return client.post("/status", data={"reference": reference, "code": code,
                                        "csrf_token": token})


def _file(client, form_id="sa-intake", lang="ar"):
    data = {"destination_country": "SA", "narrative": "لم يُدفع راتبي", "consent_case_work": "y"}
    return receipt(post_report(client, form_id, lang, data=data).get_data(as_text=True))


def test_status__stage_in_the_filing_language(client, svc, app):
    from flask_babel import force_locale

    from app.public.text import stage_text

    reference, code = _file(client)
    stage = svc.cases.by_reference(reference)["stage"]  # routing may have moved it on
    client.get("/language?lang=en&next=/")
    response = _check(client, reference, code.lower().replace("-", " "))
    assert response.status_code == 303 and "/status/report" in response.headers["Location"]
    client.get("/language?lang=en&next=/")
    response = client.get("/status/report")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert f'lang="ar" dir="rtl" data-stage="{stage}"' in html
    with app.test_request_context():
        with force_locale("ar"):
            arabic = stage_text(stage)[1]
        english = stage_text(stage)[1]
    assert arabic in html and english in html and arabic != english


def test_status__later_stage_shown_and_notes_never(client, svc):
    reference, code = _file(client)
    case = svc.cases.by_reference(reference)
    event = {"at": datetime.now(UTC), "actor": "u_reviewer", "from": "submitted",
             "to": "in_review", "note": "SECRET REVIEWER NOTE", "kind": "transition"}
    svc.cases.record(case, event, {"stage": "in_review"})
    _check(client, reference, code)
    html = client.get("/status/report").get_data(as_text=True)
    assert 'data-stage="in_review"' in html and "SECRET REVIEWER NOTE" not in html


def test_status__wrong_code_or_reference__same_refusal(client):
    reference, code = _file(client)
    wrong_code = _check(client, reference, "AAAA-BBBB-CCCC-DDDD-EEEE")
    wrong_ref = _check(client, "SA-2026-999999", code)
    operator = _check(client, '{"$gt": ""}', code)
    for response in (wrong_code, wrong_ref, operator):
        assert response.status_code == 404
        assert 'data-stage' not in response.get_data(as_text=True)


def test_status__forged_csrf__refused(client):
    reference, code = _file(client)
    response = _check(client, reference, code, token="forged")
    assert response.status_code == 400 and 'data-stage' not in response.get_data(as_text=True)


def test_status__empty_fields__errors_in_the_page_language(client):
    client.get("/language?lang=ms&next=/")
    response = _check(client, "", "")
    assert response.status_code == 400
    assert "Medan ini diperlukan." in response.get_data(as_text=True)


def test_status__rate_limited(settings):
    from app import create_app

    app = create_app(settings.with_overrides(rate_limit_public="2 per minute"))
    client = app.test_client()
    statuses = [_check(client, "MY-2026-000001", "x").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
