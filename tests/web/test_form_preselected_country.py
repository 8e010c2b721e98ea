"""A single-country form starts with its own country chosen: the destination on the forms
of destination states, the nationality on those of origin states. Only a blank form: an
answer sent without it stays unanswered, and a wrong default is a definition problem."""

from __future__ import annotations

import re

import pytest

from forms.compiler import compile_text
from forms.store import shipped_definitions
from tests.intake_helpers import every_step, forms_published  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("forms_published")


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html,
                       re.DOTALL).group(1)
    return [re.search(r'value="([^"]*)"', option).group(1)
            for option in re.findall(r"<option[^>]*>", select) if " selected" in option]


@pytest.mark.parametrize(("form_id", "destination", "nationality"), [
    ("my-intake", "MY", None), ("sa-intake", "SA", None), ("hk-intake", "HK", None),
    ("id-intake", None, "ID"), ("ph-intake", None, "PH"), ("bd-intake", None, "BD"),
    ("np-intake", None, "NP"), ("mm-intake", None, "MM"), ("vn-intake", None, "VN"),
])
def test_blank_form__own_country_chosen(client, form_id, destination, nationality):
    html = every_step(client, form_id, "en")
    assert _selected(html, "destination_country") == ([destination] if destination else [])
    assert _selected(html, "nationality") == ([nationality] if nationality else [])


SINGLE_COUNTRY_FORMS = [(form_id, definition) for form_id, definition, *_ in shipped_definitions()
                        if definition is not None and definition.country]


def test_shipped__every_single_country_form_is_checked():
    assert len(SINGLE_COUNTRY_FORMS) >= 8  # the shipped set only grows


@pytest.mark.parametrize(("form_id", "definition"), SINGLE_COUNTRY_FORMS,
                         ids=[f for f, _ in SINGLE_COUNTRY_FORMS])
def test_every_shipped_single_country_form__preselects_its_country(client, form_id, definition):
    """Its own country in exactly one of the two country questions, in every language:
    the destination on a destination state's form, the nationality on an origin's."""
    for lang in definition.languages:
        html = every_step(client, form_id, lang)
        chosen = {name: _selected(html, name) for name in ("destination_country", "nationality")}
        assert sorted(chosen.values()) == [[], [definition.country]], (lang, chosen)


def test_api__destination_left_out__refused_not_defaulted(client, make_user, svc):
    org = svc.organisations.create("Partner Desk", "MY")
    user = make_user(("member",), org_id=org["_id"])
    _record, token = svc.tokens.create(user["_id"], "partner system")
    response = client.post("/api/v1/cases", headers={"Authorization": f"Bearer {token}"},
                           json={"form_id": "my-intake", "version": 1, "language": "en",
                                 "answers": {"narrative": "Unpaid.", "consent_case_work": True}})
    assert response.status_code == 400
    assert "destination_country" in {e["field"] for e in response.json["errors"]}


@pytest.mark.parametrize(("field", "problem"), [
    ("{id: x, type: text, default: MY, label: {en: X}}", "default"),
    ("{id: x, type: country, default: XX, label: {en: X}}", "the code of a country"),
    ("{id: x, type: country, default: my, label: {en: X}}", "default"),
])
def test_definition__default_only_a_known_country_on_a_country_question(svc, field, problem):
    text = f"""
form: zz-intake
extends: mwc-base
country: MY
languages: [en]
title: {{en: Z}}
sections:
  - id: extra
    title: {{en: Extra}}
    fields:
      - {field}
"""
    result = compile_text(text, "zz.yaml", svc.forms.library_sources())
    assert not result.ok
    assert any(problem in p.message for p in result.problems)
