"""POST /api/v1/cases: token-authenticated filing through the same form rules as the page."""

import io
import json

import pytest

from tests.intake_helpers import TEST_FORM, forms_published, publish_text  # noqa: F401

pytestmark = pytest.mark.usefixtures("forms_published")

ANSWERS = {"destination_country": "MY", "narrative": "Wages unpaid for three months.",
           "acts": ["unpaid_wages"], "consent_case_work": True}


@pytest.fixture
def api(client, make_user, svc):
    org = svc.organisations.create("Partner Desk", "MY")
    user = make_user(("member",), org_id=org["_id"])
    _record, token = svc.tokens.create(user["_id"], "partner system")

    def post(body, token=token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.post("/api/v1/cases", json=body, headers=headers)

    post.user = user
    post.token = token
    return post


def _body(**changes):
    return {"form_id": "my-intake", "version": 1, "language": "en", "answers": ANSWERS,
            **changes}


def _fields(response):
    return {error["field"] for error in response.json["errors"]}


def test_create__201_reference_and_code_once(api, svc):
    response = api(_body())
    assert response.status_code == 201, response.json
    assert "no-store" in response.headers["Cache-Control"]
    case = svc.cases.by_tracking(response.json["reference"], response.json["tracking_code"])
    assert case["reporter"] == {"anonymous": False, "user_id": api.user["_id"],
                                "org_id": api.user["org_id"]}
    assert case["mwc"] == [25] and case["consent"]["case_work"] is True
    assert svc.audit.collection.find_one({"action": "case.create"})["target"] == case["_id"]


def test_create__without_token__401_and_wrong_role__403(api, make_user, svc):
    assert api(_body(), token=None).status_code == 401
    mission = make_user(("mission",))
    _record, token = svc.tokens.create(mission["_id"], "reader")
    assert api(_body(), token=token).status_code == 403


@pytest.mark.parametrize(("answers", "field"), [
    ({"no_such_question": "x"}, "no_such_question"),
    ({"employer_name": {"$gt": ""}}, "employer_name"),
    ({"acts": [{"$ne": None}]}, "acts"),
    ({"acts": "unpaid_wages"}, "acts"),
    ({"consent_referral": "yes"}, "consent_referral"),
    ({"reporter_relation": "boss"}, "reporter_relation"),
    ({"narrative": "x" * 200_000}, "narrative"),
    ({"destination_country": None}, "destination_country"),
])
def test_create__bad_answers__400_with_field_errors_and_nothing_stored(api, svc, answers,
                                                                       field):
    response = api(_body(answers={**ANSWERS, **answers}))
    assert response.status_code == 400, response.json
    assert field in _fields(response)
    assert all(error["message"] for error in response.json["errors"])
    assert svc.db.cases.count_documents({}) == 0


def test_create__wrong_type_integer__refused(api, svc):
    publish_text(svc, TEST_FORM)
    response = api(_body(form_id="tt-intake", answers={**ANSWERS, "hours_per_day": "many"}))
    assert response.status_code == 400 and _fields(response) == {"hours_per_day"}
    assert api(_body(form_id="tt-intake", answers={**ANSWERS, "hours_per_day": 30})
               ).status_code == 400


def test_create__hidden_required_left_empty__passes(api, svc):
    publish_text(svc, TEST_FORM)
    response = api(_body(form_id="tt-intake", answers={**ANSWERS, "has_payslip": False}))
    assert response.status_code == 201, response.json
    refused = api(_body(form_id="tt-intake", answers={**ANSWERS, "has_payslip": True}))
    assert refused.status_code == 400 and _fields(refused) == {"payslip_month"}


def test_create__html_payload_stored_as_text(api, svc):
    payload = "<script>alert(1)</script>"
    response = api(_body(answers={**ANSWERS, "employer_name": payload}))
    case = svc.cases.by_reference(response.json["reference"])
    assert case["answers"]["employer_name"] == payload


@pytest.mark.parametrize(("changes", "status"), [
    ({"form_id": "xx-intake"}, 404),
    ({"version": 99}, 404),
    ({"version": "1"}, 400),
    ({"version": True}, 400),
    ({"form_id": {"$gt": ""}}, 400),
    ({"language": "fr"}, 400),
    ({"answers": ["not", "an", "object"]}, 400),
])
def test_create__bad_envelope__clear_error(api, svc, changes, status):
    response = api(_body(**changes))
    assert response.status_code == status
    assert response.json["error"]["message"]
    assert svc.db.cases.count_documents({}) == 0


def test_create__not_json__400(client, api):
    response = client.post("/api/v1/cases", data="form_id=my-intake",
                           headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "(body)"


def _raw(client, api, text: str):
    return client.post("/api/v1/cases", data=text, content_type="application/json",
                       headers={"Authorization": f"Bearer {api.token}"})


def test_create__version_beyond_any_integer__400_not_overflow(api, svc):
    response = api(_body(version=10**30))
    assert response.status_code == 400, response.json
    assert _fields(response) == {"version"}
    assert svc.db.cases.count_documents({}) == 0


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_create__body_nested_thousands_deep__400_not_recursion_error(client, api, svc, depth):
    response = _raw(client, api, "[" * depth + "]" * depth)
    assert response.status_code == 400, response.json
    assert response.json["errors"][0]["field"] == "(body)"
    assert svc.db.cases.count_documents({}) == 0


@pytest.mark.parametrize("depth", [3, 900, 5_000])
def test_create__answer_nested_deep__400_naming_the_answer(client, api, svc, depth):
    answers = json.dumps(ANSWERS)[:-1] + ', "narrative": ' + "[" * depth + "]" * depth + "}"
    text = json.dumps(_body()).replace(json.dumps(ANSWERS), answers)
    response = _raw(client, api, text)
    assert response.status_code == 400, response.json
    assert _fields(response) <= {"narrative", "(body)"} and _fields(response)
    assert svc.db.cases.count_documents({}) == 0


@pytest.mark.parametrize("answers", [{"narrative": "Wages \ud800 unpaid"},
                                     {"acts": ["unpaid_wages", "\udfff"]},
                                     {"\ud800": "x"}])
def test_create__lone_surrogate__400_not_an_encoding_error(api, svc, answers):
    response = api(_body(answers={**ANSWERS, **answers}))
    assert response.status_code == 400, response.json
    assert svc.db.cases.count_documents({}) == 0


def test_create__surrogate_in_the_envelope__400(api, svc):
    response = api(_body(form_id="my-intake\ud800"))
    assert response.status_code == 400 and _fields(response) == {"form_id"}


@pytest.mark.parametrize("text", ['{"version": NaN}', '{"version": Infinity}', '{"a": 1e999}',
                                  "\xff\xfe", ""])
def test_create__not_json__400_named_body(client, api, svc, text):
    response = _raw(client, api, text)
    assert response.status_code == 400, response.json


def test_create__body_over_a_megabyte__413_unread(client, api, svc):
    response = api(_body(answers={**ANSWERS, "narrative": "x" * 2_000_000}))
    assert response.status_code == 413 and response.json["errors"][0]["field"] == "(body)"
    assert svc.db.cases.count_documents({}) == 0


def test_create__chunked_body_over_a_megabyte__413(client, api, svc):
    body = json.dumps(_body(answers={**ANSWERS, "narrative": "x" * 2_000_000})).encode()
    response = client.post("/api/v1/cases", input_stream=io.BytesIO(body),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {api.token}",
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})  # as gunicorn
    assert response.status_code == 413, response.json
    assert svc.db.cases.count_documents({}) == 0
