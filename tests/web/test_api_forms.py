"""GET /api/v1/forms and /api/v1/forms/<id>: public, latest or chosen version, one language."""

from __future__ import annotations

import pytest
import yaml

from forms.schema import FormDefinition
from forms.store import definition_data


def test_list__latest_version_of_every_published_form_without_a_token(client, svc):
    response = client.get("/api/v1/forms")
    assert response.status_code == 200
    forms = {f["id"]: f for f in response.get_json()["forms"]}
    assert {"mwc-base", "my-intake", "sa-intake", "bd-intake"} <= set(forms)
    sa = forms["sa-intake"]
    assert sa["version"] == 1 and sa["country"] == "SA" and sa["languages"] == ["ar", "en"]
    assert sa["title"]["en"].startswith("Report a violation") and "ar" in sa["title"]
    assert sa["url"] == "/api/v1/forms/sa-intake?version=1"
    assert sa["hash"] == svc.forms.latest("sa-intake")["hash"]


def test_form__merged_definition_in_the_chosen_language(client):
    body = client.get("/api/v1/forms/sa-intake?lang=ar").get_json()
    assert body["language"] == "ar" and body["direction"] == "rtl"
    assert body["title"] == "الإبلاغ عن انتهاك لحقوق العمال المهاجرين في المملكة العربية السعودية"
    fields = {f["id"]: f for s in body["sections"] for f in s["fields"]}
    assert fields["gender"]["label"] == "النوع الاجتماعي كما يصفه الشخص نفسه"
    assert all(isinstance(c["label"], str) for c in fields["gender"]["choices"])
    assert "MWC-21" in {c["value"] for c in fields["mwc_codes"]["choices"]}
    assert {t["id"] for t in body["terms"]} >= {"kafala", "huroob"}
    assert isinstance(body["terms"][0]["label"], str)


def test_form__default_language_is_the_form_s_first(client):
    body = client.get("/api/v1/forms/my-intake").get_json()
    assert body["language"] == "en" and body["direction"] == "ltr"


def test_form__older_version_stays_available(client, svc):
    record = svc.forms.latest("my-intake")
    data = {**definition_data(record), "title": {"en": "Newer", "ms": "Baharu"}}
    svc.forms.publish(FormDefinition.from_dict(data), source_text="x", actor="u")
    assert client.get("/api/v1/forms/my-intake").get_json()["title"] == "Newer"
    old = client.get("/api/v1/forms/my-intake?version=1&lang=ms").get_json()
    assert old["version"] == 1 and old["title"] == definition_data(record)["title"]["ms"]
    assert "max-age=86400" in client.get("/api/v1/forms/my-intake?version=1").headers[
        "Cache-Control"]


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/api/v1/forms/nope", 404, "There is no published form nope."),
    ("/api/v1/forms/my-intake?version=7", 404, "The form my-intake has no version 7."),
    ("/api/v1/forms/my-intake?version=%7B%22$gt%22:0%7D", 404, "has no version"),
    ("/api/v1/forms/my-intake?version=1.5", 404, "has no version"),
    ("/api/v1/forms/my-intake?lang=ar", 400, "This form is in en, ms only."),
])
def test_form__bad_requests_answered_in_json(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]


def test_views__declared_public_for_the_roles_check(app):
    for endpoint in ("api_forms.forms_list", "api_forms.form"):
        assert app.view_functions[endpoint].public_view is True


def test_published_definition__round_trips_through_the_api(client, svc):
    """What a partner reads is the stored definition, texts aside."""
    body = client.get("/api/v1/forms/bd-intake?lang=bn").get_json()
    stored = svc.forms.definition("bd-intake", 1)
    assert [s["id"] for s in body["sections"]] == [s.id for s in stored.sections]
    assert yaml.safe_dump(body, allow_unicode=True)  # plain data only
