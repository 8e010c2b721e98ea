"""Yes/no questions have three answers and an unanswered state: a question the reporter
skips is stored as absent and read as not answered on the case page, in the API and in
exports, never as "No". Consent stays an explicit box to tick."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from tests.intake_helpers import (
    MINIMAL,
    every_step,
    forms_published,  # noqa: F401  (fixture)
    post_report,
    receipt,
)

pytestmark = pytest.mark.usefixtures("forms_published")

ONGOING = "When it happened: Is it still happening?"
INTERPRETER = "Help you need: Do you need an interpreter?"


def _file(client, svc, **answers):
    response = post_report(client, data={**MINIMAL, "consent_statistics": "y", **answers})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    reference, _code = receipt(response.get_data(as_text=True))
    case = svc.db.cases.find_one({"reference": reference})
    return case, svc.sealer.open(case.get("sensitive"))


def _options(html: str, name: str) -> list[tuple[str, bool]]:
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return [(re.search(r'value="([^"]*)"', i).group(1), "checked" in i) for i in inputs]


def test_question__three_options_nothing_chosen(client):
    html = every_step(client, "my-intake", "en")
    for name in ("ongoing", "sexual_violence", "live_in", "interpreter_needed"):
        assert _options(html, name) == [("true", False), ("false", False),
                                        ("prefer_not_to_say", False)], name
        assert f'type="radio"' in re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    fieldset = html[html.index('id="q-ongoing"'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    assert "Is it still happening?" in fieldset and "</legend>" in fieldset
    for word in (">Yes<", ">No<", ">Prefer not to say<"):
        assert word in fieldset.replace("</label>", "<").replace('">', ">")


def test_question__options_in_the_form_language(client):
    html = every_step(client, "my-intake", "ms")
    fieldset = html[html.index('id="q-ongoing"'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    for word in ("Ya", "Tidak", "Lebih suka tidak menyatakan"):
        assert f">{word}</label>" in fieldset
    arabic = every_step(client, "sa-intake", "ar")
    assert '<html lang="ar" dir="rtl">' in arabic and ">نعم</label>" in arabic


def test_consent__stays_a_box_to_tick(client):
    html = every_step(client, "my-intake", "en")
    for name in ("consent_case_work", "consent_referral", "consent_statistics"):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="checkbox"' in box and "checked" not in box


def test_skipped__stored_as_not_answered_and_implies_nothing(client, svc):
    case, sealed = _file(client, svc)
    assert not {"ongoing", "live_in", "interpreter_needed"} & set(case["answers"])
    assert "sexual_violence" not in sealed
    assert case["answers_format"] == 2


def test_answers__yes_no_and_prefer_not_to_say_kept_apart(client, svc):
    case, sealed = _file(client, svc, ongoing="true", live_in="false",
                         interpreter_needed="prefer_not_to_say", sexual_violence="true",
                         sexual_violence_recent="false")
    assert case["answers"]["ongoing"] is True
    assert case["answers"]["live_in"] is False
    assert case["answers"]["interpreter_needed"] == "prefer_not_to_say"
    assert sealed["sexual_violence"] is True and sealed["sexual_violence_recent"] is False
    assert {10, 16} <= set(case["mwc"])


def test_prefer_not_to_say__implies_no_article_and_hides_the_follow_up(client, svc):
    case, sealed = _file(client, svc, sexual_violence="prefer_not_to_say",
                         sexual_violence_recent="true")
    assert sealed["sexual_violence"] == "prefer_not_to_say"
    assert "sexual_violence_recent" not in sealed  # shown only after a yes
    assert not {10, 16} & set(case["mwc"])


def test_bad_value__refused_in_the_page_language_nothing_stored(client, svc):
    response = post_report(client, lang="ms", data={**MINIMAL, "ongoing": "maybe"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Pilih salah satu pilihan yang diberikan." in html or 'id="e-ongoing"' in html
    assert svc.db.cases.count_documents({}) == 0


def test_case_page__words_for_each_answer_and_nothing_for_skipped(client, svc, login_as):
    answered, _ = _file(client, svc, ongoing="false", interpreter_needed="prefer_not_to_say")
    skipped, _ = _file(client, svc)
    login_as("coordinator")
    page = client.get(f"/cases/{answered['reference']}").get_data(as_text=True)
    assert _shown(page, "ongoing") == "No"
    assert _shown(page, "interpreter_needed") == "Prefer not to say"
    page = client.get(f"/cases/{skipped['reference']}").get_data(as_text=True)
    assert _shown(page, "ongoing") is None and _shown(page, "live_in") is None


def _shown(page: str, field: str) -> str | None:
    found = re.search(rf'<dd data-field="{field}"><bdi dir="auto">([^<]*)</bdi>', page)
    return found and found.group(1)


def test_export__skipped_is_an_empty_cell_never_false(client, svc, auth, login_as):
    _file(client, svc, ongoing="false", interpreter_needed="prefer_not_to_say")
    _file(client, svc)
    login_as("coordinator")
    response = auth.post("/exports/", {"fmt": "csv", "level": "full", "purpose": "statistics",
                                       "unverified": "y"},
                         page="/exports/")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("cases.csv").decode())))
        book = list(csv.DictReader(io.StringIO(archive.read("codebook.csv").decode())))
    assert sorted((r[ONGOING], r[INTERPRETER]) for r in rows) == [
        ("", ""), ("false", "prefer_not_to_say")]
    kinds = {line["Column"]: line["Type"] for line in book}
    assert "prefer_not_to_say" in kinds[ONGOING] and "not answered" in kinds[ONGOING]


@pytest.fixture
def api(client, make_user, svc):
    org = svc.organisations.create("Partner Desk", "MY")
    user = make_user(("member",), org_id=org["_id"])
    _record, token = svc.tokens.create(user["_id"], "partner system")

    def post(answers):
        body = {"form_id": "my-intake", "version": 1, "language": "en",
                "answers": {"destination_country": "MY", "narrative": "Wages unpaid.",
                            "consent_case_work": True, **answers}}
        return client.post("/api/v1/cases", json=body,
                           headers={"Authorization": f"Bearer {token}"})
    return post


@pytest.mark.parametrize(("sent", "stored"), [
    ({"ongoing": True}, True), ({"ongoing": False}, False),
    ({"ongoing": "prefer_not_to_say"}, "prefer_not_to_say"), ({"ongoing": None}, None), ({}, None),
])
def test_api__three_answers_and_absent(api, svc, sent, stored):
    response = api(sent)
    assert response.status_code == 201, response.json
    case = svc.db.cases.find_one({"reference": response.json["reference"]})
    assert case["answers"].get("ongoing", None) == stored
    assert ("ongoing" in case["answers"]) == (stored is not None)


@pytest.mark.parametrize("bad", ["yes", "no", 1, 0, "", ["true"]])
def test_api__other_values_refused_naming_the_answers(api, svc, bad):
    response = api({"ongoing": bad})
    assert response.status_code == 400
    error = next(e for e in response.json["errors"] if e["field"] == "ongoing")
    assert error["message"] == (
        'Answer yes (true), no (false) or "prefer_not_to_say", or leave the question out.')
    assert svc.db.cases.count_documents({}) == 0
